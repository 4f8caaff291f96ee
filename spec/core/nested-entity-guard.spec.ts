import { expect } from 'chai';
import { Attribute, Encrypted, Entity, PartitionKey, ValidationError } from '../../src';
import {
  nestedEntityClass,
  refuseForeignEntityClass,
  refuseNestedEntities,
} from '../../src/mapping/nested-entity-guard';

// The walk behind hole 4 (spec/holes/nested-entity.spec.ts), on plain values: where it looks,
// that it ends on cycles and deep values, and what it leaves alone.

@Entity({ table: 'guard-credentials', name: 'GuardCredential' })
class Credential {
  @PartitionKey() id!: string;
  @Encrypted() secret?: string;
}

/** Declares nothing of its own: it is decorated through its base. */
class SubCredential extends Credential {}

/** Only the class decorator, no property decorator. */
@Entity({ table: 'guard-bare' })
class Bare {}
class SubOfBare extends Bare {}

class Embedded {
  @Attribute() name?: string;
}
class SubEmbedded extends Embedded {}

class Undecorated {
  value?: unknown;
}

const SITE = { entity: 'Holder', property: 'data', attribute: 'data' };
const SECRET = 'guard-secret-value-never-in-a-message';

function entity(): Credential {
  return Object.assign(new Credential(), { id: 'c', secret: SECRET });
}

describe('nested-entity guard (pure)', () => {
  it('finds an entity at any place a codec would serialise', () => {
    const nullPrototype = Object.create(null) as Record<string, unknown>;
    nullPrototype.x = entity();
    const places: [string, object][] = [
      ['itself', entity()],
      ['an array element', [1, 'a', entity()]],
      ['a nested array', [[[entity()]]]],
      ['a Map value', new Map([['k', entity()]])],
      ['a Map key', new Map([[entity(), 'v']])],
      ['a Set element', new Set([entity()])],
      ['an object property', { a: { b: { c: entity() } } }],
      ['a null-prototype object', nullPrototype],
      ['an undecorated class instance', Object.assign(new Undecorated(), { value: entity() })],
    ];
    for (const [where, value] of places) {
      expect(nestedEntityClass(value), where).to.equal('Credential');
    }
  });

  it('counts subclasses of decorated classes, and classes decorated only with @Entity', () => {
    expect(nestedEntityClass([new SubCredential()])).to.equal('SubCredential');
    expect(nestedEntityClass({ x: new Bare() })).to.equal('Bare');
    expect(nestedEntityClass({ x: new SubOfBare() })).to.equal('SubOfBare');
    expect(nestedEntityClass({ x: new Embedded() })).to.equal('Embedded');
    expect(nestedEntityClass({ x: Object.create(Credential.prototype) as object })).to.equal(
      'Credential',
    );
  });

  it('is decided by the decorated prototypes, not by a constructor property or an earlier answer', () => {
    class Disguised {
      secret?: string;
    }
    // Checked once while still undecorated, then decorated by hand: the earlier "no" is not kept.
    expect(nestedEntityClass({ x: new Disguised() })).to.equal(undefined);
    Encrypted()(Disguised.prototype, 'secret');
    Object.defineProperty(Disguised.prototype, 'constructor', { value: Object });
    const disguised = Object.assign(new Disguised(), { secret: SECRET });
    expect(nestedEntityClass({ x: disguised })).to.not.equal(undefined);
    expect(() => refuseNestedEntities(SITE, [disguised])).to.throw(ValidationError);
  });

  it('leaves values without decorated instances alone', () => {
    const values: object[] = [
      {},
      [],
      { a: [1, 'two', null, undefined, true, 3n], b: { c: new Date(0) } },
      new Map<unknown, unknown>([[{ k: 1 }, [new Set(['x'])]]]),
      Buffer.from('bytes'),
      new Uint8Array(8),
      Object.assign(new Undecorated(), { value: { nested: new Undecorated() } }),
    ];
    for (const value of values) expect(nestedEntityClass(value)).to.equal(undefined);
  });

  it('ends on cycles, and on values deeper than any call stack', () => {
    const cycle: Record<string, unknown> = { list: [] };
    (cycle.list as unknown[]).push(cycle, new Map([['self', cycle]]));
    cycle.self = cycle;
    expect(nestedEntityClass(cycle)).to.equal(undefined);
    cycle.found = [entity()];
    expect(nestedEntityClass(cycle)).to.equal('Credential');

    let deep: unknown = entity();
    for (let i = 0; i < 100_000; i++) deep = { next: [deep] };
    expect(nestedEntityClass(deep as object)).to.equal('Credential');
  });

  it('refuses with VALIDATION naming the attribute and the class, never a value', () => {
    let thrown: unknown;
    try {
      refuseNestedEntities(SITE, { [SECRET]: [entity()] });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).to.be.instanceOf(ValidationError);
    const failure = thrown as ValidationError;
    expect(failure.code).to.equal('VALIDATION');
    expect([failure.entity, failure.property]).to.deep.equal(['Holder', 'data']);
    expect(failure.message).to.match(/^Holder\.data holds an instance of Credential, /);
    expect(failure.message).to.not.contain(SECRET);
    expect(() => refuseNestedEntities(SITE, 'a string')).to.not.throw();
    expect(() => refuseNestedEntities(SITE, null)).to.not.throw();
  });

  it('an embedded value may be its exact class or undecorated, not another decorated class', () => {
    expect(() => refuseForeignEntityClass(SITE, new Embedded(), Embedded)).to.not.throw();
    expect(() => refuseForeignEntityClass(SITE, { name: 'plain' }, Embedded)).to.not.throw();
    expect(() => refuseForeignEntityClass(SITE, new Undecorated(), Embedded)).to.not.throw();
    for (const value of [new SubEmbedded(), entity(), new Bare()]) {
      expect(() => refuseForeignEntityClass(SITE, value, Embedded)).to.throw(ValidationError);
    }
  });
});
