import { type DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { expect } from 'chai';
import { inspect } from 'node:util';
import {
  Attribute,
  ConditionFailedError,
  Encrypted,
  EncryptionError,
  Entity,
  PartitionKey,
  PrimaryKey,
  TheoryDb,
  TransactionCanceledError,
  ValidationError,
  Version,
  VersionConflictError,
} from '../../src';
import type { LocalKms } from '../../src/testing/local-kms';
import { type DynamoRecorder, recordCommands } from '../support/dynamo-recorder';
import {
  errorTexts,
  expectErrorFreeOf,
  expectNoPlaintext,
  rejectionOf,
} from '../support/leak-check';
import { registerSentinel } from '../support/leak-guard';
import { sharedDynamo, sharedKms, uniqueTable } from '../support/stack';

// Issue 14, item 5: with returnOnConditionFailure, a failed conditional write (or a version
// conflict) carries the stored item, decrypted on demand through the normal fail-closed read,
// from the failed request's own answer; the error never holds or prints the raw item.

const SECRET = 'conflict-stored-secret-Hq3v8n';
const NEW_SECRET = 'conflict-new-secret-Wd5k1p';
for (const secret of [SECRET, NEW_SECRET]) registerSentinel(secret);

const TABLE = uniqueTable('conflicts');

@Entity({ table: TABLE, name: 'ConflictVault' })
class Vault {
  declare [PrimaryKey]?: 'id';

  @PartitionKey() id!: string;
  @Attribute() status?: string;
  @Encrypted() secret?: string;
  @Version() version?: number;
}

/** Same table, no @Version: its saves have no condition unless the caller gives one. */
@Entity({ table: TABLE, name: 'ConflictNote' })
class Note {
  declare [PrimaryKey]?: 'id';

  @PartitionKey() id!: string;
  @Encrypted() secret?: string;
}

type Loose = Record<string, unknown>;

describe('returnOnConditionFailure: conflicts that say what is there', function () {
  this.timeout(60_000);
  let kms: LocalKms;
  let client: DynamoDBClient;
  let recorder: DynamoRecorder;
  let db: TheoryDb;
  let seq = 0;
  let keyId: string;

  before(async () => {
    const dynamo = await sharedDynamo();
    kms = await sharedKms();
    keyId = await kms.createKey();
    client = dynamo.newClient({ maxAttempts: 1 });
    recorder = recordCommands(client);
    db = new TheoryDb({ dynamodb: client, kms: { client: kms.client(), keyId } });
    await db.createTable(Vault);
  });

  const vaults = () => db.repository(Vault);

  /** A stored vault at version 2 (saved, then updated), with nothing recorded yet. */
  async function storedVault(): Promise<string> {
    seq += 1;
    const id = `vault-${seq}`;
    await vaults().save(Object.assign(new Vault(), { id, status: 'open', secret: SECRET }));
    await vaults().update({ id }, { set: { status: 'locked' } });
    recorder.clear();
    kms.resetCalls();
    return id;
  }

  function asked(): unknown[] {
    return recorder.commands.map((c) => {
      const input = c.input as Loose & { TransactItems?: Record<string, Loose>[] };
      if (input.TransactItems === undefined) return input.ReturnValuesOnConditionCheckFailure;
      return input.TransactItems.map(
        (item) => Object.values(item)[0].ReturnValuesOnConditionCheckFailure,
      );
    });
  }

  function expectStored(entity: Vault | undefined, id: string): void {
    expect(entity).to.be.instanceOf(Vault);
    expect({ ...entity }).to.deep.equal({ id, status: 'locked', secret: SECRET, version: 2 });
    // Printed like any entity: the secret redacted.
    expectNoPlaintext(inspect(entity, { depth: 5 }), SECRET, 'inspect(entity)');
    expectNoPlaintext(JSON.stringify(entity), SECRET, 'JSON(entity)');
  }

  it('save with a failed condition: the error carries the stored item, decrypted, from the one PutItem', async () => {
    const id = await storedVault();
    const error = await rejectionOf(
      vaults().save(Object.assign(new Vault(), { id, secret: NEW_SECRET }), {
        condition: (c) => c.notExists('status'),
        returnOnConditionFailure: true,
      }),
    );
    expect(error).to.be.instanceOf(ConditionFailedError);
    expect(recorder.names()).to.deep.equal(['PutItemCommand']);
    expect(asked()).to.deep.equal(['ALL_OLD']);
    expect(kms.calls('Decrypt')).to.equal(0);
    const stored = await (error as ConditionFailedError).storedItem<Vault>();
    expectStored(stored, id);
    // No read: the item came with the failed write's answer; one Decrypt for its data key.
    expect(recorder.names()).to.deep.equal(['PutItemCommand']);
    expect(kms.calls('Decrypt')).to.equal(1);
    expectErrorFreeOf(error, [SECRET, NEW_SECRET, id]);
  });

  it('a version conflict of a plain save (no condition of the caller) carries the newer version', async () => {
    const id = await storedVault();
    const stale = Object.assign(new Vault(), { id, version: 1, secret: NEW_SECRET });
    const error = await rejectionOf(vaults().save(stale, { returnOnConditionFailure: true }));
    expect(error).to.be.instanceOf(VersionConflictError);
    expect((error as VersionConflictError).expectedVersion).to.equal(1);
    expect(asked()).to.deep.equal(['ALL_OLD']);
    expectStored(await (error as VersionConflictError).storedItem<Vault>(), id);
    expect(stale.version, 'the failed save left the instance as it was').to.equal(1);
  });

  it('update with a stale expectedVersion and delete with a failed condition carry it too', async () => {
    const id = await storedVault();
    const conflict = await rejectionOf(
      vaults().update(
        { id },
        { set: { secret: NEW_SECRET } },
        { expectedVersion: 1, returnOnConditionFailure: true },
      ),
    );
    expect(conflict).to.be.instanceOf(VersionConflictError);
    expectStored(await (conflict as VersionConflictError).storedItem<Vault>(), id);
    const refused = await rejectionOf(
      vaults().delete(
        { id },
        { condition: (c) => c.eq('status', 'open'), returnOnConditionFailure: true },
      ),
    );
    expect(refused).to.be.instanceOf(ConditionFailedError);
    expectStored(await (refused as ConditionFailedError).storedItem<Vault>(), id);
    // v2: setting an encrypted field re-seals the item, so the update reads it consistently first
    // (a GetItem, which asks for nothing on a condition failure).
    expect(recorder.names()).to.deep.equal([
      'GetItemCommand',
      'UpdateItemCommand',
      'DeleteItemCommand',
    ]);
    expect(asked()).to.deep.equal([undefined, 'ALL_OLD', 'ALL_OLD']);
    for (const error of [conflict, refused]) expectErrorFreeOf(error, [SECRET, NEW_SECRET, id]);
  });

  it('no item stored: storedItem() resolves to undefined', async () => {
    const missing = { id: `missing-${(seq += 1)}` };
    const error = await rejectionOf(
      vaults().delete(missing, { ifExists: true, returnOnConditionFailure: true }),
    );
    expect(error).to.be.instanceOf(ConditionFailedError);
    expect(await (error as ConditionFailedError).storedItem()).to.equal(undefined);
    const update = await rejectionOf(
      vaults().update(missing, { set: { status: 'x' } }, { returnOnConditionFailure: true }),
    );
    expect(await (update as ConditionFailedError).storedItem()).to.equal(undefined);
  });

  it('a tampered stored item: the error keeps its code and prints; storedItem() rejects INTEGRITY', async () => {
    const id = await storedVault();
    const raw = await client.send(
      new GetItemCommand({ TableName: TABLE, Key: { id: { S: id } }, ConsistentRead: true }),
    );
    // v2: the item's one envelope, `__td`.
    const envelope = Buffer.from((raw.Item?.__td as { B: Uint8Array }).B);
    envelope[envelope.length - 1] ^= 0x01; // the GCM tag: the wrapped key is intact
    await client.send(
      new PutItemCommand({ TableName: TABLE, Item: { ...raw.Item, __td: { B: envelope } } }),
    );
    recorder.clear();
    kms.resetCalls();
    const error = await rejectionOf(
      vaults().update(
        { id },
        { set: { status: 'x' } },
        { expectedVersion: 1, returnOnConditionFailure: true },
      ),
    );
    expect(error).to.be.instanceOf(VersionConflictError);
    expect((error as VersionConflictError).code).to.equal('VERSION_CONFLICT');
    const texts = errorTexts(error);
    expect(texts.string).to.contain('VersionConflictError');
    expect(JSON.parse(texts.json)).to.include({ code: 'VERSION_CONFLICT', expectedVersion: 1 });
    const forms = [envelope.toString('base64'), envelope.subarray(8, 40).toString('hex')];
    for (const [where, text] of Object.entries(texts)) {
      for (const form of forms) expect(text.includes(form), `error ${where}`).to.equal(false);
    }
    expectErrorFreeOf(error, [SECRET, id]);
    const failure = await rejectionOf((error as VersionConflictError).storedItem());
    expect(failure).to.be.instanceOf(EncryptionError);
    expect((failure as EncryptionError).code).to.equal('INTEGRITY');
    // The envelope's error names its first encrypted field.
    expect((failure as EncryptionError).field).to.equal('secret');
    expectErrorFreeOf(failure, [SECRET, id]);
  });

  it("another key's item in the answer (substituted): storedItem() rejects RESPONSE_MISMATCH, undecrypted", async () => {
    const victim = await storedVault();
    const id = await storedVault();
    const genuine = await client.send(
      new GetItemCommand({ TableName: TABLE, Key: { id: { S: victim } }, ConsistentRead: true }),
    );
    // A second client whose answers are tampered with: the victim's genuine item (which would
    // decrypt perfectly, bound to its own key) replaces the one DynamoDB returned.
    const substituting = (await sharedDynamo()).newClient({ maxAttempts: 1 });
    substituting.middlewareStack.add(
      (next) => async (args) => {
        try {
          return await next(args);
        } catch (error) {
          if ((error as Loose).Item !== undefined) (error as Loose).Item = genuine.Item;
          throw error;
        }
      },
      { step: 'initialize', name: 'substituteReturnedItem' },
    );
    const other = new TheoryDb({ dynamodb: substituting, kms: { client: kms.client(), keyId } });
    kms.resetCalls();
    const error = await rejectionOf(
      other
        .repository(Vault)
        .update(
          { id },
          { set: { status: 'x' } },
          { expectedVersion: 1, returnOnConditionFailure: true },
        ),
    );
    expect(error).to.be.instanceOf(VersionConflictError);
    const failure = await rejectionOf((error as VersionConflictError).storedItem());
    expect((failure as { code?: unknown }).code).to.equal('RESPONSE_MISMATCH');
    expect(kms.calls('Decrypt')).to.equal(0);
    expectErrorFreeOf(failure, [SECRET, victim, id]);
  });

  it('no item, ciphertext, key value or secret in the printed, inspected or JSON error', async () => {
    const id = await storedVault();
    const error = await rejectionOf(
      vaults().delete(
        { id },
        { condition: (c) => c.eq('status', 'open'), returnOnConditionFailure: true },
      ),
    );
    const own = Object.getOwnPropertyNames(error).concat(
      Object.getOwnPropertySymbols(error).map(String),
    );
    expect(own).to.not.include('Item');
    expect((error as { cause?: Loose }).cause?.Item).to.equal(undefined);
    expectErrorFreeOf(error, [SECRET, id, 'locked']);
    expect(inspect(error, { showHidden: true, depth: 20 })).to.not.contain('locked');
    // It works, all the same, and a second call decrypts again (nothing kept on the error).
    const first = await (error as ConditionFailedError).storedItem<Vault>();
    const second = await (error as ConditionFailedError).storedItem<Vault>();
    expect(second).to.not.equal(first);
    expect(second?.secret).to.equal(SECRET);
  });

  it('option off: no ReturnValuesOnConditionCheckFailure is sent, and storedItem() says why', async () => {
    const id = await storedVault();
    const notes = db.repository(Note);
    const saved = await rejectionOf(
      notes.save(Object.assign(new Note(), { id, secret: NEW_SECRET }), { ifNotExists: true }),
    );
    const deleted = await rejectionOf(
      vaults().delete({ id }, { ifExists: true, condition: (c) => c.eq('status', 'open') }),
    );
    const updated = await rejectionOf(
      vaults().update({ id }, { set: { status: 'x' } }, { condition: (c) => c.eq('status', 'no') }),
    );
    expect(recorder.names()).to.deep.equal([
      'PutItemCommand',
      'DeleteItemCommand',
      'UpdateItemCommand',
    ]);
    expect(recorder.commands.map((c) => Object.keys(c.input as Loose))).to.satisfy(
      (keys: string[][]) => keys.every((k) => !k.includes('ReturnValuesOnConditionCheckFailure')),
    );
    for (const error of [saved, deleted, updated]) {
      expect(error).to.be.instanceOf(ConditionFailedError);
      const why = await rejectionOf((error as ConditionFailedError).storedItem());
      expect(why).to.be.instanceOf(ValidationError);
      expect((why as ValidationError).message).to.contain('returnOnConditionFailure');
    }
  });

  it('a transaction: the failed action offers its stored item by index, others do not', async () => {
    const id = await storedVault();
    const other = `vault-tx-${(seq += 1)}`;
    const error = await rejectionOf(
      db.transaction((tx) => {
        tx.save(Object.assign(new Vault(), { id: other, secret: NEW_SECRET }));
        tx.update(
          Vault,
          { id },
          { set: { status: 'x' } },
          { expectedVersion: 1, returnOnConditionFailure: true },
        );
      }),
    );
    expect(error).to.be.instanceOf(TransactionCanceledError);
    const canceled = error as TransactionCanceledError;
    expect(canceled.reasons.map((r) => r.code)).to.deep.equal(['NONE', 'VERSION_CONFLICT']);
    expect(asked()).to.deep.equal([[undefined, 'ALL_OLD']]);
    expectStored(await canceled.storedItem<Vault>(1), id);
    expect(await rejectionOf(canceled.storedItem(0))).to.be.instanceOf(ValidationError);
    expect(recorder.names()).to.deep.equal(['TransactWriteItemsCommand']);
    expectErrorFreeOf(error, [SECRET, NEW_SECRET, id]);

    recorder.clear();
    const checked = await rejectionOf(
      db.transaction((tx) => {
        tx.check(Vault, { id }, (c) => c.eq('status', 'open'), { returnOnConditionFailure: true });
        tx.delete(Vault, { id: other }, { ifExists: true, returnOnConditionFailure: true });
      }),
    );
    const reasons = (checked as TransactionCanceledError).reasons.map((r) => r.code);
    expect(reasons).to.deep.equal(['CONDITION_FAILED', 'CONDITION_FAILED']);
    expect(asked()).to.deep.equal([['ALL_OLD', 'ALL_OLD']]);
    expectStored(await (checked as TransactionCanceledError).storedItem<Vault>(0), id);
    expect(await (checked as TransactionCanceledError).storedItem(1)).to.equal(undefined);
  });
});
