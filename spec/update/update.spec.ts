import { expect } from 'chai';
import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import {
  Attribute,
  ConditionFailedError,
  CreatedAt,
  Encrypted,
  EncryptionError,
  Entity,
  PartitionKey,
  SortKey,
  type Repository,
  TheoryDb,
  type UpdateOptions,
  UpdatedAt,
  ValidationError,
  Version,
  VersionConflictError,
} from '../../src';
import type { LocalKms } from '../../src/testing/local-kms';
import { recordingDynamo, type DynamoRecorder } from '../support/dynamo-recorder';
import { sharedKms, uniqueTable } from '../support/stack';

@Entity({ table: uniqueTable('upd-profiles'), name: 'Profile' })
class Profile {
  @PartitionKey() id!: string;
  @SortKey() kind!: string;
  @Attribute() name?: string; // reserved words: name, status, data
  @Attribute() status?: string;
  @Attribute({ type: Object }) data?: Record<string, unknown>;
  @Attribute() visits?: number;
  @Attribute() big?: bigint;
  @Attribute({ type: Set, items: String }) tags?: Set<string>;
  @Attribute({ type: Array, items: String }) history?: string[];
  @Attribute() nickname?: string;
  @Encrypted() ssn?: string;
  @Encrypted() pin?: number;
  @Encrypted() codes?: string[];
  @Version() version?: number;
  @CreatedAt() createdAt?: Date;
  @UpdatedAt() updatedAt?: Date;
}

@Entity({ table: uniqueTable('upd-counters') })
class Counter {
  @PartitionKey() id!: string;
  @Attribute() hits?: number;
  @UpdatedAt({ dateFormat: 'epochMs' }) touched?: Date;
}

const SSN = '078-05-1120';

type Equal<A, B> =
  (<X>() => X extends A ? 1 : 2) extends <X>() => X extends B ? 1 : 2 ? true : false;

// Compile-time checks of the typed API (never run: `tsc` is the test).
export function updateTypeChecks(repo: Repository<Profile>, options: UpdateOptions<Profile>) {
  const k = { id: 'x', kind: 'main' };
  const entity = repo.update(
    k,
    { set: { status: 'a' } },
    { condition: (c) => c.eq('status', 'b') },
  );
  const nothing = repo.update(k, { add: { visits: 1 } }, { returnValues: 'none' });
  const either = repo.update(k, { remove: ['status'] }, options);
  const checks: [
    Equal<typeof entity, Promise<Profile>>,
    Equal<typeof nothing, Promise<undefined>>,
    Equal<typeof either, Promise<Profile | undefined>>,
  ] = [true, true, true];
  // @ts-expect-error add works on numbers and sets only
  void repo.update(k, { add: { name: 'x' } });
  // @ts-expect-error append works on arrays only
  void repo.update(k, { append: { visits: [1] } });
  // @ts-expect-error set values have the property's type
  void repo.update(k, { set: { visits: 'many' } });
  // @ts-expect-error unknown properties are refused
  void repo.update(k, { remove: ['nope'] });
  return { checks, results: [entity, nothing, either] };
}

describe('Repository.update (DynamoDB Local + LocalKms)', () => {
  let kms: LocalKms;
  let keyArn: string;
  let clock: Date;
  let recorder: DynamoRecorder;
  let db: TheoryDb;

  const profile = (id: string, fields: Partial<Profile> = {}) =>
    Object.assign(new Profile(), {
      id,
      kind: 'main',
      name: 'Ada',
      status: 'new',
      data: { a: 1 },
      visits: 1,
      tags: new Set(['x']),
      history: ['created'],
      ssn: SSN,
      ...fields,
    });
  const key = (id: string) => ({ id, kind: 'main' });
  const rawItem = async (id: string) =>
    (
      await recorder.client.send(
        new GetItemCommand({
          TableName: db.repository(Profile).metadata.table,
          Key: { id: { S: id }, kind: { S: 'main' } },
        }),
      )
    ).Item!;

  before(async () => {
    kms = await sharedKms();
    keyArn = await kms.createKey({ alias: `alias/upd-${process.pid}` });
    clock = new Date('2026-05-06T07:08:09.000Z');
    recorder = await recordingDynamo();
    db = new TheoryDb({
      dynamodb: recorder.client,
      kms: { client: kms.client(), keyId: keyArn },
      now: () => clock,
    });
    await Promise.all([db.createTable(Profile), db.createTable(Counter)]);
  });

  beforeEach(() => recorder.clear());
  afterEach(() => kms.clearFaults());

  it('sets reserved-word attributes through placeholders in ONE UpdateItem and returns the decrypted entity', async () => {
    const repo = db.repository(Profile);
    await repo.save(profile('p-set'));
    recorder.clear();
    const updated = await repo.update(key('p-set'), {
      set: {
        name: 'Grace',
        status: 'active',
        data: { b: [1, 2] },
        nickname: null as unknown as string,
      },
    });
    expect(recorder.names()).to.deep.equal(['UpdateItemCommand']);
    const input = recorder.commands[0].input as {
      UpdateExpression: string;
      ConditionExpression: string;
      ExpressionAttributeNames: Record<string, string>;
      ReturnValues: string;
    };
    expect(input.ReturnValues).to.equal('ALL_NEW');
    for (const expression of [input.UpdateExpression, input.ConditionExpression]) {
      expect(expression).to.not.match(/\b(name|status|data|version|updatedAt|id)\b/);
    }
    expect(Object.values(input.ExpressionAttributeNames)).to.include.members([
      'name',
      'status',
      'data',
    ]);
    expect(updated).to.be.instanceOf(Profile);
    expect(updated.name).to.equal('Grace');
    expect(updated.status).to.equal('active');
    expect(updated.data).to.deep.equal({ b: [1, 2] });
    expect(updated.nickname).to.equal(null);
    expect(updated.ssn).to.equal(SSN); // untouched, and decrypted in the ALL_NEW result
    expect(updated.visits).to.equal(1);
  });

  it('removes attributes, encrypted ones included, and removes a set given as an empty Set', async () => {
    const repo = db.repository(Profile);
    await repo.save(profile('p-rm', { pin: 1234 }));
    const updated = await repo.update(key('p-rm'), {
      remove: ['status', 'ssn', 'pin'],
      set: { tags: new Set() },
    });
    expect(updated.status).to.equal(undefined);
    expect(updated.ssn).to.equal(undefined);
    expect(updated.pin).to.equal(undefined);
    expect(updated.tags).to.equal(undefined);
    const raw = await rawItem('p-rm');
    expect(Object.keys(raw)).to.not.include.members(['status', 'ssn', 'pin', 'tags']);
    expect(raw.name).to.deep.equal({ S: 'Ada' });
  });

  it('adds to numbers, bigints and sets, and appends to lists (creating a missing list)', async () => {
    const repo = db.repository(Profile);
    await repo.save(profile('p-add', { history: undefined, big: 10n ** 30n }));
    const first = await repo.update(key('p-add'), {
      add: { visits: 41, big: 1n, tags: new Set(['y', 'z']) },
      append: { history: ['one'] },
    });
    expect(first.visits).to.equal(42);
    expect(first.big).to.equal(10n ** 30n + 1n);
    expect([...(first.tags ?? [])].sort()).to.deep.equal(['x', 'y', 'z']);
    expect(first.history).to.deep.equal(['one']);
    const second = await repo.update(key('p-add'), {
      add: { visits: -2 },
      append: { history: ['two', 'three'] },
    });
    expect(second.visits).to.equal(40);
    expect(second.history).to.deep.equal(['one', 'two', 'three']);
    expect(second.tags).to.deep.equal(first.tags);
  });

  it('maintains @UpdatedAt and @Version, and checks expectedVersion (VERSION_CONFLICT)', async () => {
    const repo = db.repository(Profile);
    clock = new Date('2026-05-06T00:00:00.000Z');
    await repo.save(profile('p-ver'));
    clock = new Date('2026-05-07T00:00:00.000Z');
    const updated = await repo.update(key('p-ver'), { set: { status: 'x' } });
    expect(updated.version).to.equal(2);
    expect(updated.updatedAt?.toISOString()).to.equal('2026-05-07T00:00:00.000Z');
    expect(updated.createdAt?.toISOString()).to.equal('2026-05-06T00:00:00.000Z');

    const checked = await repo.update(
      key('p-ver'),
      { set: { status: 'y' } },
      { expectedVersion: 2 },
    );
    expect(checked.version).to.equal(3);
    const stale = await repo
      .update(key('p-ver'), { set: { status: 'stale' } }, { expectedVersion: 2 })
      .catch((e: unknown) => e);
    expect(stale).to.be.instanceOf(VersionConflictError);
    expect((stale as VersionConflictError).expectedVersion).to.equal(2);
    expect((await repo.get(key('p-ver'))).status).to.equal('y');

    // A loaded copy saved after an update is stale: the update moved the version on.
    const loaded = await repo.get(key('p-ver'));
    await repo.update(key('p-ver'), { add: { visits: 1 } });
    const conflict = await repo.save(loaded).catch((e: unknown) => e);
    expect(conflict).to.be.instanceOf(VersionConflictError);
  });

  it('keeps @UpdatedAt in its declared format and works without @Version', async () => {
    const repo = db.repository(Counter);
    await repo.save(Object.assign(new Counter(), { id: 'c1', hits: 0 }));
    clock = new Date('2026-06-01T00:00:00.000Z');
    const updated = await repo.update({ id: 'c1' }, { add: { hits: 5 } });
    expect(updated.hits).to.equal(5);
    expect(updated.touched?.toISOString()).to.equal('2026-06-01T00:00:00.000Z');
    const raw = await recorder.client.send(
      new GetItemCommand({ TableName: repo.metadata.table, Key: { id: { S: 'c1' } } }),
    );
    expect(raw.Item?.touched).to.deep.equal({ N: String(clock.getTime()) });
    expect(raw.Item?.version).to.equal(undefined);
    const noVersion = await repo
      .update({ id: 'c1' }, { add: { hits: 1 } }, { expectedVersion: 1 })
      .catch((e: unknown) => e);
    expect((noVersion as ValidationError).message).to.match(/expectedVersion needs a @Version/);
  });

  it('honours a condition (CONDITION_FAILED), tells it from a version conflict, and never creates an item', async () => {
    const repo = db.repository(Profile);
    await repo.save(profile('p-cond'));
    const ok = await repo.update(
      key('p-cond'),
      { set: { status: 'open' } },
      { condition: (c) => c.eq('status', 'new') },
    );
    expect(ok.status).to.equal('open');
    const failed = await repo
      .update(
        key('p-cond'),
        { set: { status: 'closed' } },
        { condition: (c) => c.eq('status', 'new') },
      )
      .catch((e: unknown) => e);
    expect(failed).to.be.instanceOf(ConditionFailedError);
    // The version is right and the condition wrong: a failed condition, not a conflict.
    const both = await repo
      .update(
        key('p-cond'),
        { set: { status: 'closed' } },
        { expectedVersion: 2, condition: (c) => c.eq('status', 'new') },
      )
      .catch((e: unknown) => e);
    expect(both).to.be.instanceOf(ConditionFailedError);
    expect((both as Error & { cause: object }).cause).to.not.have.property('Item');
    expect((await repo.get(key('p-cond'))).status).to.equal('open');

    const absent = await repo
      .update(key('p-nobody'), { set: { status: 'x' } })
      .catch((e: unknown) => e);
    expect(absent).to.be.instanceOf(ConditionFailedError);
    const absentVersioned = await repo
      .update(key('p-nobody'), { set: { status: 'x' } }, { expectedVersion: 1 })
      .catch((e: unknown) => e);
    expect(absentVersioned).to.be.instanceOf(VersionConflictError);
    expect(await repo.find(key('p-nobody'))).to.equal(undefined);
  });

  it("returns undefined with returnValues: 'none'", async () => {
    const repo = db.repository(Profile);
    await repo.save(profile('p-none'));
    recorder.clear();
    const result: undefined = await repo.update(
      key('p-none'),
      { set: { status: 'quiet' } },
      { returnValues: 'none' },
    );
    expect(result).to.equal(undefined);
    expect((recorder.commands[0].input as { ReturnValues: string }).ReturnValues).to.equal('NONE');
    expect((await repo.get(key('p-none'))).status).to.equal('quiet');
  });

  it('encrypts a set of an encrypted field for the target item: find decrypts it, nothing in clear is sent', async () => {
    const repo = db.repository(Profile);
    await repo.save(profile('p-enc', { ssn: undefined }));
    recorder.clear();
    const updated = await repo.update(key('p-enc'), {
      set: { ssn: '999-88-7777', pin: 4321, codes: ['a', 'b'] },
    });
    expect(updated.ssn).to.equal('999-88-7777');
    // v2: a re-sealing update reads the item consistently, then writes the new envelope on the
    // condition that the stored one is still the one it read.
    expect(recorder.names()).to.deep.equal(['GetItemCommand', 'UpdateItemCommand']);
    expect((recorder.commands[0].input as { ConsistentRead?: boolean }).ConsistentRead).to.equal(
      true,
    );
    const write = recorder.commands[1].input as {
      ConditionExpression?: string;
      ExpressionAttributeNames?: Record<string, string>;
    };
    expect(write.ConditionExpression).to.be.a('string');
    expect(Object.values(write.ExpressionAttributeNames ?? {})).to.include('__td');
    expect(recorder.bodies()).to.not.include('999-88-7777');
    expect(recorder.bodies()).to.not.include('4321');
    const found = await repo.get(key('p-enc'));
    expect(found.ssn).to.equal('999-88-7777');
    expect(found.pin).to.equal(4321);
    expect(found.codes).to.deep.equal(['a', 'b']);
    const raw = await rawItem('p-enc');
    // v2: the values are sealed in the item's envelope `__td`, not under their own names.
    expect(raw.ssn).to.equal(undefined);
    expect(raw.__td.B).to.be.instanceOf(Uint8Array);
    expect(Buffer.from(raw.__td.B!).toString('latin1')).to.not.include('999-88-7777');

    // The envelope moved to another item does not decrypt there.
    await repo.save(profile('p-other'));
    const other = await rawItem('p-other');
    await recorder.client.send(
      new PutItemCommand({ TableName: repo.metadata.table, Item: { ...other, __td: raw.__td } }),
    );
    const moved = await repo.find(key('p-other')).catch((e: unknown) => e);
    expect(moved).to.be.instanceOf(EncryptionError);
    expect((moved as EncryptionError).code).to.equal('INTEGRITY');
    // ... nor under an encrypted field's name of the same item (v2 has no per-field envelope).
    const { __td: envelope, ...rest } = raw;
    await recorder.client.send(
      new PutItemCommand({ TableName: repo.metadata.table, Item: { ...rest, codes: envelope } }),
    );
    const swapped = await repo.find(key('p-enc')).catch((e: unknown) => e);
    expect(swapped).to.be.instanceOf(EncryptionError);
    expect((swapped as EncryptionError).code).to.equal('PLAINTEXT_IN_ENCRYPTED_FIELD');
  });

  it('fails closed when the ALL_NEW item does not decrypt', async () => {
    const repo = db.repository(Profile);
    await repo.save(profile('p-bad'));
    const raw = await rawItem('p-bad');
    await recorder.client.send(
      new PutItemCommand({
        TableName: repo.metadata.table,
        Item: { ...raw, ssn: { S: 'plain!' } },
      }),
    );
    const error = await repo
      .update(key('p-bad'), { set: { status: 'x' } })
      .catch((e: unknown) => e);
    expect((error as EncryptionError).code).to.equal('PLAINTEXT_IN_ENCRYPTED_FIELD');
  });

  it('refuses add and append on encrypted fields (ENCRYPTED_FIELD_NOT_QUERYABLE) with nothing sent', async () => {
    const repo = db.repository(Profile);
    kms.resetCalls();
    const add = await repo.update(key('p-any'), { add: { pin: 1 } }).catch((e: unknown) => e);
    expect(add).to.be.instanceOf(EncryptionError);
    expect((add as EncryptionError).code).to.equal('ENCRYPTED_FIELD_NOT_QUERYABLE');
    expect((add as EncryptionError).field).to.equal('pin');
    const append = await repo
      .update(key('p-any'), { append: { codes: ['c'] } })
      .catch((e: unknown) => e);
    expect((append as EncryptionError).code).to.equal('ENCRYPTED_FIELD_NOT_QUERYABLE');
    const condition = await repo
      .update(key('p-any'), { set: { status: 'x' } }, { condition: (c) => c.eq('ssn', SSN) })
      .catch((e: unknown) => e);
    expect((condition as EncryptionError).code).to.equal('ENCRYPTED_FIELD_NOT_QUERYABLE');
    expect(recorder.count()).to.equal(0);
    expect(kms.calls()).to.equal(0);
  });

  it('refuses key, maintained, unknown and malformed changes with VALIDATION, sending nothing', async () => {
    const repo = db.repository(Profile);
    const refusals: [unknown, RegExp][] = [
      [{ set: { id: 'other' } }, /Profile\.id is a key attribute and cannot be updated/],
      [{ remove: ['kind'] }, /Profile\.kind is a key attribute/],
      [{ add: { version: 1 } }, /Profile\.version is maintained by theorydb \(@Version\)/],
      [{ set: { updatedAt: new Date() } }, /@UpdatedAt/],
      [{ set: { createdAt: new Date() } }, /@CreatedAt/],
      [{ set: { nope: 1 } }, /Profile has no stored property 'nope'/],
      [{ set: { status: undefined } }, /use remove/],
      [{ set: { status: 'a' }, remove: ['status'] }, /appears more than once/],
      [{ add: { name: 'x' } }, /add works on number and Set properties, not string/],
      [{ add: { tags: new Set() } }, /non-empty Set/],
      [{ append: { visits: [1] } }, /append works on array/],
      [{ append: { history: 'x' } }, /append needs an array/],
      [{ set: { visits: 'many' } }, /Profile\.visits must be a finite number/],
      [{ set: { pin: 'not a number' } }, /Profile\.pin must be a finite number/],
      [{}, /no changes given/],
      [{ delete: { tags: new Set(['x']) } }, /unknown section 'delete'/],
    ];
    for (const [changes, message] of refusals) {
      const error = await repo.update(key('p-any'), changes as never).catch((e: unknown) => e);
      expect(error, JSON.stringify(changes)).to.be.instanceOf(ValidationError);
      expect((error as ValidationError).message).to.match(message);
    }
    const badKey = await repo
      .update({ id: 'p-any' }, { set: { status: 'x' } })
      .catch((e: unknown) => e);
    expect((badKey as ValidationError).message).to.equal(
      'Profile.kind is a key property and must be set',
    );
    const badOption = await repo
      .update(key('p-any'), { set: { status: 'x' } }, { returnValues: 'ALL_OLD' as never })
      .catch((e: unknown) => e);
    expect(badOption).to.be.instanceOf(ValidationError);
    const badVersion = await repo
      .update(key('p-any'), { set: { status: 'x' } }, { expectedVersion: 0 })
      .catch((e: unknown) => e);
    expect(badVersion).to.be.instanceOf(ValidationError);
    expect(recorder.count()).to.equal(0);
  });

  it('sends nothing when KMS fails while encrypting a set value', async () => {
    const rec = await recordingDynamo();
    const failing = new TheoryDb({
      dynamodb: rec.client,
      kms: { client: kms.client({ maxAttempts: 1 }), keyId: keyArn },
    });
    try {
      kms.failNext(1, 'DisabledException', { operation: 'GenerateDataKey' });
      const error = await failing
        .repository(Profile)
        .update(key('p-kms'), { set: { ssn: 'x' } })
        .catch((e: unknown) => e);
      expect((error as EncryptionError).code).to.equal('KMS_KEY_DISABLED');
    } finally {
      kms.clearFaults();
    }
    expect(rec.count()).to.equal(0);
  });

  it('refuses an entity with encrypted fields on a TheoryDb without a key, before sending', async () => {
    const rec = await recordingDynamo();
    const unkeyed = new TheoryDb({ dynamodb: rec.client });
    const error = await unkeyed
      .repository(Profile)
      .update(key('p-any'), { set: { status: 'x' } })
      .catch((e: unknown) => e);
    expect((error as EncryptionError).code).to.equal('ENCRYPTION_NOT_CONFIGURED');
    expect(rec.count()).to.equal(0);
  });
});
