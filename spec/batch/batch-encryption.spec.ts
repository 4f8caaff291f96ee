import { expect } from 'chai';
import { GetItemCommand, PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Attribute, Encrypted, Entity, PartitionKey, TheoryDb, ValidationError } from '../../src';
import type { LocalKms } from '../../src/testing/local-kms';
import { expectEncryptionError, expectNoPlaintext } from '../support/leak-check';
import { sharedDynamo, sharedKms, uniqueTable } from '../support/stack';
import { type CommandLog, recordedClient, scanAll } from './support/batch-clients';

function secretClass() {
  @Entity({ table: uniqueTable('batch-secret'), name: 'Secret' })
  class Secret {
    @PartitionKey() id!: string;
    @Encrypted() token?: string;
    @Attribute() label?: string;
  }
  return Secret;
}
type SecretClass = ReturnType<typeof secretClass>;

@Entity({ table: uniqueTable('batch-two-keys'), name: 'TwoKeys' })
class TwoKeys {
  @PartitionKey() id!: string;
  @Encrypted() first?: string;
  @Encrypted({ key: 'second' }) second?: string;
}

const MARKER = 'batch-plaintext-marker-';
const secretOf = (i: number): string => `${MARKER}${i}-QmF0Y2g`;

/** What the DynamoDB client actually sent over HTTP. */
function recordBodies(client: DynamoDBClient): string[] {
  const bodies: string[] = [];
  client.middlewareStack.add(
    (next) => async (args) => {
      const body = (args.request as { body?: unknown }).body;
      if (typeof body === 'string') bodies.push(body);
      else if (body instanceof Uint8Array) {
        bodies.push(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8'));
      } else expect.fail('a request body that is neither a string nor bytes');
      return next(args);
    },
    { step: 'finalizeRequest', name: 'batchSpecBodies' },
  );
  return bodies;
}

describe('batch operations with @Encrypted fields (DynamoDB Local + LocalKms)', () => {
  let kms: LocalKms;
  let client: DynamoDBClient;
  let log: CommandLog;
  let bodies: string[];
  let db: TheoryDb;
  let keyArn: string;

  const secrets = (Secret: SecretClass, count: number) =>
    Array.from({ length: count }, (_, i) =>
      Object.assign(new Secret(), { id: `s-${i}`, token: secretOf(i), label: `L${i}` }),
    );

  before(async () => {
    kms = await sharedKms();
    keyArn = await kms.createKey({ alias: `alias/batch-${process.pid}-a` });
    await kms.createKey({ alias: `alias/batch-${process.pid}-b` });
    ({ client, log } = await recordedClient());
    bodies = recordBodies(client);
    db = new TheoryDb({
      dynamodb: client,
      kms: {
        client: kms.client({ maxAttempts: 1 }),
        keyId: `alias/batch-${process.pid}-a`,
        keys: { second: `alias/batch-${process.pid}-b` },
      },
      batchRetry: { baseDelayMs: 1, maxDelayMs: 5 },
    });
    await db.createTable(TwoKeys);
  });
  beforeEach(() => {
    log.calls.length = 0;
    bodies.length = 0;
    kms.resetCalls();
  });
  afterEach(() => kms.clearFaults());

  it('saves 1000 encrypted items with one GenerateDataKey and reads them with one Decrypt', async () => {
    const Secret = secretClass();
    await db.createTable(Secret);
    const repo = db.repository(Secret);
    const entities = secrets(Secret, 1000);
    kms.resetCalls();
    log.calls.length = 0;
    bodies.length = 0;

    await repo.batchSave(entities);
    expect(kms.calls('GenerateDataKey')).to.equal(1);
    expect(kms.calls('Decrypt')).to.equal(0);
    expect(kms.calls('DescribeKey'), '1000 concurrent first uses share one').to.be.at.most(1);
    expect(log.count('BatchWriteItemCommand')).to.equal(40);
    expect(bodies).to.have.length(40);
    const sent = bodies.join('\n');
    expect(sent).to.contain('"RequestItems"').and.to.contain('"s-999"');
    expectNoPlaintext(sent, MARKER, 'a BatchWriteItem body');
    for (const i of [0, 1, 499, 999]) expectNoPlaintext(sent, secretOf(i), 'a BatchWriteItem body');
    const stored = await scanAll(repo.metadata.table);
    expect(stored).to.have.length(1000);
    // v2: each item's encrypted value is sealed in its envelope `__td`, not stored under `token`.
    expect(
      stored.every((item) => item.__td?.B instanceof Uint8Array && item.token === undefined),
    ).to.equal(true);

    kms.resetCalls();
    const found = await repo.batchFind(entities.map(({ id }) => ({ id })));
    expect(kms.calls('Decrypt')).to.equal(1);
    expect(kms.calls('GenerateDataKey')).to.equal(0);
    expect(found.map((e) => e?.token)).to.deep.equal(entities.map((e) => e.token));

    // One scope per call, without a cache: the next batch asks for a data key of its own.
    kms.resetCalls();
    await repo.batchSave(entities.slice(0, 30));
    expect(kms.calls('GenerateDataKey')).to.equal(1);
  });

  it('asks for one data key per key of the entity, however many items', async () => {
    const repo = db.repository(TwoKeys);
    const entities = Array.from({ length: 60 }, (_, i) =>
      Object.assign(new TwoKeys(), {
        id: `t-${i}`,
        first: secretOf(i),
        second: secretOf(1000 + i),
      }),
    );
    await repo.batchSave(entities);
    expect(kms.calls('GenerateDataKey')).to.equal(2);
    kms.resetCalls();
    const found = await repo.batchFind(entities.map(({ id }) => ({ id })));
    expect(kms.calls('Decrypt')).to.equal(2);
    expect(found.map((e) => [e?.first, e?.second])).to.deep.equal(
      entities.map((e) => [e.first, e.second]),
    );
  });

  it('writes nothing when KMS fails: KMS_KEY_DISABLED and zero BatchWriteItem requests', async () => {
    const Secret = secretClass();
    await db.createTable(Secret);
    log.calls.length = 0;
    kms.failNext(1, 'DisabledException', { operation: 'GenerateDataKey' });
    try {
      await expectEncryptionError(db.repository(Secret).batchSave(secrets(Secret, 60)), {
        code: 'KMS_KEY_DISABLED',
        entity: 'Secret',
        field: 'token',
        keyArn,
        secrets: [secretOf(0), secretOf(59)],
      });
    } finally {
      kms.clearFaults();
    }
    expect(kms.calls('GenerateDataKey')).to.equal(1);
    expect(log.calls).to.deep.equal([]);
    expect(await scanAll(db.repository(Secret).metadata.table)).to.deep.equal([]);
  });

  it('checks every entity before any KMS call: a bad value at position 500 costs no data key', async () => {
    const Secret = secretClass();
    await db.createTable(Secret);
    log.calls.length = 0;
    const entities = secrets(Secret, 1000);
    (entities[500] as { token: unknown }).token = 42;
    const error = await db
      .repository(Secret)
      .batchSave(entities)
      .catch((e: unknown) => e);
    expect(error).to.be.instanceOf(ValidationError);
    expect((error as Error).message).to.match(
      /^Secret\.batchSave: entities\[500\]: Secret\.token must be/,
    );
    expect(kms.calls('GenerateDataKey')).to.equal(0);
    expect(log.calls).to.deep.equal([]);
  });

  it('fails a whole batchFind with INTEGRITY when one item of it was tampered with', async () => {
    const Secret = secretClass();
    await db.createTable(Secret);
    const repo = db.repository(Secret);
    const entities = secrets(Secret, 50);
    await repo.batchSave(entities);
    const raw = (await sharedDynamo()).client;
    const table = repo.metadata.table;
    const { Item } = await raw.send(
      new GetItemCommand({ TableName: table, Key: { id: { S: 's-17' } } }),
    );
    const tampered = Buffer.from(Item!.__td.B!);
    tampered[tampered.length - 20] ^= 0x01;
    await raw.send(
      new PutItemCommand({ TableName: table, Item: { ...Item!, __td: { B: tampered } } }),
    );

    const keys = entities.map(({ id }) => ({ id }));
    await expectEncryptionError(repo.batchFind(keys), {
      code: 'INTEGRITY',
      entity: 'Secret',
      field: 'token',
      secrets: entities.map((e) => e.token ?? ''),
    });
    const others = await repo.batchFind(keys.filter(({ id }) => id !== 's-17'));
    expect(others.every((e) => e?.token?.startsWith(MARKER))).to.equal(true);
  });

  it('refuses every batch operation with ENCRYPTION_NOT_CONFIGURED before sending anything', async () => {
    const Secret = secretClass();
    await db.createTable(Secret);
    const unkeyed = new TheoryDb({ dynamodb: client }).repository(Secret);
    log.calls.length = 0;
    const expected = {
      code: 'ENCRYPTION_NOT_CONFIGURED' as const,
      entity: 'Secret',
      field: 'token',
    };
    await expectEncryptionError(unkeyed.batchSave(secrets(Secret, 3)), expected);
    await expectEncryptionError(unkeyed.batchFind([{ id: 's-0' }]), expected);
    await expectEncryptionError(unkeyed.batchDelete([{ id: 's-0' }]), expected);
    await expectEncryptionError(unkeyed.batchFind([]), expected);
    expect(log.calls).to.deep.equal([]);
    expect(kms.calls()).to.equal(0);
  });
});
