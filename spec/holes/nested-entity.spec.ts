import { expect } from 'chai';
import {
  Attribute,
  Encrypted,
  Entity,
  PartitionKey,
  TheoryDb,
  ValidationError,
  type Repository,
} from '../../src';
import type { LocalKms } from '../../src/testing/local-kms';
import { recordCommands, type DynamoRecorder } from '../support/dynamo-recorder';
import { expectErrorFreeOf, expectNoPlaintext, rejectionOf } from '../support/leak-check';
import { sharedDynamo, sharedKms, uniqueTable } from '../support/stack';

// Hole 4 of issue 10: an entity instance inside another value (a class-transformer attribute, a
// `{ type: Object }` value, a list, a Map, an embedded value) was serialised field by field, its
// decrypted @Encrypted fields in clear. Any value that is or holds, at any depth, an instance of a
// class with theorydb metadata must be refused before anything is sent, at every write surface.

const TABLE = uniqueTable('hole-nested');
const INNER = 'nested-entity-secret-must-never-be-stored-4141';
const TOKEN = 'nested-profile-token-must-never-be-stored-4242';
const SECRETS = [INNER, TOKEN];

/** The entity that gets nested: its `secret` is decrypted in memory, encrypted at rest. */
@Entity({ table: uniqueTable('hole-nested-inner'), name: 'NestedInnerCredential' })
class InnerCredential {
  @PartitionKey() id!: string;
  @Encrypted() secret?: string;
}

/** A class without theorydb decorators: mapped through class-transformer. */
class Meta {
  label?: string;
  inner?: unknown;
  byName?: Map<string, unknown>;
}

/** An embedded class (plain @Attribute properties only). */
class Profile {
  @Attribute() token?: string;
}

/** A subclass of the embedded class that encrypts its `token`: not an embedded Profile. */
class SecretProfile extends Profile {
  @Encrypted() override token?: string;
}

class Level3 {
  @Attribute() meta?: Meta;
  @Attribute({ type: Object }) data?: Record<string, unknown>;
}

class Level2 {
  @Attribute() level3?: Level3;
}

class Level1 {
  @Attribute() level2?: Level2;
}

@Entity({ table: TABLE, name: 'NestedHolder' })
class Holder {
  @PartitionKey() id!: string;
  @Attribute() meta?: Meta;
  @Attribute({ type: Object }) data?: unknown;
  @Attribute({ type: Array, items: Meta }) metas?: Meta[];
  @Attribute() list?: unknown[];
  @Attribute() profile?: Profile;
  @Attribute() level1?: Level1;
  @Encrypted() own?: string;
}

function inner(): InnerCredential {
  return Object.assign(new InnerCredential(), { id: 'inner', secret: INNER });
}

function meta(value: unknown): Meta {
  return Object.assign(new Meta(), { label: 'm', inner: value });
}

function holder(id: string, values: Partial<Holder>): Holder {
  return Object.assign(new Holder(), { id, own: 'own value' }, values);
}

function depth3(values: Partial<Level3>): Level1 {
  const level2 = Object.assign(new Level2(), { level3: Object.assign(new Level3(), values) });
  return Object.assign(new Level1(), { level2 });
}

/** Each nesting: the property it goes into, and the value. */
function nestings(): [string, keyof Holder, unknown][] {
  return [
    ['a class-transformer attribute holding an entity', 'meta', meta(inner())],
    ['a class-transformer attribute given the entity itself', 'meta', inner()],
    [
      'a class-transformer attribute holding a Map with an entity value',
      'meta',
      Object.assign(new Meta(), { byName: new Map([['k', inner()]]) }),
    ],
    ['a { type: Object } value holding an object holding an entity', 'data', { a: { b: inner() } }],
    [
      'a { type: Object } value that is a Map with an entity value',
      'data',
      new Map([['k', inner()]]),
    ],
    ['a list of class-transformer values, one of them the entity', 'metas', [meta('x'), inner()]],
    ['a list of class-transformer values holding entities', 'metas', [meta([inner()])]],
    ['an untyped list of entities', 'list', [inner()]],
    [
      'an embedded value that is a subclass encrypting its field',
      'profile',
      Object.assign(new SecretProfile(), { token: TOKEN }),
    ],
    ['an embedded value that is an entity', 'profile', inner()],
    [
      'embedded -> embedded -> embedded -> class-transformer -> entity',
      'level1',
      depth3({ meta: meta(inner()) }),
    ],
    [
      'embedded -> embedded -> embedded -> { type: Object } -> entity',
      'level1',
      depth3({ data: { deep: [inner()] } }),
    ],
  ];
}

describe('hole 4: entities nested in other values are refused', function () {
  this.timeout(60_000);
  let kms: LocalKms;
  let recorder: DynamoRecorder;
  let db: TheoryDb;
  let repo: Repository<Holder>;

  before(async () => {
    const dynamo = await sharedDynamo();
    kms = await sharedKms();
    const keyId = await kms.createKey();
    recorder = recordCommands(dynamo.newClient({ maxAttempts: 1 }));
    db = new TheoryDb({ dynamodb: recorder.client, kms: { client: kms.client(), keyId } });
    await db.createTable(Holder);
    repo = db.repository(Holder);
    await repo.save(holder('existing', { list: [] }));
  });

  beforeEach(() => {
    recorder.clear();
    kms.resetCalls();
  });

  /** VALIDATION naming the holder's property, no secret in any form of the error or request. */
  function expectRefused(error: unknown, property: string): void {
    expect(error, String(error)).to.be.instanceOf(ValidationError);
    const failure = error as ValidationError;
    expect(failure.code).to.equal('VALIDATION');
    expect(failure.entity).to.equal('Holder');
    expect(failure.property).to.equal(property);
    expect(failure.message).to.contain(`Holder.${property}`);
    expectErrorFreeOf(failure, SECRETS);
    for (const secret of SECRETS) expectNoPlaintext(recorder.bodies(), secret, 'request bodies');
  }

  function expectNothingWritten(): void {
    for (const name of [
      'PutItemCommand',
      'BatchWriteItemCommand',
      'TransactWriteItemsCommand',
      'UpdateItemCommand',
    ]) {
      expect(recorder.count(name), name).to.equal(0);
    }
    expect(kms.calls('GenerateDataKey')).to.equal(0);
  }

  for (const [title, property, value] of nestings()) {
    it(`save: ${title}`, async () => {
      const error = await rejectionOf(repo.save(holder('s', { [property]: value })));
      expectRefused(error, property);
      expectNothingWritten();
    });
  }

  it('batchSave: every nesting, each one alone among clean entities', async () => {
    for (const [title, property, value] of nestings()) {
      const batch = [holder('b1', {}), holder('b2', { [property]: value })];
      const error = await rejectionOf(repo.batchSave(batch));
      expect(error, title).to.be.instanceOf(ValidationError);
      expectRefused(error, property);
      expect((error as Error).message, title).to.contain('entities[1]');
    }
    expectNothingWritten();
  });

  it('transaction save: every nesting', async () => {
    for (const [title, property, value] of nestings()) {
      const error = await rejectionOf(
        db.transaction((tx) => {
          tx.save(holder('t1', {}));
          tx.save(holder('t2', { [property]: value }));
        }),
      );
      expect(error, title).to.be.instanceOf(ValidationError);
      expectRefused(error, property);
    }
    expectNothingWritten();
  });

  it('update set, and tx.update set: every nesting', async () => {
    for (const [title, property, value] of nestings()) {
      const changes = { set: { [property]: value } };
      const error = await rejectionOf(repo.update({ id: 'existing' }, changes));
      expect(error, title).to.be.instanceOf(ValidationError);
      expectRefused(error, property);
      const inTx = await rejectionOf(
        db.transaction((tx) => {
          tx.update(Holder, { id: 'existing' }, changes);
        }),
      );
      expectRefused(inTx, property);
    }
    expectNothingWritten();
  });

  it('update append of entities to a list', async () => {
    for (const [property, elements] of [
      ['metas', [meta(inner())]],
      ['metas', [inner()]],
      ['list', [inner()]],
      ['list', [{ nested: inner() }]],
    ] as const) {
      const error = await rejectionOf(
        repo.update({ id: 'existing' }, { append: { [property]: elements } }),
      );
      expectRefused(error, property);
    }
    expectNothingWritten();
  });

  it('a condition of a write with an entity as its comparison value', async () => {
    const save = await rejectionOf(
      repo.save(holder('c1', {}), { condition: (c) => c.eq('meta', meta(inner())) }),
    );
    expectRefused(save, 'meta');
    const update = await rejectionOf(
      repo.update(
        { id: 'existing' },
        { set: { own: 'x' } },
        { condition: (c) => c.ne('meta', inner() as Meta) },
      ),
    );
    expectRefused(update, 'meta');
    const check = await rejectionOf(
      db.transaction((tx) => {
        tx.check(Holder, { id: 'existing' }, (c) => c.in('data', [{ x: inner() }]));
      }),
    );
    expectRefused(check, 'data');
    const removed = await rejectionOf(
      repo.delete({ id: 'existing' }, { condition: (c) => c.eq('profile', inner() as Profile) }),
    );
    expectRefused(removed, 'profile');
    const contains = await rejectionOf(
      repo.save(holder('c2', {}), { condition: (c) => c.contains('list', inner()) }),
    );
    expect(contains).to.be.instanceOf(ValidationError);
    expectErrorFreeOf(contains, SECRETS);
    expectNothingWritten();
    expect(recorder.count('DeleteItemCommand')).to.equal(0);
  });

  it('a query or scan filter with an entity as its comparison value sends nothing', async () => {
    const scan = await rejectionOf(
      repo
        .scan()
        .filter((c) => c.eq('meta', meta(inner())))
        .all(),
    );
    expectRefused(scan, 'meta');
    const query = await rejectionOf(
      repo
        .query({ id: 'existing' })
        .filter((c) => c.eq('level1', depth3({ meta: meta(inner()) })))
        .all(),
    );
    expectRefused(query, 'level1');
    expect(recorder.count()).to.equal(0);
  });

  it('still writes and reads nested values that hold no entity', async () => {
    const clean = holder('clean', {
      meta: Object.assign(new Meta(), { label: 'plain', inner: { n: 1 } }),
      data: { a: [1, { b: 'two' }] },
      metas: [meta('x')],
      list: [1, 'two'],
      profile: Object.assign(new Profile(), { token: 'public' }),
      level1: depth3({ meta: meta('deep'), data: { d: true } }),
    });
    await repo.save(clean);
    const found = await repo.get({ id: 'clean' });
    expect(found.meta).to.be.instanceOf(Meta);
    expect(found.meta?.label).to.equal('plain');
    expect(found.data).to.deep.equal({ a: [1, { b: 'two' }] });
    expect(found.profile).to.be.instanceOf(Profile);
    expect(found.level1?.level2?.level3?.meta?.inner).to.equal('deep');
    await repo.update({ id: 'clean' }, { append: { metas: [meta('y')] } });
    expect((await repo.get({ id: 'clean' })).metas?.map((m) => m.inner)).to.deep.equal(['x', 'y']);
  });
});
