import { type DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { expect } from 'chai';
import * as path from 'node:path';
import { inspect } from 'node:util';
import {
  Attribute,
  Constructor,
  CreatedAt,
  Encrypted,
  Entity,
  EntityDefinitionError,
  Index,
  PartitionKey,
  REDACTED,
  SortKey,
  TheoryDb,
  Ttl,
  UpdatedAt,
  Version,
  entityMetadata,
} from '../../src';
import { compileStandardFixtures } from '../support/standard-fixtures';
import { sharedDynamo, sharedKms } from '../support/stack';
import type * as Entities from './fixtures/entities';
import type * as Inheritance from './fixtures/inheritance';
import { mapperFor } from '../../src/mapping/entity-mapper';

// The same decorators as standard (TC39) decorators: the fixtures are compiled without
// experimentalDecorators, so they get `(value, context)` calls and no design:type. What they
// record must be what the legacy twins below record, and every refusal the same.

const fixtures = compileStandardFixtures(path.join(__dirname, 'fixtures'));
const std = fixtures.load<typeof Entities>('entities');
// Not imported for its types: the repository's (legacy) compile would reject its `#` decorator.
const refused = fixtures.load<Record<string, Constructor<object>>>('refused');
const inheritance = fixtures.load<typeof Inheritance>('inheritance');

class LegacyLine {
  @Attribute() sku!: string;
  @Attribute({ name: 'q' }) quantity!: number;
  @Attribute() addedAt!: Date;
}

/** StandardAccount's legacy twin, on the same table and entity name: each reads the other's items. */
@Entity({ table: entityMetadata(std.StandardAccount).table, name: 'Account' })
class LegacyAccount {
  @PartitionKey() id!: string;
  @SortKey({ name: 'SK' }) rev!: number;
  @Index('byEmail', { partition: true }) @Attribute() email?: string;
  @Index('byEmail', { sort: true }) @Attribute() joined?: Date;
  @Attribute({ dateFormat: 'epochMs' }) seen?: Date;
  @Attribute({ items: String }) tags?: Set<string>;
  @Attribute({ items: LegacyLine }) lines?: LegacyLine[];
  @Attribute() line?: LegacyLine;
  @Attribute({ type: Object }) meta?: Record<string, unknown>;
  @Attribute() list?: unknown[];
  @Attribute() big?: bigint;
  @Attribute() bytes?: Uint8Array;
  @Attribute() flag?: boolean;
  @Attribute({ type: String }) nullable?: string | null;
  @Encrypted() secret?: string;
  @Attribute({ name: 'p' }) @Encrypted() pin?: number;
  @Encrypted({ type: Object, key: 'payments' }) card?: { last4: string };
  @Version() version?: number;
  @CreatedAt() createdAt?: Date;
  @UpdatedAt() updatedAt?: Date;
  @Ttl() expiresAt?: Date;
}

/** What discovery resolved, in comparable form (codecs by kind, nested ones by their fields). */
function summary(target: Constructor<object>) {
  const m = entityMetadata(target);
  return {
    entityName: m.entityName,
    table: m.table,
    attributes: m.attributes.map((a) => ({
      property: a.property,
      attribute: a.attribute,
      role: a.role,
      codec: a.codec.kind.replace(/^(Legacy|Standard)/, ''),
      keyType: a.codec.keyType,
      encryption: a.encryption,
    })),
    keys: m.keyAttributes.map((k) => [k.property, k.keyType]),
    indexes: m.indexes.map((i) => [i.name, i.kind, i.partitionKey.property, i.sortKey?.property]),
    encrypted: m.encryptedAttributes.map((a) => a.property),
    lifecycle: [m.version, m.createdAt, m.updatedAt, m.ttl].map((a) => a?.property),
  };
}

const NOW = new Date('2026-05-06T07:08:09.010Z');

function values(line: object) {
  return {
    id: 'acct-1',
    rev: 3,
    email: 'ada@example.com',
    joined: NOW,
    seen: NOW,
    tags: new Set(['a', 'b']),
    lines: [Object.assign(line, { sku: 'S-1', quantity: 2, addedAt: NOW })],
    meta: { plan: 'pro', seats: 5 },
    list: [1, 'two', null],
    big: 2n ** 70n,
    bytes: new Uint8Array([1, 2, 3]),
    flag: true,
    nullable: null,
    secret: 'standard-secret-4411',
    pin: 1234,
    card: { last4: '4242' },
    expiresAt: new Date('2030-01-01T00:00:00.000Z'),
  };
}

describe('standard (TC39) decorators', () => {
  it('the fixtures type-check with experimentalDecorators off', () => {
    expect(fixtures.diagnostics).to.deep.equal([]);
  });

  it('record the same metadata as legacy decorators with design:type', () => {
    expect(summary(std.StandardAccount)).to.deep.equal(summary(LegacyAccount));
  });

  it('default only the lifecycle types: @Version to Number, the timestamps and @Ttl to Date', () => {
    const m = entityMetadata(std.StandardAccount);
    expect(m.version?.codec.kind).to.equal('number');
    expect([m.createdAt, m.updatedAt, m.ttl].map((a) => a?.codec.kind)).to.deep.equal([
      'Date',
      'Date',
      'Date',
    ]);
  });

  describe('against DynamoDB Local and LocalKms', () => {
    let client: DynamoDBClient;
    let db: TheoryDb;

    before(async () => {
      client = (await sharedDynamo()).client;
      const kms = await sharedKms();
      const keyId = await kms.createKey();
      const payments = await kms.createKey();
      db = new TheoryDb({
        dynamodb: client,
        kms: { client: kms.client(), keyId, keys: { payments } },
      });
      await db.createTable(std.StandardAccount);
    });

    it('a standard entity saves and loads every type, and its legacy twin reads the same item', async () => {
      const saved = Object.assign(new std.StandardAccount(), values(new std.StandardLine()));
      await db.repository(std.StandardAccount).save(saved);
      const loaded = await db.repository(std.StandardAccount).get({ id: 'acct-1', rev: 3 });
      expect(loaded).to.be.instanceOf(std.StandardAccount);
      expect(loaded.lines![0]).to.be.instanceOf(std.StandardLine);
      expect(loaded.version).to.equal(1);
      expect(loaded.createdAt).to.be.instanceOf(Date);
      const { createdAt: _c, updatedAt: _u, version: _v, ...rest } = loaded;
      expect({ ...rest, lines: [{ ...loaded.lines![0] }] }).to.deep.equal({
        ...values({}),
        lines: [{ sku: 'S-1', quantity: 2, addedAt: NOW }],
      });

      const twin = await db.repository(LegacyAccount).get({ id: 'acct-1', rev: 3 });
      expect(twin).to.be.instanceOf(LegacyAccount);
      expect(twin.lines![0]).to.be.instanceOf(LegacyLine);
      expect(twin.secret).to.equal('standard-secret-4411');
      expect(twin.pin).to.equal(1234);
      expect(twin.card).to.deep.equal({ last4: '4242' });
      expect(twin.createdAt!.getTime()).to.equal(loaded.createdAt!.getTime());

      // And the other way round: what the legacy class writes, the standard class reads.
      twin.secret = 'legacy-secret-9922';
      await db.repository(LegacyAccount).save(twin);
      const again = await db.repository(std.StandardAccount).get({ id: 'acct-1', rev: 3 });
      expect(again.secret).to.equal('legacy-secret-9922');
      expect(again.version).to.equal(2);

      const raw = await client.send(
        new GetItemCommand({
          TableName: entityMetadata(std.StandardAccount).table,
          Key: { id: { S: 'acct-1' }, SK: { N: '3' } },
        }),
      );
      // Format v2: one envelope per key binding (secret and pin under the default key, card under
      // `payments`), and no attribute under an encrypted field's name, renamed (`p`) or not.
      expect(raw.Item!.__td.B, 'encrypted: sealed in a binary envelope').to.be.instanceOf(
        Uint8Array,
      );
      expect(raw.Item!['__td:payments'].B).to.be.instanceOf(Uint8Array);
      expect(raw.Item).to.not.have.any.keys('secret', 'p', 'pin', 'card');
      expect(JSON.stringify(raw.Item)).to.not.contain('legacy-secret-9922');
    });
  });

  describe('a subclass renaming inherited properties', () => {
    class LegacyRenameBase {
      @PartitionKey() id!: string;
      @Attribute({ type: String }) label?: string;
      @Attribute({ items: LegacyLine }) lines?: LegacyLine[];
      @Attribute({ dateFormat: 'epochMs' }) seen?: Date;
      @Encrypted() secret?: string;
    }

    @Entity({ table: 'std-renamed', name: 'Renamed' })
    class LegacyRenamed extends LegacyRenameBase {
      @Attribute({ name: 'lbl' }) override label?: string;
      @Attribute({ name: 'ls' }) override lines?: LegacyLine[];
      @Attribute({ name: 'sn' }) override seen?: Date;
      @Attribute({ name: 's' }) override secret?: string;
    }

    it("needs no type again: it inherits the base's type and items, in both modes alike", () => {
      const renamed = summary(inheritance.StandardRenamed);
      expect(renamed.attributes.map((a) => [a.property, a.attribute, a.codec])).to.deep.equal([
        ['id', 'id', 'string'],
        ['label', 'lbl', 'string'],
        ['lines', 'ls', 'Array'],
        ['seen', 'sn', 'Date'],
        ['secret', 's', 'string'],
      ]);
      expect(renamed.encrypted).to.deep.equal(['secret']);
      expect(renamed).to.deep.equal(summary(LegacyRenamed));
    });

    it('maps the renamed attributes with the inherited element class and date format', () => {
      const when = new Date('2026-02-03T04:05:06.007Z');
      for (const [Renamed, Line] of [
        [inheritance.StandardRenamed, inheritance.RenamedLine],
        [LegacyRenamed, LegacyLine],
      ] as const) {
        const mapper = mapperFor(entityMetadata(Renamed));
        const line = Object.assign(new Line(), { sku: 'S', quantity: 1, addedAt: when });
        const item = mapper.toItem(
          Object.assign(new Renamed(), { id: 'r', label: 'l', lines: [line], seen: when }),
        );
        expect(item).to.deep.equal({
          id: { S: 'r' },
          lbl: { S: 'l' },
          ls: {
            L: [{ M: { sku: { S: 'S' }, q: { N: '1' }, addedAt: { S: when.toISOString() } } }],
          },
          sn: { N: String(when.getTime()) },
        });
        const loaded = mapper.fromItem(item);
        expect(loaded.lines![0]).to.be.instanceOf(Line);
        expect(loaded.seen).to.deep.equal(when);
      }
    });
  });

  it('print encrypted fields as [REDACTED], inherited ones and those of a class no entity uses', () => {
    const account = Object.assign(new std.StandardAccount(), {
      id: 'a',
      secret: 'shown-never-1',
      email: 'e',
    });
    expect(inspect(account)).to.contain(`secret: '${REDACTED}'`).and.contain("email: 'e'");
    expect(JSON.stringify(account)).to.not.contain('shown-never-1');

    const child = Object.assign(new std.StandardChild(), { id: 'c', token: 'shown-never-2' });
    expect(inspect(child)).to.contain(`token: '${REDACTED}'`);
    expect(JSON.stringify(child)).to.not.contain('shown-never-2');

    const lone = Object.assign(new std.StandardLoneSecret(), {
      hidden: 'shown-never-3',
      visible: 'v',
    });
    expect(inspect(lone)).to.equal(`StandardLoneSecret { hidden: '${REDACTED}', visible: 'v' }`);
    expect(JSON.parse(JSON.stringify(lone))).to.deep.equal({ hidden: REDACTED, visible: 'v' });
  });

  describe('definition errors (ENTITY_DEFINITION)', () => {
    function refusal(target: Constructor<object>): EntityDefinitionError {
      let caught: unknown;
      try {
        entityMetadata(target);
      } catch (error) {
        caught = error;
      }
      expect(caught).to.be.instanceOf(EntityDefinitionError);
      expect((caught as EntityDefinitionError).code).to.equal('ENTITY_DEFINITION');
      return caught as EntityDefinitionError;
    }

    const TYPES = '(or Number, Boolean, BigInt, Date, Uint8Array, Object, Array, Set, or a class)';
    const STANDARD =
      'has no type: standard decorators carry no type information (there is no design:type ' +
      'without experimentalDecorators), so every property except @Version, @CreatedAt, ' +
      '@UpdatedAt and @Ttl declares its type: ';

    it('a missing type names the property and shows the fix, for keys, attributes and @Encrypted', () => {
      expect(refusal(refused.MissingKeyType).message).to.equal(
        `MissingKeyType.id: ${STANDARD}@PartitionKey({ type: String }) ${TYPES}`,
      );
      const attribute = refusal(refused.MissingAttributeType);
      expect(attribute.property).to.equal('email');
      expect(attribute.message).to.equal(
        `MissingAttributeType.email: ${STANDARD}@Attribute({ type: String }) ${TYPES}`,
      );
      expect(refusal(refused.MissingEncryptedType).message).to.equal(
        `MissingEncryptedType.secret: ${STANDARD}@Encrypted({ type: String }) ${TYPES}; ` +
          'stacking @Attribute({ type: String }) @Encrypted() works too',
      );
    });

    it('two different types for one property are refused', () => {
      expect(refusal(refused.TwoTypes).message).to.equal(
        'TwoTypes.secret: is given two types (String and @Encrypted({ type: Number })); give it once',
      );
    });

    it('@Encrypted on a get/set accessor or an auto-accessor: refused as in legacy mode', () => {
      const accessor =
        '@Encrypted must be on a plain field, and secret is an accessor (get/set): its backing ' +
        'field would be stored, printed and serialised in clear. Make it a field';
      expect(refusal(refused.EncryptedGetter).message).to.equal(
        `EncryptedGetter.secret: ${accessor}`,
      );
      expect(refusal(refused.EncryptedAutoAccessor).message).to.equal(
        `EncryptedAutoAccessor.secret: ${accessor}`,
      );
      expect(refusal(refused.AutoAccessor).message).to.equal(
        'AutoAccessor.nickname: is an auto-accessor (accessor keyword), whose value lives in a ' +
          'private slot that theorydb cannot set on a loaded entity: make it a plain field',
      );
    });

    it('static members, methods and # fields: the same refusals as their legacy twins', () => {
      @Entity({ table: 'std-static' })
      class StaticMember {
        @PartitionKey() id!: string;
        @Attribute({ type: String }) static label?: string;
      }
      @Entity({ table: 'std-method' })
      class MethodMember {
        @PartitionKey() id!: string;
        @Attribute({ type: String }) describe(): string {
          return this.id;
        }
      }
      expect(refusal(refused.StaticMember).message)
        .to.equal(refusal(StaticMember).message)
        .and.equal(
          'StaticMember.label: is static; theorydb stores instance fields only: decorate an instance field',
        );
      expect(refusal(refused.MethodMember).message)
        .to.equal(refusal(MethodMember).message)
        .and.equal(
          'MethodMember.describe: is a method; theorydb stores instance fields (or get/set ' +
            'accessors): decorate a field',
        );
      expect(refusal(refused.PrivateMember).message).to.equal(
        'PrivateMember.#hidden: is a private (#) member, which theorydb cannot read or write by ' +
          'name: use a public field (TypeScript private is fine)',
      );
    });

    it('a class mixing legacy and standard decorators is refused, saying so', () => {
      // A legacy call, (prototype, key), on a class whose decorators were standard.
      Attribute({ type: String })(refused.Mixed.prototype as object, 'extra');
      const error = refusal(refused.Mixed);
      expect(error.property).to.equal(undefined);
      expect(error.message).to.match(
        /^Mixed: mixes legacy decorators \(experimentalDecorators, called as \(prototype, key\)\) with standard decorators \(called as \(value, context\)\) on one class/,
      );
      // And a legacy @Entity over standard member decorators.
      const MixedEntity = Entity({ table: 'std-mixed-entity' });
      MixedEntity(std.StandardLoneSecret);
      expect(refusal(std.StandardLoneSecret).message).to.match(/^StandardLoneSecret: mixes legacy/);
    });
  });
});
