import { expect } from 'chai';
import fc from 'fast-check';
import {
  Attribute,
  CreatedAt,
  Encrypted,
  Entity,
  EntityDefinitionError,
  Index,
  PartitionKey,
  SortKey,
  TheoryDb,
  TheoryDbError,
  Ttl,
  UpdatedAt,
  ValidationError,
  Version,
  type Repository,
} from '../../src';
import type { LocalKms } from '../../src/testing';
import { recordingDynamo, type DynamoRecorder } from '../support/dynamo-recorder';
import { SENTINELS } from '../support/leak-guard';
import { sharedKms, uniqueTable } from '../support/stack';
import { Tally } from '../crypto/fixtures/item-envelope-mutations';
import { recordFigures } from './support/report';
import { SETTINGS, timeoutFor } from './support/settings';

// Mistakes get clear typed errors, never SDK validation noise: malformed entity definitions fail
// with EntityDefinitionError at first use (and a definition that is accepted creates its table in
// DynamoDB Local); wrong key types in find/get/delete and values of the wrong type in save fail
// with ValidationError before anything is sent to DynamoDB or KMS.

const ROLES = {
  PartitionKey,
  SortKey,
  Attribute,
  Version,
  CreatedAt,
  UpdatedAt,
  Ttl,
} as const;
type RoleName = keyof typeof ROLES | 'Encrypted' | 'Index';

class Nested {
  @Attribute() x?: string;
}
class NotDecorated {
  y = 1;
}

const TYPES: unknown[] = [
  undefined,
  String,
  Number,
  Boolean,
  BigInt,
  Date,
  Uint8Array,
  Buffer,
  Object,
  Array,
  Set,
  Map,
  Symbol,
  Function,
  Promise,
  Nested,
  NotDecorated,
  42,
  'String',
];

const optionName = fc.oneof(
  { weight: 6, arbitrary: fc.constant(undefined) },
  fc.string({ minLength: 1, maxLength: 10 }),
  fc.constantFrom('', 'x'.repeat(256), '__proto__', 'constructor', 'name', 'a.b', 42, null),
);

const property = fc.record({
  roles: fc.array(
    fc.constantFrom<RoleName>(
      'PartitionKey',
      'SortKey',
      'Attribute',
      'Attribute',
      'Encrypted',
      'Version',
      'CreatedAt',
      'UpdatedAt',
      'Ttl',
      'Index',
    ),
    { maxLength: 2 },
  ),
  name: optionName,
  type: fc.constantFrom(...TYPES),
  items: fc.constantFrom(undefined, undefined, String, Number, Uint8Array, Object, Nested, 7),
  dateFormat: fc.constantFrom(undefined, undefined, 'iso', 'epochMs', 'epochSeconds', 'nope'),
  key: fc.constantFrom(undefined, undefined, 'named', ''),
  index: fc.record({
    name: fc.constantFrom('byX', 'byY', 'ab', ''),
    partition: fc.boolean(),
  }),
});

/** A property that is usually fine: an attribute with a mappable type, sometimes encrypted. */
const plausibleProperty = fc.record({
  roles: fc.constantFrom<RoleName[]>(
    ['Attribute'],
    ['Attribute'],
    ['Encrypted'],
    [],
    ['CreatedAt'],
  ),
  name: fc.oneof({ weight: 8, arbitrary: fc.constant(undefined) }, optionName),
  type: fc.constantFrom(String, Number, Boolean, Date, Uint8Array, Object, String, Map),
  items: fc.constant(undefined),
  dateFormat: fc.constantFrom(undefined, undefined, 'epochMs', 'nope'),
  key: fc.constantFrom(undefined, undefined, undefined, 'named', ''),
  index: fc.record({ name: fc.constantFrom('byX', 'ab'), partition: fc.boolean() }),
});

const definition = fc.record({
  table: fc.oneof(
    { weight: 8, arbitrary: fc.constant('valid') },
    fc.constantFrom('', 'ab', 'x'.repeat(256), 'bad table!', 'ünïcode', 'a/b', undefined, 42),
  ),
  entityName: fc.constantFrom(undefined, undefined, 'Named', '', 42),
  // Usually a string partition key first; then plausible properties, then arbitrary ones.
  properties: fc
    .tuple(
      fc.oneof(
        {
          weight: 6,
          arbitrary: fc.record({
            roles: fc.constant<RoleName[]>(['PartitionKey']),
            name: fc.oneof({ weight: 6, arbitrary: fc.constant(undefined) }, optionName),
            type: fc.constantFrom(String, Number, BigInt, Uint8Array, Date, Boolean),
            items: fc.constant(undefined),
            dateFormat: fc.constant(undefined),
            key: fc.constant(undefined),
            index: fc.record({ name: fc.constant('byX'), partition: fc.constant(true) }),
          }),
        },
        property,
      ),
      fc.array(plausibleProperty, { maxLength: 4 }),
      fc.oneof({ weight: 2, arbitrary: fc.constant([]) }, fc.array(property, { maxLength: 2 })),
    )
    .map(([first, plausible, arbitrary]) => [first, ...plausible, ...arbitrary]),
});

type Definition = typeof definition extends fc.Arbitrary<infer D> ? D : never;

/** Applies the generated decorators to a fresh class, as TypeScript would (properties first). */
function classFrom(def: Definition, table: string): new () => object {
  class Generated {}
  def.properties.forEach((p, i) => {
    const options = {
      ...(p.name === undefined ? {} : { name: p.name }),
      ...(p.type === undefined ? {} : { type: p.type }),
      ...(p.items === undefined ? {} : { items: p.items }),
      ...(p.dateFormat === undefined ? {} : { dateFormat: p.dateFormat }),
    } as Parameters<typeof Attribute>[0];
    for (const role of p.roles) {
      const decorate =
        role === 'Encrypted'
          ? Encrypted(p.key === undefined ? undefined : { key: p.key })
          : role === 'Index'
            ? Index(p.index.name, p.index.partition ? { partition: true } : { sort: true })
            : ROLES[role](options);
      decorate(Generated.prototype, `p${i}`);
    }
    if (p.roles.length === 0 || p.roles.every((r) => r === 'Encrypted' || r === 'Index')) {
      Attribute(options)(Generated.prototype, `p${i}`);
    }
  });
  const entityOptions = {
    table: def.table === 'valid' ? table : def.table,
    ...(def.entityName === undefined ? {} : { name: def.entityName }),
  } as Parameters<typeof Entity>[0];
  Entity(entityOptions)(Generated);
  return Generated;
}

describe('reliability: typed errors for mistakes (DynamoDB Local + LocalKms)', function () {
  const runs = SETTINGS.propertyRuns;
  this.timeout(timeoutFor(runs, 400));

  let kms: LocalKms;
  let keyArn: string;
  let rec: DynamoRecorder;

  before(async () => {
    kms = await sharedKms();
    keyArn = await kms.createKey();
    rec = await recordingDynamo();
  });

  after(() => rec.client.destroy());

  it(`${runs} generated entity definitions: EntityDefinitionError, or a table DynamoDB accepts`, async () => {
    const outcomes = new Tally();
    await fc.assert(
      fc.asyncProperty(definition, async (def) => {
        const table = uniqueTable('rel-def');
        const db = new TheoryDb({
          dynamodb: rec.client,
          kms: { client: kms.client(), keyId: keyArn, keys: { named: keyArn } },
        });
        let repo: Repository<object>;
        try {
          repo = db.repository(classFrom(def, table));
        } catch (error) {
          expect(error, 'a definition mistake').to.be.instanceOf(EntityDefinitionError);
          expect((error as EntityDefinitionError).code).to.equal('ENTITY_DEFINITION');
          expect((error as Error).message).to.match(/^Generated\b/);
          outcomes.add('ENTITY_DEFINITION');
          return;
        }
        // Accepted: the table must be one DynamoDB creates, and the entity must work.
        await db.createTable(repo.metadata.target);
        expect(await repo.scan().all()).to.deep.equal([]);
        outcomes.add('accepted');
      }),
      { numRuns: runs * 2 },
    );
    expect(outcomes.get('accepted'), 'some definitions are valid').to.be.above(0);
    expect(outcomes.get('ENTITY_DEFINITION'), 'most are not').to.be.above(0);
    recordFigures('entity-definitions', { runs: outcomes.total(), outcomes: outcomes.toJSON() });
  });

  it('attribute names that are Object.prototype members work; __proto__ is refused at first use', async () => {
    const db = new TheoryDb({ dynamodb: rec.client, kms: { client: kms.client(), keyId: keyArn } });
    for (const name of ['constructor', 'toString', 'valueOf', 'hasOwnProperty']) {
      class Odd {
        id!: string;
        plain?: string;
        secret?: string;
      }
      PartitionKey({ type: String })(Odd.prototype, 'id');
      Attribute({ name, type: String })(Odd.prototype, 'plain');
      Encrypted()(Odd.prototype, 'secret');
      Attribute({ name: `${name}-enc`, type: String })(Odd.prototype, 'secret');
      Entity({ table: uniqueTable('rel-odd'), name: 'Odd' })(Odd);
      await db.createTable(Odd);
      const repo = db.repository(Odd);
      await repo.save(Object.assign(new Odd(), { id: 'absent' }));
      await repo.save(Object.assign(new Odd(), { id: 'set', plain: 'p', secret: SENTINELS.note }));
      const absent = await repo.get({ id: 'absent' });
      expect([absent.plain, absent.secret], name).to.deep.equal([undefined, undefined]);
      const set = await repo.get({ id: 'set' });
      expect([set.plain, set.secret], name).to.deep.equal(['p', SENTINELS.note]);
    }
    class Proto {
      id!: string;
      v?: string;
    }
    PartitionKey({ type: String })(Proto.prototype, 'id');
    Attribute({ name: '__proto__', type: String })(Proto.prototype, 'v');
    Entity({ table: uniqueTable('rel-proto') })(Proto);
    expect(() => db.repository(Proto)).to.throw(EntityDefinitionError, /__proto__/);
  });

  describe('wrong key types and wrong value types', () => {
    @Entity({ table: uniqueTable('rel-typed'), name: 'Typed' })
    class Typed {
      @PartitionKey() id!: string;
      @SortKey() n!: number;
      @Attribute() text?: string;
      @Attribute() count?: number;
      @Attribute() big?: bigint;
      @Attribute() flag?: boolean;
      @Attribute() when?: Date;
      @Attribute() bytes?: Uint8Array;
      @Attribute({ items: String }) tags?: Set<string>;
      @Attribute({ items: String }) names?: string[];
      @Encrypted() secret?: string;
      @Encrypted() amount?: number;
      @Encrypted() born?: Date;
    }

    @Entity({ table: uniqueTable('rel-typed-keys'), name: 'OtherKeys' })
    class OtherKeys {
      @PartitionKey() big!: bigint;
      @SortKey() bytes!: Uint8Array;
    }

    /** Whether DynamoDB would take `value` as a number: finite and within its range. */
    const storableNumber = (v: unknown) =>
      typeof v === 'number' &&
      Number.isFinite(v) &&
      (v === 0 || (Math.abs(v) >= 1e-130 && Math.abs(v) < 1e126));

    const accepts: Record<string, (v: unknown) => boolean> = {
      text: (v) => typeof v === 'string',
      count: storableNumber,
      big: (v) => typeof v === 'bigint',
      flag: (v) => typeof v === 'boolean',
      when: (v) => v instanceof Date && !Number.isNaN(v.getTime()),
      bytes: (v) => v instanceof Uint8Array,
      tags: (v) => v instanceof Set && [...v].every((x) => typeof x === 'string'),
      names: (v) => Array.isArray(v) && v.every((x) => typeof x === 'string'),
      secret: (v) => typeof v === 'string',
      amount: (v) => typeof v === 'number',
      born: (v) => v instanceof Date && !Number.isNaN(v.getTime()),
    };

    const wrongValue = fc.oneof(
      fc.anything({
        withBigInt: true,
        withDate: true,
        withMap: true,
        withSet: true,
        withTypedArray: true,
      }),
      fc.constantFrom(
        Symbol('s'),
        () => 1,
        new Date(Number.NaN),
        NaN,
        Infinity,
        1e200,
        new Set([1]),
        [1, 'a'],
        new (class X {})(),
      ),
    );

    let repo: Repository<Typed>;
    let otherRepo: Repository<OtherKeys>;

    before(async () => {
      const db = new TheoryDb({
        dynamodb: rec.client,
        kms: { client: kms.client(), keyId: keyArn },
      });
      await db.createTable(Typed);
      await db.createTable(OtherKeys);
      repo = db.repository(Typed);
      otherRepo = db.repository(OtherKeys);
      await repo.find({ id: 'warm', n: 1 }); // resolves the key ARN
    });

    /** The call must fail with ValidationError with nothing sent to DynamoDB or KMS. */
    async function expectRefused(
      call: () => Promise<unknown>,
      what: string,
    ): Promise<ValidationError> {
      rec.clear();
      const kmsBefore = kms.calls();
      let error: unknown;
      try {
        await call();
      } catch (caught) {
        error = caught;
      }
      expect(error, `${what}: expected a ValidationError`).to.be.instanceOf(ValidationError);
      expect((error as TheoryDbError).code).to.equal('VALIDATION');
      expect(rec.names(), `${what}: requests sent`).to.deep.equal([]);
      expect(kms.calls(), `${what}: KMS requests`).to.equal(kmsBefore);
      return error as ValidationError;
    }

    it(`${runs} wrong keys in find, get and delete: ValidationError, nothing sent`, async () => {
      const keyValue = fc.oneof(
        fc.anything({ withBigInt: true, withDate: true, withTypedArray: true }),
        fc.constantFrom('', NaN, Infinity, -0, 1e300, new Date(Number.NaN), new Uint8Array(0), 0n),
      );
      const badKey = fc.oneof(
        fc.record({ id: keyValue, n: keyValue }),
        fc.record({ id: fc.string({ minLength: 1 }), n: keyValue }),
        fc.record({ id: keyValue, n: fc.integer() }),
        fc.record({ id: fc.string({ minLength: 1 }), n: fc.integer(), extra: fc.anything() }),
        fc.record({ id: fc.string({ minLength: 1 }) }),
        fc.anything(),
      );
      const validKey = (k: unknown): boolean => {
        if (typeof k !== 'object' || k === null || Array.isArray(k)) return false;
        const keys = Object.keys(k).sort();
        const { id, n } = k as { id: unknown; n: unknown };
        return keys.join() === 'id,n' && typeof id === 'string' && id !== '' && storableNumber(n);
      };
      let checked = 0;
      await fc.assert(
        fc.asyncProperty(
          badKey.filter((k) => !validKey(k)),
          fc.constantFrom('find', 'get', 'delete'),
          async (key, op) => {
            checked += 1;
            const run = () =>
              op === 'find'
                ? repo.find(key as never)
                : op === 'get'
                  ? repo.get(key as never)
                  : repo.delete(key as never);
            await expectRefused(run, `${op}(${typeof key})`);
          },
        ),
        { numRuns: runs },
      );
      await fc.assert(
        fc.asyncProperty(
          fc
            .record({ big: keyValue, bytes: keyValue })
            .filter(
              (k) =>
                !(typeof k.big === 'bigint' && k.bytes instanceof Uint8Array && k.bytes.length > 0),
            ),
          async (key) => {
            checked += 1;
            await expectRefused(() => otherRepo.find(key as never), 'find on bigint/binary keys');
          },
        ),
        { numRuns: runs },
      );
      recordFigures('wrong-keys', { runs: checked, requestsSent: 0 });
    });

    it(`${runs} values of the wrong type in save: ValidationError naming the property, nothing sent`, async () => {
      const properties = Object.keys(accepts);
      let checked = 0;
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...properties), wrongValue, async (property, value) => {
          fc.pre(value !== undefined && value !== null && !accepts[property](value));
          checked += 1;
          const entity = Object.assign(new Typed(), {
            id: 'w',
            n: 1,
            secret: SENTINELS.password,
            [property]: value,
          });
          const error = await expectRefused(
            () => repo.save(entity),
            `save with a wrong ${property}`,
          );
          expect(error.property, 'the property named').to.equal(property);
        }),
        { numRuns: runs },
      );
      recordFigures('wrong-values', { runs: checked, requestsSent: 0 });
    });
  });
});
