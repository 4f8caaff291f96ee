import { expect } from 'chai';
import { format, inspect } from 'node:util';
import { Attribute, Encrypted, Entity, PartitionKey, REDACTED } from '../../src';
import { expectNoPlaintext } from '../support/leak-check';
import { uniqueTable } from '../support/stack';
import { holeStack, type HoleStack } from './support/hole-stack';

// Hole 11 of issue 10: redaction was installed by @Entity from the properties decorated so far,
// so applying Entity(...) before the property decorators (as plain JavaScript can) left instances
// printing their secrets. Redaction now follows @Encrypted itself, whatever the order.

const SECRET = 'decorator-order-secret-1111';
const TABLE = uniqueTable('hole-order');

/** Decorated by hand, class decorator first: what TypeScript never does and JavaScript can. */
class EntityFirst {
  id!: string;
  owner?: string;
  secret?: string;
}
Entity({ table: TABLE, name: 'EntityFirst' })(EntityFirst);
// No design:type without TypeScript's decorator metadata: every property names its type.
PartitionKey({ type: String })(EntityFirst.prototype, 'id');
Attribute({ type: String })(EntityFirst.prototype, 'owner');
Encrypted()(EntityFirst.prototype, 'secret');
Attribute({ type: String })(EntityFirst.prototype, 'secret');

/** Its subclass, which adds an encrypted property of its own, also after @Entity. */
class EntityFirstChild extends EntityFirst {
  pin?: string;
}
Entity({ table: TABLE, name: 'EntityFirstChild' })(EntityFirstChild);
Encrypted()(EntityFirstChild.prototype, 'pin');
Attribute({ type: String })(EntityFirstChild.prototype, 'pin');

function printedForms(value: object): Record<string, string> {
  return {
    inspect: inspect(value, { depth: Infinity }),
    format: format('%o %O %j %s', value, value, value, value),
    json: JSON.stringify(value),
    nested: inspect({ wrapped: [value] }, { depth: Infinity }),
  };
}

function expectRedacted(value: object, secrets: string[]): void {
  for (const [where, text] of Object.entries(printedForms(value))) {
    for (const secret of secrets) expectNoPlaintext(text, secret, where);
  }
  expect(inspect(value)).to.include(REDACTED);
}

describe('hole 11: redaction does not depend on decorator order', () => {
  let stack: HoleStack;

  before(async () => {
    stack = await holeStack(EntityFirst);
  });

  it('an instance printed before the class is ever used is redacted', () => {
    const entity = Object.assign(new EntityFirst(), { id: 'o1', owner: 'ada', secret: SECRET });
    expectRedacted(entity, [SECRET]);
    expect(inspect(entity)).to.match(/^EntityFirst \{/);
    expect(entity.secret, 'the property keeps its value').to.equal(SECRET);
  });

  it("a subclass's own and inherited encrypted properties are both redacted", () => {
    const pin = 'decorator-order-pin-2222';
    const entity = Object.assign(new EntityFirstChild(), { id: 'o2', secret: SECRET, pin });
    expectRedacted(entity, [SECRET, pin]);
    expect(inspect(entity)).to.match(/^EntityFirstChild \{/);
  });

  it('what the repository loads prints redacted, and the secret was stored encrypted', async () => {
    const repo = stack.db.repository(EntityFirst);
    await repo.save(Object.assign(new EntityFirst(), { id: 'o3', owner: 'ada', secret: SECRET }));
    expectNoPlaintext(stack.recorder.bodies(), SECRET, 'request bodies');
    const loaded = await repo.get({ id: 'o3' });
    expect(loaded.secret).to.equal(SECRET);
    expectRedacted(loaded, [SECRET]);
  });
});
