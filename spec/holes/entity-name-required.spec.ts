import { expect } from 'chai';
import {
  Attribute,
  Encrypted,
  Entity,
  EntityDefinitionError,
  PartitionKey,
  entityMetadata,
} from '../../src';
import { expectNoPlaintext, rejectionOf } from '../support/leak-check';
import { uniqueTable } from '../support/stack';
import { holeStack, type HoleStack } from './support/hole-stack';

// Hole 12 of issue 10: the entity name bound into every ciphertext defaulted to the class name,
// which a minifier (esbuild --minify) renames from one build to the next: every stored value then
// fails with INTEGRITY, an outage. An entity with @Encrypted properties must name itself.

const SECRET = 'minified-class-name-secret-1212';

@Entity({ table: uniqueTable('hole-unnamed') })
class UnnamedCredential {
  @PartitionKey() id!: string;
  @Encrypted() secret?: string;
}

@Entity({ table: uniqueTable('hole-named-base'), name: 'NamedBase' })
class NamedBase {
  @PartitionKey() id!: string;
  @Encrypted() secret?: string;
}

/** Inherits an encrypted property, names no entity of its own. */
@Entity({ table: uniqueTable('hole-unnamed-sub') })
class UnnamedSubclass extends NamedBase {}

/** No encrypted property: nothing is bound to its name, and the class name stays the default. */
@Entity({ table: uniqueTable('hole-unnamed-plain') })
class PlainProfile {
  @PartitionKey() id!: string;
  @Attribute() email?: string;
}

describe('hole 12: an entity with @Encrypted fields must declare @Entity({ name })', () => {
  let stack: HoleStack;

  before(async () => {
    stack = await holeStack(PlainProfile);
  });

  for (const Cls of [UnnamedCredential, UnnamedSubclass]) {
    it(`${Cls.name} is refused with ENTITY_DEFINITION explaining why`, async () => {
      stack.recorder.clear();
      const error = await rejectionOf(
        Promise.resolve().then(() =>
          stack.db.repository(Cls).save(Object.assign(new Cls(), { id: 'u1', secret: SECRET })),
        ),
      );
      expect(error).to.be.instanceOf(EntityDefinitionError);
      expect((error as EntityDefinitionError).code).to.equal('ENTITY_DEFINITION');
      const message = (error as Error).message;
      expect(message).to.include(Cls.name);
      expect(message).to.include('@Entity({ table, name:');
      expect(message).to.match(/minif/);
      expectNoPlaintext(message, SECRET, 'message');
      expect(stack.recorder.count()).to.equal(0);
    });
  }

  it('an entity without encrypted properties keeps the class name as its default', async () => {
    expect(entityMetadata(PlainProfile).entityName).to.equal('PlainProfile');
    const repo = stack.db.repository(PlainProfile);
    await repo.save(Object.assign(new PlainProfile(), { id: 'p1', email: 'ada@example.com' }));
    expect((await repo.get({ id: 'p1' })).email).to.equal('ada@example.com');
  });
});
