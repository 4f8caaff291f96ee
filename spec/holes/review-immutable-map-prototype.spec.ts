import { expect } from 'chai';
import {
  Encrypted,
  Entity,
  PartitionKey,
  entityMetadata,
  type AttributeMetadata,
  type EntityMetadata,
} from '../../src';
import { expectNoPlaintext } from '../support/leak-check';
import { uniqueTable } from '../support/stack';
import { holeStack, type HoleStack } from './support/hole-stack';

// Review of issue 10 (ImmutableMap prototype): the metadata's maps are frozen ImmutableMaps, but
// their prototype, one `Object.getPrototypeOf(metadata.byProperty)` away, was not. Replacing its
// `get` with one that hides `encryption` made update() (and conditions) treat an encrypted
// property as plain, process-wide: the update sent the secret in clear.

const SECRET = 'review-immutable-prototype-secret-0909';
const TABLE = uniqueTable('review-map-proto');

@Entity({ table: TABLE, name: 'ProtoCredential' })
class ProtoCredential {
  @PartitionKey() id!: string;
  @Encrypted() secret?: string;
}

type Loose = Record<PropertyKey, unknown>;
type Get = (this: ReadonlyMap<string, AttributeMetadata>, key: string) => unknown;

/** `get` as the attack replaces it: encrypted attributes come back without their encryption. */
function hidingGet(original: Get): Get {
  return function (this: ReadonlyMap<string, AttributeMetadata>, key: string) {
    const found = original.call(this, key) as AttributeMetadata | undefined;
    return found?.encryption === undefined ? found : { ...found, encryption: undefined };
  };
}

const attacks: Record<string, (m: EntityMetadata<ProtoCredential>) => void> = {
  'assign get on the prototype': (m) => {
    const proto = Object.getPrototypeOf(m.byProperty) as Loose;
    proto.get = hidingGet(proto.get as Get);
  },
  'defineProperty get on the prototype': (m) => {
    const proto = Object.getPrototypeOf(m.byProperty) as Loose;
    Object.defineProperty(proto, 'get', { value: hidingGet(proto.get as Get) });
  },
  'assign get on the class through constructor.prototype': (m) => {
    const ctor = (m.byProperty as unknown as Loose).constructor as { prototype: Loose };
    ctor.prototype.get = hidingGet(ctor.prototype.get as Get);
  },
  'give the map another prototype': (m) => {
    const proto = Object.getPrototypeOf(m.byProperty) as Loose;
    const forged = Object.create(proto) as Loose;
    forged.get = hidingGet(proto.get as Get);
    Object.setPrototypeOf(m.byProperty, forged);
  },
};

describe('review: the prototype of the metadata maps is no switch either', () => {
  let stack: HoleStack;

  before(async () => {
    stack = await holeStack(ProtoCredential);
    await stack.db
      .repository(ProtoCredential)
      .save(Object.assign(new ProtoCredential(), { id: 'p1', secret: 'before' }));
  });

  it('the prototype and the class of the metadata maps are frozen', () => {
    const { byProperty } = entityMetadata(ProtoCredential);
    const proto = Object.getPrototypeOf(byProperty) as object;
    expect(Object.isFrozen(proto)).to.equal(true);
    expect(Object.isFrozen((proto as Loose).constructor)).to.equal(true);
  });

  for (const [name, attack] of Object.entries(attacks)) {
    it(`${name}: throws, and an update of the encrypted property still encrypts`, async () => {
      const metadata = entityMetadata(ProtoCredential);
      const proto = Object.getPrototypeOf(metadata.byProperty) as Loose;
      const originalGet = proto.get;
      let thrown: unknown;
      try {
        try {
          attack(metadata);
        } catch (error) {
          thrown = error;
        }
        stack.recorder.clear();
        const repo = stack.db.repository(ProtoCredential);
        await repo.update({ id: 'p1' }, { set: { secret: SECRET } }).catch(() => undefined);
        expectNoPlaintext(stack.recorder.bodies(), SECRET, 'the UpdateItem body');
        const stored = await stack.raw(TABLE, { id: { S: 'p1' } });
        // Format v2: sealed in the item's envelope, nothing stored under the field's name; the
        // envelope now holds the updated value.
        expect(stored.__td?.B).to.be.instanceOf(Uint8Array);
        expect(stored).to.not.have.property('secret');
        expect((await repo.get({ id: 'p1' })).secret).to.equal(SECRET);
        expect(thrown).to.be.instanceOf(TypeError);
      } finally {
        // On the unfixed code the attack works: undo it, so other specs see intact metadata.
        if (!Object.isFrozen(proto)) {
          Object.defineProperty(proto, 'get', { value: originalGet, writable: true });
        }
        if (
          Object.getPrototypeOf(metadata.byProperty) !== proto &&
          !Object.isFrozen(metadata.byProperty)
        ) {
          Object.setPrototypeOf(metadata.byProperty, proto);
        }
      }
    });
  }
});
