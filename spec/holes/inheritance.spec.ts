import { expect } from 'chai';
import {
  Attribute,
  Encrypted,
  Entity,
  EntityDefinitionError,
  Index,
  PartitionKey,
  SortKey,
  Version,
  entityMetadata,
} from '../../src';
import { expectNoPlaintext, rejectionOf } from '../support/leak-check';
import { uniqueTable } from '../support/stack';
import { holeStack, type HoleStack } from './support/hole-stack';

// Hole 2 of issue 10: re-decorating an inherited @Encrypted property replaced its declaration
// whole, so a subclass's `@Attribute({ name })` (the README's way to rename) or an added `@Index`
// stored the secret in clear. Declarations now merge along the prototype chain: a subclass can
// rename, index or re-key a property, and can never remove @Encrypted from it.

const SECRET = 'inherited-secret-must-stay-encrypted-2202';
const TABLE = uniqueTable('hole-inherit');

@Entity({ table: TABLE, name: 'BaseCredential' })
class BaseCredential {
  @PartitionKey() id!: string;
  @Attribute() owner?: string;
  @Encrypted() token?: string;
}

/** The README's rename, applied to the inherited encrypted property. */
@Entity({ table: TABLE, name: 'RenamedCredential' })
class RenamedCredential extends BaseCredential {
  @Attribute({ name: 'tok' }) override token?: string;
}

/** Two levels down, renamed again. */
@Entity({ table: TABLE, name: 'DeepCredential' })
class DeepCredential extends RenamedCredential {
  @Attribute({ name: 'deep_tok' }) override token?: string;
}

function refusedDefinitions(): Record<string, new () => BaseCredential> {
  const table = uniqueTable('hole-inherit-refused');
  @Entity({ table, name: 'IndexedCredential' })
  class IndexedCredential extends BaseCredential {
    @Index('byToken', { partition: true }) override token?: string;
  }
  @Entity({ table, name: 'IndexedRenamed' })
  class IndexedRenamed extends RenamedCredential {
    @Index('byToken', { partition: true })
    @Attribute({ name: 'plain_tok' })
    override token?: string;
  }
  @Entity({ table, name: 'SortKeyed' })
  class SortKeyed extends BaseCredential {
    @SortKey() override token?: string;
  }
  @Entity({ table, name: 'Versioned' })
  class Versioned extends BaseCredential {
    @Version() override token?: string;
  }
  return { IndexedCredential, IndexedRenamed, SortKeyed, Versioned };
}

describe('hole 2: a subclass cannot drop encryption', function () {
  let stack: HoleStack;

  before(async () => {
    stack = await holeStack(BaseCredential);
  });

  beforeEach(() => stack.recorder.clear());

  for (const [name, Cls, attribute] of [
    ['a renamed subclass', RenamedCredential, 'tok'],
    ['a subclass of a renamed subclass', DeepCredential, 'deep_tok'],
  ] as const) {
    it(`${name} keeps the property encrypted under its new attribute name`, async () => {
      const repo = stack.db.repository(Cls);
      const id = `${attribute}-1`;
      await repo.save(Object.assign(new Cls(), { id, owner: 'ada', token: SECRET }));
      expect(stack.recorder.count('PutItemCommand')).to.equal(1);
      expectNoPlaintext(stack.recorder.bodies(), SECRET, 'request bodies');
      const stored = await stack.raw(TABLE, { id: { S: id } });
      // Format v2: the secret is sealed in the item's envelope (`__td`), and neither its old nor
      // its new attribute name is stored; the name it is sealed under is checked below.
      expect(Object.keys(stored).sort()).to.deep.equal(['__td', 'id', 'owner']);
      expect(stored.__td.B, 'stored as a binary envelope').to.be.instanceOf(Uint8Array);
      expectNoPlaintext(JSON.stringify(stored), SECRET, 'stored item');
      expectNoPlaintext(Buffer.from(stored.__td.B!).toString('latin1'), SECRET, 'envelope');

      expect((await repo.get({ id })).token).to.equal(SECRET);
      const token = entityMetadata(Cls).byProperty.get('token');
      expect(token?.attribute).to.equal(attribute);
      expect(token?.encryption).to.not.equal(undefined);
      expect(entityMetadata(Cls).encryptedAttributes.map((a) => a.property)).to.deep.equal([
        'token',
      ]);
    });
  }

  for (const [name, Cls] of Object.entries(refusedDefinitions())) {
    it(`${name}: a combination refused on one class is refused through inheritance`, async () => {
      expect(() => entityMetadata(Cls)).to.throw(EntityDefinitionError);
      const error = await rejectionOf(
        Promise.resolve().then(() =>
          stack.db.repository(Cls).save(Object.assign(new Cls(), { id: 'x', token: SECRET })),
        ),
      );
      expect(error).to.be.instanceOf(EntityDefinitionError);
      expect((error as EntityDefinitionError).code).to.equal('ENTITY_DEFINITION');
      expect((error as Error).message).to.include('token');
      expectNoPlaintext((error as Error).message, SECRET, 'message');
      expect(stack.recorder.count()).to.equal(0);
    });
  }

  it('the base class is unchanged by its subclasses', () => {
    const token = entityMetadata(BaseCredential).byProperty.get('token');
    expect(token?.attribute).to.equal('token');
    expect(token?.encryption).to.not.equal(undefined);
  });
});
