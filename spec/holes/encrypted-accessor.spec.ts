import { expect } from 'chai';
import { inspect } from 'node:util';
import { Encrypted, Entity, EntityDefinitionError, PartitionKey, entityMetadata } from '../../src';
import { expectNoPlaintext, rejectionOf } from '../support/leak-check';
import { uniqueTable } from '../support/stack';
import { holeStack, type HoleStack } from './support/hole-stack';

// Hole 7 of issue 10: `@Encrypted` on an accessor encrypted what the getter returned, but the
// backing field it reads is an ordinary property, which printed and serialised in clear. Accessors
// (and methods) are refused with ENTITY_DEFINITION, on the class and through inheritance.

const SECRET = 'accessor-backing-field-secret-7707';

@Entity({ table: uniqueTable('hole-accessor'), name: 'AccessorCredential' })
class AccessorCredential {
  @PartitionKey() id!: string;
  private backing?: string;

  @Encrypted()
  get secret(): string | undefined {
    return this.backing;
  }
  set secret(value: string | undefined) {
    this.backing = value;
  }
}

@Entity({ table: uniqueTable('hole-accessor-base'), name: 'FieldCredential' })
class FieldCredential {
  @PartitionKey() id!: string;
  @Encrypted() secret?: string;
}

/**
 * A subclass turning the inherited encrypted field into an accessor over a plain field. TypeScript
 * refuses to override a field with an accessor; JavaScript does not, so define it by hand.
 */
@Entity({ table: uniqueTable('hole-accessor-sub'), name: 'AccessorSubclass' })
class AccessorSubclass extends FieldCredential {}
Object.defineProperty(AccessorSubclass.prototype, 'secret', {
  get(this: { shadow?: string }) {
    return this.shadow;
  },
  set(this: { shadow?: string }, value: string) {
    this.shadow = value;
  },
  configurable: true,
});

describe('hole 7: @Encrypted on an accessor', () => {
  let stack: HoleStack;

  before(async () => {
    stack = await holeStack(FieldCredential);
  });

  for (const Cls of [AccessorCredential, AccessorSubclass]) {
    it(`${Cls.name} is refused with ENTITY_DEFINITION before anything is sent`, async () => {
      stack.recorder.clear();
      const entity = Object.assign(new Cls(), { id: 'a1' });
      entity.secret = SECRET;
      const error = await rejectionOf(
        Promise.resolve().then(() => stack.db.repository(Cls).save(entity)),
      );
      expect(error).to.be.instanceOf(EntityDefinitionError);
      expect((error as EntityDefinitionError).code).to.equal('ENTITY_DEFINITION');
      expect((error as Error).message).to.match(/secret.*accessor/);
      expect(() => entityMetadata(Cls)).to.throw(EntityDefinitionError, /accessor/);
      expect(stack.recorder.count()).to.equal(0);
      expectNoPlaintext(inspect(error, { depth: 5 }), SECRET, 'error');
    });
  }

  it('a plain encrypted field of the base class stays accepted', () => {
    expect(entityMetadata(FieldCredential).encryptedAttributes).to.have.length(1);
  });
});
