import { expect } from 'chai';
import {
  type AttributeValue,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import {
  Attribute,
  ConditionFailedError,
  CreatedAt,
  Entity,
  NotFoundError,
  PartitionKey,
  SortKey,
  TheoryDb,
  TheoryDbError,
  Ttl,
  UpdatedAt,
  ValidationError,
  Version,
  VersionConflictError,
} from '../../src';
import { sharedDynamo, uniqueTable } from '../support/stack';

@Entity({ table: uniqueTable('crud-accounts'), name: 'Account' })
class AccountRecord {
  @PartitionKey({ name: 'PK' }) tenant!: string;
  @SortKey({ name: 'SK' }) id!: string;
  @Attribute({ name: 'display_name' }) name?: string;
  @Attribute() balance?: number;
  @Attribute({ name: 'status', type: String }) state?: 'open' | 'closed';
  @Version({ name: 'ver' }) version?: number;
  @CreatedAt({ name: 'created' }) createdAt?: Date;
  @UpdatedAt() updatedAt?: Date;
  @Ttl({ name: 'ttl' }) expiresAt?: Date;
}

/** Lifecycle properties of other types, and reserved words as attribute names. */
@Entity({ table: uniqueTable('crud-events') })
class EventRecord {
  @PartitionKey({ name: 'name' }) key!: string;
  @Version({ name: 'data' }) version?: number;
  @CreatedAt({ name: 'size' }) createdAt?: number;
  @UpdatedAt({ type: String }) updatedAt?: string;
  @Ttl() expiresAt?: number;
}

/** Keys of the non-string types. */
@Entity({ table: uniqueTable('crud-typed-keys') })
class TypedKeys {
  @PartitionKey() shard!: bigint;
  @SortKey() day!: Date;
  @Attribute() note?: string;
}

@Entity({ table: uniqueTable('crud-binary-keys') })
class BinaryKey {
  @PartitionKey() hash!: Uint8Array;
  @Attribute() n?: number;
}

abstract class Audited {
  @PartitionKey() id!: string;
  @Attribute({ name: 'by' }) changedBy?: string;
  @Version() version?: number;
  @UpdatedAt() updatedAt?: Date;
}

@Entity({ table: uniqueTable('crud-documents') })
class DocumentRecord extends Audited {
  @Attribute() title!: string;
}

const T0 = new Date('2026-01-02T03:04:05.678Z');
const T1 = new Date('2026-02-03T04:05:06.789Z');
const T2 = new Date('2026-03-04T05:06:07.890Z');

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  expect.fail('expected the operation to fail');
}

describe('Repository CRUD semantics (DynamoDB Local)', () => {
  let client: DynamoDBClient;
  let db: TheoryDb;
  let clock: Date;

  before(async () => {
    client = (await sharedDynamo()).client;
    clock = T0;
    db = new TheoryDb({ dynamodb: client, now: () => clock });
    await Promise.all(
      [AccountRecord, EventRecord, TypedKeys, BinaryKey, DocumentRecord].map((c) =>
        db.createTable(c),
      ),
    );
  });

  beforeEach(() => {
    clock = T0;
  });

  const account = (id: string, values: Partial<AccountRecord> = {}): AccountRecord =>
    Object.assign(new AccountRecord(), { tenant: 't1', id, name: 'Ada', balance: 10, ...values });

  async function rawItem(
    table: string,
    key: Record<string, AttributeValue>,
  ): Promise<Record<string, AttributeValue> | undefined> {
    const output = await client.send(
      new GetItemCommand({ TableName: table, Key: key, ConsistentRead: true }),
    );
    return output.Item;
  }

  const accountItem = (id: string) =>
    rawItem(db.repository(AccountRecord).metadata.table, { PK: { S: 't1' }, SK: { S: id } });

  describe('save, find, get and delete', () => {
    it('saves with every attribute name override applied and returns the same instance', async () => {
      const repo = db.repository(AccountRecord);
      const entity = account('names', {
        state: 'open',
        expiresAt: new Date('2030-01-01T00:00:00.999Z'),
      });
      expect(await repo.save(entity)).to.equal(entity);
      expect(await accountItem('names')).to.deep.equal({
        PK: { S: 't1' },
        SK: { S: 'names' },
        display_name: { S: 'Ada' },
        balance: { N: '10' },
        status: { S: 'open' },
        ver: { N: '1' },
        created: { S: T0.toISOString() },
        updatedAt: { S: T0.toISOString() },
        ttl: { N: String(Date.UTC(2030, 0, 1) / 1000) },
      });
    });

    it('finds a real instance with every property restored', async () => {
      const repo = db.repository(AccountRecord);
      await repo.save(account('found', { state: 'closed' }));
      const found = await repo.find({ tenant: 't1', id: 'found' }, { consistent: true });
      expect(found).to.be.instanceOf(AccountRecord);
      expect(found).to.deep.equal(
        Object.assign(new AccountRecord(), {
          tenant: 't1',
          id: 'found',
          name: 'Ada',
          balance: 10,
          state: 'closed',
          version: 1,
          createdAt: T0,
          updatedAt: T0,
        }),
      );
      expect(found!.createdAt).to.be.instanceOf(Date);
    });

    it('find resolves undefined and get fails with NOT_FOUND for a missing item', async () => {
      const repo = db.repository(AccountRecord);
      expect(await repo.find({ tenant: 't1', id: 'nobody' })).to.equal(undefined);
      const error = await rejection(repo.get({ tenant: 't1', id: 'nobody' }));
      expect(error).to.be.instanceOf(NotFoundError);
      expect(error).to.be.instanceOf(TheoryDbError);
      const notFound = error as NotFoundError;
      expect(notFound.code).to.equal('NOT_FOUND');
      expect(notFound.name).to.equal('NotFoundError');
      expect(notFound.entity).to.equal('Account');
      expect(notFound.message).to.equal('AccountRecord: no item with this key');
    });

    it('deletes an item; deleting an absent item succeeds', async () => {
      const repo = db.repository(AccountRecord);
      await repo.save(account('doomed'));
      expect(await accountItem('doomed')).to.not.equal(undefined);
      await repo.delete({ tenant: 't1', id: 'doomed' });
      expect(await accountItem('doomed')).to.equal(undefined);
      expect(await repo.find({ tenant: 't1', id: 'doomed' })).to.equal(undefined);
      await repo.delete({ tenant: 't1', id: 'doomed' });
      expect(await accountItem('doomed')).to.equal(undefined);
    });

    it('round-trips bigint, Date and binary keys', async () => {
      const typed = db.repository(TypedKeys);
      const day = new Date('2026-05-06T07:08:09.010Z');
      const shard = 2n ** 80n;
      await typed.save(Object.assign(new TypedKeys(), { shard, day, note: 'n' }));
      const found = await typed.get({ shard, day }, { consistent: true });
      expect(found.shard).to.equal(shard);
      expect(found.day).to.be.instanceOf(Date);
      expect(found.day.getTime()).to.equal(day.getTime());
      expect(
        await rawItem(typed.metadata.table, {
          shard: { N: shard.toString() },
          day: { S: day.toISOString() },
        }),
      ).to.deep.equal({
        shard: { N: shard.toString() },
        day: { S: day.toISOString() },
        note: { S: 'n' },
      });
      expect(await typed.find({ shard, day: new Date(day.getTime() + 1) })).to.equal(undefined);

      const binary = db.repository(BinaryKey);
      await binary.save(Object.assign(new BinaryKey(), { hash: new Uint8Array([1, 2, 3]), n: 1 }));
      const byBytes = await binary.get({ hash: new Uint8Array([1, 2, 3]) }, { consistent: true });
      expect(byBytes.n).to.equal(1);
      expect(Object.getPrototypeOf(byBytes.hash)).to.equal(Uint8Array.prototype);
      expect(await binary.find({ hash: Buffer.from([1, 2, 3]) })).to.deep.equal(byBytes);
      expect(await binary.find({ hash: new Uint8Array([1, 2]) })).to.equal(undefined);
    });
  });

  describe('conditions', () => {
    it('ifNotExists refuses an existing item with CONDITION_FAILED and keeps the stored one', async () => {
      const repo = db.repository(AccountRecord);
      await repo.save(account('once'), { ifNotExists: true });
      const second = account('once', { name: 'Grace' });
      const error = await rejection(repo.save(second, { ifNotExists: true }));
      expect(error).to.be.instanceOf(ConditionFailedError);
      const failed = error as ConditionFailedError;
      expect(failed.code).to.equal('CONDITION_FAILED');
      expect(failed.entity).to.equal('Account');
      expect(failed.message).to.equal(
        `save on ${repo.metadata.table} (Account): the condition was not met`,
      );
      expect((failed.cause as Error).name).to.equal('ConditionalCheckFailedException');
      // A failed save leaves the instance as it was: no version, no timestamps.
      expect(second.version).to.equal(undefined);
      expect(second.createdAt).to.equal(undefined);
      expect(second.updatedAt).to.equal(undefined);
      expect((await accountItem('once'))?.display_name).to.deep.equal({ S: 'Ada' });
    });

    it('ifExists deletes an existing item and refuses a missing one with CONDITION_FAILED', async () => {
      const repo = db.repository(AccountRecord);
      await repo.save(account('present'));
      await repo.delete({ tenant: 't1', id: 'present' }, { ifExists: true });
      expect(await accountItem('present')).to.equal(undefined);
      const error = await rejection(
        repo.delete({ tenant: 't1', id: 'present' }, { ifExists: true }),
      );
      expect(error).to.be.instanceOf(ConditionFailedError);
      expect((error as ConditionFailedError).code).to.equal('CONDITION_FAILED');
      expect((error as ConditionFailedError).message).to.equal(
        `delete on ${repo.metadata.table} (Account): the condition was not met`,
      );
    });

    it('works with reserved words as key, version and timestamp attribute names', async () => {
      const repo = db.repository(EventRecord);
      const event = Object.assign(new EventRecord(), { key: 'e1' });
      await repo.save(event, { ifNotExists: true });
      await repo.save(event);
      expect(event.version).to.equal(2);
      await repo.delete({ key: 'e1' }, { ifExists: true });
      expect(await repo.find({ key: 'e1' })).to.equal(undefined);
    });
  });

  describe('lifecycle with an injected clock', () => {
    it('sets createdAt on the first save only and updatedAt on every save', async () => {
      const repo = db.repository(AccountRecord);
      const entity = account('clock');
      await repo.save(entity);
      expect(entity.version).to.equal(1);
      expect(entity.createdAt).to.equal(T0);
      expect(entity.updatedAt).to.equal(T0);

      clock = T1;
      entity.balance = 20;
      await repo.save(entity);
      expect(entity.version).to.equal(2);
      expect(entity.createdAt).to.equal(T0);
      expect(entity.updatedAt).to.equal(T1);

      clock = T2;
      const loaded = await repo.get({ tenant: 't1', id: 'clock' }, { consistent: true });
      expect(loaded.createdAt?.getTime()).to.equal(T0.getTime());
      expect(loaded.updatedAt?.getTime()).to.equal(T1.getTime());
      await repo.save(loaded);
      const item = await accountItem('clock');
      expect(item?.created).to.deep.equal({ S: T0.toISOString() });
      expect(item?.updatedAt).to.deep.equal({ S: T2.toISOString() });
      expect(item?.ver).to.deep.equal({ N: '3' });
      expect(item?.balance).to.deep.equal({ N: '20' });
    });

    it('keeps a createdAt the caller set', async () => {
      const repo = db.repository(AccountRecord);
      const preset = new Date('2000-01-01T00:00:00.000Z');
      const entity = account('preset', { createdAt: preset });
      await repo.save(entity);
      expect(entity.createdAt).to.equal(preset);
      expect((await accountItem('preset'))?.created).to.deep.equal({ S: preset.toISOString() });
    });

    it('writes number and string timestamps in the declared type, and a number TTL as given', async () => {
      const repo = db.repository(EventRecord);
      const event = Object.assign(new EventRecord(), { key: 'typed', expiresAt: 1_900_000_000 });
      await repo.save(event);
      expect(event.createdAt).to.equal(T0.getTime());
      expect(event.updatedAt).to.equal(T0.toISOString());
      clock = T1;
      await repo.save(event);
      expect(event.createdAt).to.equal(T0.getTime());
      expect(event.updatedAt).to.equal(T1.toISOString());
      expect(await rawItem(repo.metadata.table, { name: { S: 'typed' } })).to.deep.equal({
        name: { S: 'typed' },
        data: { N: '2' },
        size: { N: String(T0.getTime()) },
        updatedAt: { S: T1.toISOString() },
        expiresAt: { N: '1900000000' },
      });
      const loaded = await repo.get({ key: 'typed' }, { consistent: true });
      expect(loaded.createdAt).to.equal(T0.getTime());
      expect(loaded.updatedAt).to.equal(T1.toISOString());
      expect(loaded.expiresAt).to.equal(1_900_000_000);
    });

    it('stores a Date TTL as epoch seconds (N) and loads it without milliseconds', async () => {
      const repo = db.repository(AccountRecord);
      const expiresAt = new Date('2031-07-08T09:10:11.999Z');
      await repo.save(account('ttl', { expiresAt }));
      const item = await accountItem('ttl');
      expect(item?.ttl).to.deep.equal({ N: String(Math.floor(expiresAt.getTime() / 1000)) });
      const loaded = await repo.get({ tenant: 't1', id: 'ttl' }, { consistent: true });
      expect(loaded.expiresAt).to.be.instanceOf(Date);
      expect(loaded.expiresAt?.toISOString()).to.equal('2031-07-08T09:10:11.000Z');
    });

    it('leaves the instance unchanged when a save fails', async () => {
      const repo = db.repository(AccountRecord);
      await repo.save(account('stale'));
      const stale = await repo.get({ tenant: 't1', id: 'stale' }, { consistent: true });
      const winner = await repo.get({ tenant: 't1', id: 'stale' }, { consistent: true });
      clock = T1;
      await repo.save(winner);
      clock = T2;
      stale.name = 'loser';
      const error = await rejection(repo.save(stale));
      expect(error).to.be.instanceOf(VersionConflictError);
      expect(stale.version).to.equal(1);
      expect(stale.updatedAt?.getTime()).to.equal(T0.getTime());
      expect(stale.createdAt?.getTime()).to.equal(T0.getTime());
      expect(stale.name).to.equal('loser');
      expect((await accountItem('stale'))?.display_name).to.deep.equal({ S: 'Ada' });
    });
  });

  describe('validation before any request', () => {
    let count: number;
    let countingDb: TheoryDb;

    before(async () => {
      const counted = (await sharedDynamo()).newClient({ maxAttempts: 1 });
      counted.middlewareStack.add(
        (next) => async (args) => {
          count += 1;
          return next(args);
        },
        { step: 'initialize', name: 'count' },
      );
      countingDb = new TheoryDb({ dynamodb: counted, now: () => clock });
    });

    beforeEach(() => {
      count = 0;
    });

    async function expectValidation(
      operation: Promise<unknown>,
      message: string,
      property?: string,
      entity: string | undefined = 'AccountRecord',
    ): Promise<void> {
      const error = await rejection(operation);
      expect(error).to.be.instanceOf(ValidationError);
      expect(error).to.be.instanceOf(TheoryDbError);
      const validation = error as ValidationError;
      expect(validation.code).to.equal('VALIDATION');
      expect(validation.message).to.equal(message);
      expect(validation.entity).to.equal(entity);
      expect(validation.property).to.equal(property);
      expect(count, 'DynamoDB requests sent').to.equal(0);
    }

    it('counts the requests it does send', async () => {
      const repo = countingDb.repository(AccountRecord);
      await repo.save(account('counted'));
      await repo.find({ tenant: 't1', id: 'counted' });
      expect(count).to.equal(2);
    });

    it('refuses to save something that is not an instance of the entity class', async () => {
      const repo = countingDb.repository(AccountRecord);
      const plain = { tenant: 't1', id: 'plain', name: 'x' } as AccountRecord;
      await expectValidation(
        repo.save(plain),
        'AccountRecord.save expects an instance of AccountRecord',
      );
      await expectValidation(
        repo.save(null as unknown as AccountRecord),
        'AccountRecord.save expects an instance of AccountRecord',
      );
    });

    it('refuses values of the wrong type, naming the property and never the value', async () => {
      const repo = countingDb.repository(AccountRecord);
      const cases: [Partial<Record<keyof AccountRecord, unknown>>, string, string][] = [
        [{ name: 42 }, 'name', 'AccountRecord.name must be a string, got number'],
        [{ balance: '10' }, 'balance', 'AccountRecord.balance must be a finite number, got string'],
        [
          { balance: Number.NaN },
          'balance',
          'AccountRecord.balance must be a finite number, got number',
        ],
        [
          { balance: Infinity },
          'balance',
          'AccountRecord.balance must be a finite number, got number',
        ],
        [{ state: ['open'] }, 'state', 'AccountRecord.state must be a string, got Array'],
        [
          { expiresAt: new Date(Number.NaN) },
          'expiresAt',
          'AccountRecord.expiresAt must be a valid Date, got Date',
        ],
        [
          { createdAt: '2026-01-01' },
          'createdAt',
          'AccountRecord.createdAt must be a valid Date, got string',
        ],
      ];
      for (const [values, property, message] of cases) {
        const entity = account('typed', values as Partial<AccountRecord>);
        await expectValidation(repo.save(entity), message, property);
        expect(message).to.not.include(String(values[property as keyof AccountRecord]));
      }
    });

    it('refuses a version that is not unset or a positive integer', async () => {
      const repo = countingDb.repository(AccountRecord);
      for (const version of [0, -1, 1.5, '2', Number.NaN]) {
        await expectValidation(
          repo.save(account('versioned', { version: version as number })),
          'AccountRecord.version must be unset (a new entity) or a positive integer (a loaded one)',
          'version',
        );
      }
    });

    it('refuses empty, missing and null keys on save', async () => {
      const repo = countingDb.repository(AccountRecord);
      await expectValidation(
        repo.save(account('')),
        'AccountRecord.id is a key property and must not be empty',
        'id',
      );
      await expectValidation(
        repo.save(account('x', { tenant: '' })),
        'AccountRecord.tenant is a key property and must not be empty',
        'tenant',
      );
      await expectValidation(
        repo.save(account('x', { tenant: undefined })),
        'AccountRecord.tenant is a key property and must be set',
        'tenant',
      );
      await expectValidation(
        repo.save(account('x', { id: null as unknown as string })),
        'AccountRecord.id is a key property and must be set',
        'id',
      );
      const binary = countingDb.repository(BinaryKey);
      await expectValidation(
        binary.save(Object.assign(new BinaryKey(), { hash: new Uint8Array(0) })),
        'BinaryKey.hash is a key property and must not be empty',
        'hash',
        'BinaryKey',
      );
    });

    it('refuses empty, mistyped and malformed keys on find, get and delete', async () => {
      const repo = countingDb.repository(AccountRecord);
      const emptyId = 'AccountRecord.id is a key property and must not be empty';
      await expectValidation(repo.find({ tenant: 't1', id: '' }), emptyId, 'id');
      await expectValidation(repo.get({ tenant: 't1', id: '' }), emptyId, 'id');
      await expectValidation(repo.delete({ tenant: 't1', id: '' }), emptyId, 'id');
      await expectValidation(
        repo.find({ tenant: 't1', id: 7 as unknown as string }),
        'AccountRecord.id must be a string, got number',
        'id',
      );
      await expectValidation(
        repo.delete({ tenant: 't1' }),
        'AccountRecord.id is a key property and must be set',
        'id',
      );
      await expectValidation(
        repo.find('t1' as never),
        'AccountRecord: a key must be an object of the key properties (tenant, id), got string',
      );
      await expectValidation(
        repo.get({ tenant: 't1', id: 'a', name: 'Ada' }),
        "AccountRecord: 'name' is not a key property; a key has tenant, id",
        'name',
      );
      await expectValidation(
        countingDb.repository(BinaryKey).find({ hash: new Uint8Array(0) }),
        'BinaryKey.hash is a key property and must not be empty',
        'hash',
        'BinaryKey',
      );
    });

    it('saves nothing when validation fails (the stored item is untouched)', async () => {
      const repo = countingDb.repository(AccountRecord);
      await repo.save(account('untouched'));
      count = 0;
      await expectValidation(
        repo.save(account('untouched', { name: 5 as unknown as string, version: 1 })),
        'AccountRecord.name must be a string, got number',
        'name',
      );
      expect((await accountItem('untouched'))?.display_name).to.deep.equal({ S: 'Ada' });
    });
  });

  it('saves and loads a subclass entity with the properties its base class declared', async () => {
    const repo = db.repository(DocumentRecord);
    const doc = Object.assign(new DocumentRecord(), { id: 'd1', changedBy: 'ann', title: 'Spec' });
    await repo.save(doc);
    expect(doc.version).to.equal(1);
    const loaded = await repo.get({ id: 'd1' }, { consistent: true });
    expect(loaded).to.be.instanceOf(DocumentRecord);
    expect(loaded).to.deep.equal(
      Object.assign(new DocumentRecord(), {
        id: 'd1',
        changedBy: 'ann',
        title: 'Spec',
        version: 1,
        updatedAt: T0,
      }),
    );
    expect(await rawItem(repo.metadata.table, { id: { S: 'd1' } })).to.deep.equal({
      id: { S: 'd1' },
      by: { S: 'ann' },
      title: { S: 'Spec' },
      version: { N: '1' },
      updatedAt: { S: T0.toISOString() },
    });
  });

  it('loads an item written by another writer, with absent attributes left undefined', async () => {
    const repo = db.repository(AccountRecord);
    await client.send(
      new PutItemCommand({
        TableName: repo.metadata.table,
        Item: { PK: { S: 't1' }, SK: { S: 'external' }, balance: { N: '-0.5' } },
      }),
    );
    const loaded = await repo.get({ tenant: 't1', id: 'external' }, { consistent: true });
    expect(loaded).to.be.instanceOf(AccountRecord);
    expect(Object.keys(loaded).sort()).to.deep.equal(['balance', 'id', 'tenant']);
    expect(loaded.balance).to.equal(-0.5);
    expect(loaded.version).to.equal(undefined);
  });
});
