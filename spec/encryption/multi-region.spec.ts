import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { expect } from 'chai';
import {
  Encrypted,
  EncryptionError,
  Entity,
  PartitionKey,
  Signed,
  TheoryDb,
  entityMetadata,
  type KmsOptions,
} from '../../src';
import { parseEnvelope } from '../../src/crypto/envelope';
import { keyFingerprint } from '../../src/crypto/key-fingerprint';
import { LocalKms } from '../../src/testing';
import { sharedDynamo, uniqueTable } from '../support/stack';

// A global table's writer in one region and readers in another, each region with its own
// LocalKms (peers of one partition). DynamoDB Local stands for the replicated table: both regions
// read the same items.

@Entity({ table: uniqueTable('enc-regions'), name: 'RegionalSecret' })
class RegionalSecret {
  @PartitionKey() id!: string;
  @Signed() owner?: string;
  @Encrypted() secret?: string;
}

const SECRET = 'regional-secret-0123456789';

describe('Global tables: additional keys and multi-region keys (DynamoDB Local + two LocalKms regions)', function () {
  this.timeout(60_000);

  let east: LocalKms;
  let west: LocalKms;
  let eastKey: string;
  let westKey: string;
  let mrk: string;
  let mrkReplica: string;

  const dbIn = async (kms: LocalKms, options: Omit<KmsOptions, 'client'>) =>
    new TheoryDb({
      dynamodb: (await sharedDynamo()).client,
      kms: { client: kms.client(), ...options },
    }).repository(RegionalSecret);

  const secretOf = (id: string) =>
    Object.assign(new RegionalSecret(), { id, owner: 'o', secret: SECRET });

  async function failure(read: Promise<unknown>): Promise<EncryptionError> {
    const error = await read.then(
      (value) => expect.fail(`read returned ${JSON.stringify(value)}`),
      (caught: unknown) => caught,
    );
    expect(error).to.be.instanceOf(EncryptionError);
    return error as EncryptionError;
  }

  before(async () => {
    east = await LocalKms.start({ region: 'us-east-1' });
    west = await LocalKms.start({ region: 'eu-west-1', peer: east });
    eastKey = await east.createKey();
    westKey = await west.createKey();
    mrk = await east.createKey({ multiRegion: true });
    mrkReplica = await east.replicateKey(mrk, 'eu-west-1');
    await new TheoryDb({ dynamodb: (await sharedDynamo()).client }).createTable(RegionalSecret);
  });

  after(() => Promise.all([east.stop(), west.stop()]));

  beforeEach(() => {
    east.resetCalls();
    west.resetCalls();
  });

  it('a writer with an additional key for the other region: readers there decrypt with no request to the first region', async () => {
    const writer = await dbIn(east, {
      keyId: eastKey,
      additionalKeys: [{ client: west.client(), keyId: westKey }],
    });
    await writer.save(secretOf('additional'));
    expect([east.calls('GenerateDataKey'), west.calls('Encrypt')]).to.deep.equal([1, 1]);
    const stored = await (
      await sharedDynamo()
    ).client.send(
      new GetItemCommand({
        TableName: uniqueTableOf(),
        Key: { id: { S: 'additional' } },
        ConsistentRead: true,
      }),
    );
    const envelope = parseEnvelope(stored.Item!.__td.B!);
    expect(envelope.entries.map((e) => e.fingerprint.toString('hex'))).to.deep.equal([
      keyFingerprint(eastKey).toString('hex'),
      keyFingerprint(westKey).toString('hex'),
    ]);
    east.resetCalls();
    const reader = await dbIn(west, { keyId: westKey });
    expect((await reader.get({ id: 'additional' })).secret).to.equal(SECRET);
    expect(east.calls()).to.equal(0);
    expect(west.calls('Decrypt')).to.equal(1);
  });

  it('a reader in the first region still decrypts with its own entry', async () => {
    const reader = await dbIn(east, { keyId: eastKey });
    expect((await reader.get({ id: 'additional' })).secret).to.equal(SECRET);
    expect(west.calls()).to.equal(0);
  });

  it('without the additional key, the other region fails closed: KEY_NOT_ALLOWED, 0 Decrypt', async () => {
    const writer = await dbIn(east, { keyId: eastKey });
    await writer.save(secretOf('single'));
    const reader = await dbIn(west, { keyId: westKey });
    const error = await failure(reader.get({ id: 'single' }));
    expect(error.code).to.equal('KEY_NOT_ALLOWED');
    expect(west.calls('Decrypt') + east.calls('Decrypt')).to.equal(0);
  });

  it('a reader bound to the replica of the multi-region key that wrapped the item decrypts in its own region', async () => {
    const writer = await dbIn(east, { keyId: mrk });
    await writer.save(secretOf('mrk'));
    east.resetCalls();
    const reader = await dbIn(west, { keyId: mrkReplica });
    expect((await reader.get({ id: 'mrk' })).secret).to.equal(SECRET);
    expect(east.calls()).to.equal(0);
    expect(west.calls('Decrypt')).to.equal(1);
  });

  it('a single-region key whose ARN differs only by region, or another multi-region key: KEY_NOT_ALLOWED, 0 Decrypt', async () => {
    const writer = await dbIn(east, { keyId: eastKey });
    await writer.save(secretOf('same-id'));
    // The same key id in the other region is another key unless it is a multi-region replica.
    const lookalike = await west.createKey();
    const otherMrk = await west.createKey({ multiRegion: true });
    for (const keyId of [lookalike, otherMrk]) {
      west.resetCalls();
      const error = await failure((await dbIn(west, { keyId })).get({ id: 'mrk' }));
      expect(error.code, keyId).to.equal('KEY_NOT_ALLOWED');
      expect(west.calls('Decrypt'), keyId).to.equal(0);
    }
    const regionSwapped = eastKey.replace(':us-east-1:', ':eu-west-1:');
    expect(keyFingerprint(regionSwapped).equals(keyFingerprint(eastKey))).to.equal(false);
    expect(keyFingerprint(mrkReplica).equals(keyFingerprint(mrk))).to.equal(true);
  });

  it('a 1,000-item batchSave with one additional key: one Encrypt per GenerateDataKey', async () => {
    const writer = await dbIn(east, {
      keyId: eastKey,
      additionalKeys: [{ client: west.client(), keyId: westKey }],
    });
    const items = Array.from({ length: 1000 }, (_, i) => secretOf(`batch-${i}`));
    await writer.batchSave(items);
    expect(east.calls('GenerateDataKey')).to.be.greaterThan(0);
    expect(west.calls('Encrypt')).to.equal(east.calls('GenerateDataKey'));
  });

  it('refuses malformed additionalKeys at construction', () => {
    const client = east.client();
    for (const additionalKeys of [
      'alias/x',
      [{ keyId: 'alias/x' }],
      [{ client, keyId: '' }],
      Array.from({ length: 16 }, () => ({ client, keyId: 'alias/x' })),
    ]) {
      expect(
        () =>
          new TheoryDb({
            dynamodb: {} as never,
            kms: { client, keyId: eastKey, additionalKeys: additionalKeys as never },
          }),
        JSON.stringify(additionalKeys, (k, v: unknown) => (k === 'client' ? 'client' : v)),
      ).to.throw(/additionalKeys/);
    }
  });
});

function uniqueTableOf(): string {
  return entityMetadata(RegionalSecret).table;
}
