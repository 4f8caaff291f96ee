import { GetItemCommand, PutItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { expect } from 'chai';
import {
  Attribute,
  Encrypted,
  EncryptionError,
  Entity,
  PartitionKey,
  Signed,
  TheoryDb,
  UpdatedAt,
  ValidationError,
  Version,
  entityMetadata,
  type Repository,
} from '../../src';
import type { LocalKms } from '../../src/testing';
import { type DynamoRecorder, recordingDynamo } from '../support/dynamo-recorder';
import { expectNoPlaintext } from '../support/leak-check';
import { sharedDynamo, sharedKms, uniqueTable } from '../support/stack';

// Updates under format v2: a plain, unsigned change is one UpdateItem; a change to what the
// item's envelope seals or binds reads the item, verifies it and re-seals it.

@Entity({ table: uniqueTable('upd-reseal'), name: 'Vault' })
class Vault {
  @PartitionKey() id!: string;
  @Attribute() note?: string;
  @Signed() owner?: string;
  @Signed() @Attribute() score?: number;
  @Encrypted() secret?: string;
  @Encrypted() recovery?: string;
  @Version() version?: number;
}

/** No @Version, @UpdatedAt: an update's only actions are the caller's. */
@Entity({ table: uniqueTable('upd-reseal-bare'), name: 'BareVault' })
class BareVault {
  @PartitionKey() id!: string;
  @Encrypted() secret?: string;
}

/** Its update time is authenticated: a re-seal must bind exactly the time it writes. */
@Entity({ table: uniqueTable('upd-reseal-stamped'), name: 'StampedVault' })
class StampedVault {
  @PartitionKey() id!: string;
  @Signed() @UpdatedAt() updatedAt?: Date;
  @Encrypted() secret?: string;
}

const SECRET = 'reseal-secret-0123456789';
const RECOVERY = 'reseal-recovery-9876543210';

describe('Repository.update under format v2: re-sealing (DynamoDB Local + LocalKms)', function () {
  this.timeout(60_000);

  let kms: LocalKms;
  let rec: DynamoRecorder;
  let vaults: Repository<Vault>;
  const table = entityMetadata(Vault).table;

  async function stored(id: string): Promise<Record<string, AttributeValue>> {
    const out = await (
      await sharedDynamo()
    ).client.send(
      new GetItemCommand({ TableName: table, Key: { id: { S: id } }, ConsistentRead: true }),
    );
    return out.Item!;
  }

  async function saved(id: string): Promise<Vault> {
    const vault = Object.assign(new Vault(), {
      id,
      note: 'n',
      owner: 'ada',
      score: 1,
      secret: SECRET,
      recovery: RECOVERY,
    });
    await vaults.save(vault);
    rec.clear();
    kms.resetCalls();
    return vault;
  }

  before(async () => {
    kms = await sharedKms();
    rec = await recordingDynamo();
    const db = new TheoryDb({
      dynamodb: rec.client,
      kms: { client: kms.client(), keyId: await kms.createKey() },
    });
    await db.createTable(Vault);
    vaults = db.repository(Vault);
  });

  it('a plain, unsigned change: one UpdateItem, no read, no KMS request, the envelope untouched', async () => {
    await saved('plain');
    const before = await stored('plain');
    const updated = await vaults.update({ id: 'plain' }, { set: { note: 'changed' } });
    expect(rec.names()).to.deep.equal(['UpdateItemCommand']);
    expect(kms.calls('GenerateDataKey')).to.equal(0);
    expect([updated?.note, updated?.secret, updated?.recovery]).to.deep.equal([
      'changed',
      SECRET,
      RECOVERY,
    ]);
    expect(
      Buffer.from((await stored('plain')).__td.B!).equals(Buffer.from(before.__td.B!)),
    ).to.equal(true);
  });

  it('setting one encrypted field: GetItem then one conditional UpdateItem; the other field is kept', async () => {
    await saved('set');
    const updated = await vaults.update({ id: 'set' }, { set: { secret: 'new-secret-value' } });
    expect(rec.names()).to.deep.equal(['GetItemCommand', 'UpdateItemCommand']);
    const [, update] = rec.commands;
    expect((update.input as { ConditionExpression: string }).ConditionExpression).to.match(
      /#n\d+ = :v\d+/,
    );
    expectNoPlaintext(rec.bodies(), 'new-secret-value', 'requests');
    expect([updated?.secret, updated?.recovery, updated?.version]).to.deep.equal([
      'new-secret-value',
      RECOVERY,
      2,
    ]);
    const found = await vaults.get({ id: 'set' });
    expect([found.secret, found.recovery]).to.deep.equal(['new-secret-value', RECOVERY]);
    expect(Object.keys(await stored('set'))).to.not.include('secret');
  });

  it('removing an encrypted field re-seals without it', async () => {
    await saved('remove');
    await vaults.update({ id: 'remove' }, { remove: ['recovery'] });
    const found = await vaults.get({ id: 'remove' });
    expect([found.secret, found.recovery]).to.deep.equal([SECRET, undefined]);
  });

  it('changing a signed attribute re-seals: the item reads, with the new value bound', async () => {
    await saved('signed');
    await vaults.update({ id: 'signed' }, { set: { owner: 'grace' }, add: { score: 2 } });
    const found = await vaults.get({ id: 'signed' });
    expect([found.owner, found.score, found.secret]).to.deep.equal(['grace', 3, SECRET]);
  });

  it('add of a fraction to a signed number is refused before anything is sent', async () => {
    await saved('fraction');
    const error = await vaults
      .update({ id: 'fraction' }, { add: { score: 0.5 } })
      .catch((e: unknown) => e);
    expect(error).to.be.instanceOf(ValidationError);
    expect(rec.names()).to.not.include('UpdateItemCommand');
  });

  it('an item altered outside theorydb is not re-sealed: INTEGRITY, and nothing is written', async () => {
    await saved('tampered');
    const item = await stored('tampered');
    await (
      await sharedDynamo()
    ).client.send(
      new PutItemCommand({ TableName: table, Item: { ...item, owner: { S: 'mallory' } } }),
    );
    rec.clear();
    const error = await vaults
      .update({ id: 'tampered' }, { set: { secret: 'laundered' } })
      .catch((e: unknown) => e);
    expect(error).to.be.instanceOf(EncryptionError);
    expect((error as EncryptionError).code).to.equal('INTEGRITY');
    expect(rec.names()).to.deep.equal(['GetItemCommand']);
  });

  it('a missing item: the update fails with CONDITION_FAILED and seals nothing', async () => {
    kms.resetCalls();
    const error = await vaults
      .update({ id: 'nobody' }, { set: { secret: 'x' } })
      .catch((e: unknown) => e);
    expect((error as { code?: string }).code).to.equal('CONDITION_FAILED');
    expect(
      await (
        await sharedDynamo()
      ).client
        .send(
          new GetItemCommand({
            TableName: table,
            Key: { id: { S: 'nobody' } },
            ConsistentRead: true,
          }),
        )
        .then((out) => out.Item),
    ).to.equal(undefined);
  });

  it('a missing item of an entity without lifecycle attributes: CONDITION_FAILED too', async () => {
    const db = new TheoryDb({
      dynamodb: rec.client,
      kms: { client: kms.client(), keyId: await kms.createKey() },
    });
    await db.createTable(BareVault);
    const error = await db
      .repository(BareVault)
      .update({ id: 'nobody' }, { set: { secret: 'x' } })
      .catch((e: unknown) => e);
    expect((error as { code?: string }).code).to.equal('CONDITION_FAILED');
  });

  it('a signed @UpdatedAt is bound with the very value written (a clock that moves between reads)', async () => {
    let tick = Date.UTC(2026, 0, 1);
    const db = new TheoryDb({
      dynamodb: rec.client,
      kms: { client: kms.client(), keyId: await kms.createKey() },
      now: () => new Date((tick += 1000)),
    });
    await db.createTable(StampedVault);
    const repo = db.repository(StampedVault);
    await repo.save(Object.assign(new StampedVault(), { id: 'stamped', secret: SECRET }));
    const updated = await repo.update({ id: 'stamped' }, { set: { secret: 'restamped' } });
    const found = await repo.get({ id: 'stamped' });
    expect([found.secret, found.updatedAt?.getTime()]).to.deep.equal([
      'restamped',
      updated?.updatedAt?.getTime(),
    ]);
  });

  it('tx.update of an encrypted or signed attribute is refused with VALIDATION', async () => {
    const db = new TheoryDb({
      dynamodb: rec.client,
      kms: { client: kms.client(), keyId: await kms.createKey() },
    });
    for (const changes of [{ set: { secret: 'x' } }, { set: { owner: 'x' } }] as const) {
      rec.clear();
      const error = await db
        .transaction((tx) => {
          tx.update(Vault, { id: 'set' }, changes);
        })
        .catch((e: unknown) => e);
      expect(error, JSON.stringify(changes)).to.be.instanceOf(ValidationError);
      expect(rec.count()).to.equal(0);
    }
  });
});
