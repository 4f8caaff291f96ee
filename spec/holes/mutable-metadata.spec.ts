import { expect } from 'chai';
import {
  Attribute,
  Encrypted,
  Entity,
  Index,
  PartitionKey,
  SortKey,
  entityMetadata,
  type AttributeMetadata,
  type EntityMetadata,
} from '../../src';
import { expectNoPlaintext } from '../support/leak-check';
import { uniqueTable } from '../support/stack';
import { holeStack, type HoleStack } from './support/hole-stack';

// Hole 6 of issue 10: entityMetadata(Cls) returned the arrays the pipelines read live, so
// `plainAttributes.push(...encryptedAttributes.splice(0))` turned encryption off for every
// TheoryDb in the process. What callers reach is now deeply immutable.

const SECRET = 'process-wide-switch-secret-0606';
const TABLE = uniqueTable('hole-metadata');

@Entity({ table: TABLE, name: 'FrozenCredential' })
class FrozenCredential {
  @PartitionKey() id!: string;
  @SortKey() kind!: string;
  @Index('byOwner', { partition: true }) @Attribute() owner?: string;
  @Encrypted() secret?: string;
}

type Loose = Record<PropertyKey, unknown>;

/** Each way a caller could try to switch encryption off through the metadata. */
const attacks: Record<string, (m: EntityMetadata<FrozenCredential>) => void> = {
  'move encrypted attributes to the plain ones': (m) => {
    (m.plainAttributes as AttributeMetadata[]).push(
      ...(m.encryptedAttributes as AttributeMetadata[]).splice(0),
    );
  },
  'empty encryptedAttributes by length': (m) => {
    (m.encryptedAttributes as AttributeMetadata[]).length = 0;
  },
  'clear the encryption of an attribute': (m) => {
    (m.byProperty.get('secret') as unknown as Loose).encryption = undefined;
  },
  'replace the attribute in byProperty': (m) => {
    const plain = { ...m.byProperty.get('secret'), encryption: undefined };
    (m.byProperty as Map<string, unknown>).set('secret', plain);
  },
  'replace the attribute in byAttribute through Map.prototype': (m) => {
    Map.prototype.set.call(m.byAttribute, 'secret', { ...m.byProperty.get('secret') });
  },
  'delete from byProperty': (m) => {
    (m.byProperty as Map<string, unknown>).delete('secret');
  },
  'rewrite the codec': (m) => {
    (m.byProperty.get('secret')!.codec as unknown as Loose).write = () => ({ S: 'x' });
  },
  'swap an entry of attributes': (m) => {
    (m.attributes as AttributeMetadata[])[3] = { ...m.attributes[3], encryption: undefined };
  },
  'change the table of an index key': (m) => {
    (m.indexes[0].partitionKey as unknown as Loose).attribute = 'secret';
  },
  'freeze-bypass with defineProperty': (m) => {
    Object.defineProperty(m.encryptedAttributes, 'length', { value: 0 });
  },
};

/** Every object and array reachable from the metadata, functions (classes, codecs' methods) excepted. */
function reachable(root: unknown): object[] {
  const seen = new Set<object>();
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const value = stack.pop();
    if (typeof value !== 'object' || value === null || seen.has(value)) continue;
    seen.add(value);
    const entries: unknown[] =
      value instanceof Map ? [...(value as Map<unknown, unknown>).values()] : Object.values(value);
    stack.push(...entries);
  }
  return [...seen];
}

describe('hole 6: metadata is not a process-wide switch', () => {
  let stack: HoleStack;

  before(async () => {
    stack = await holeStack(FrozenCredential);
  });

  it('every object and array callers can reach is frozen, and no Map can be written', () => {
    const metadata = entityMetadata(FrozenCredential);
    const objects = reachable(metadata);
    expect(objects.length).to.be.greaterThan(10);
    for (const object of objects) {
      expect(Object.isFrozen(object), Object.prototype.toString.call(object)).to.equal(true);
      expect(object, 'a writable Map').to.not.be.instanceOf(Map);
    }
    expect(stack.db.repository(FrozenCredential).metadata).to.equal(metadata);
  });

  for (const [name, attack] of Object.entries(attacks)) {
    it(`${name}: throws, and the next save still encrypts`, async () => {
      const metadata = entityMetadata(FrozenCredential);
      expect(() => attack(metadata)).to.throw(TypeError);
      expect(() => attack(stack.db.repository(FrozenCredential).metadata)).to.throw(TypeError);

      stack.recorder.clear();
      const repo = stack.db.repository(FrozenCredential);
      await repo.save(
        Object.assign(new FrozenCredential(), { id: 'f1', kind: 'k', owner: 'o', secret: SECRET }),
      );
      expectNoPlaintext(stack.recorder.bodies(), SECRET, 'request bodies');
      const stored = await stack.raw(TABLE, { id: { S: 'f1' }, kind: { S: 'k' } });
      // Format v2: sealed in the item's envelope, nothing stored under the field's name.
      expect(stored.__td?.B).to.be.instanceOf(Uint8Array);
      expect(stored).to.not.have.property('secret');
      expect((await repo.get({ id: 'f1', kind: 'k' })).secret).to.equal(SECRET);
    });
  }
});
