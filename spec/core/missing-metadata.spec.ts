import { expect } from 'chai';
import {
  Attribute,
  Encrypted,
  Entity,
  EntityDefinitionError,
  PartitionKey,
  entityMetadata,
} from '../../src';

// Legacy decorators applied by hand, with no design:type: what tsx, esbuild, vitest and bun give
// a class compiled with experimentalDecorators.

function untypedEntity(name: string, decorate: (prototype: object) => void) {
  const target = { [name]: class {} }[name];
  Entity({ table: `missing-${name}`, name })(target);
  decorate(target.prototype);
  return target;
}

function definitionError(target: new () => object): EntityDefinitionError {
  const error = (() => {
    try {
      entityMetadata(target);
    } catch (e) {
      return e;
    }
  })();
  expect(error).to.be.instanceOf(EntityDefinitionError);
  return error as EntityDefinitionError;
}

describe('legacy decorators without design:type (runners that emit no decorator metadata)', () => {
  it('@Encrypted({ type }) is a real option', () => {
    const target = untypedEntity('EncryptedTyped', (p) => {
      PartitionKey({ type: String })(p, 'id');
      Encrypted({ type: String })(p, 'secret');
    });
    const secret = entityMetadata(target).byProperty.get('secret')!;
    expect(secret.codec.kind).to.equal('string');
    expect(secret.encryption).to.deep.equal({ keyName: undefined });
  });

  it('stacking @Attribute({ type }) with @Encrypted() works, in either order', () => {
    const target = untypedEntity('Stacked', (p) => {
      PartitionKey({ type: Number })(p, 'id');
      Encrypted()(p, 'a');
      Attribute({ type: Number })(p, 'a');
      Attribute({ type: String, name: 'bb' })(p, 'b');
      Encrypted({ key: 'other' })(p, 'b');
    });
    const m = entityMetadata(target);
    expect(m.encryptedAttributes.map((a) => [a.property, a.attribute, a.codec.kind])).to.deep.equal(
      [
        ['a', 'a', 'number'],
        ['b', 'bb', 'string'],
      ],
    );
  });

  it('an untyped encrypted field names the runners and the fix, never emitDecoratorMetadata', () => {
    const target = untypedEntity('Untyped', (p) => {
      PartitionKey({ type: String })(p, 'id');
      Encrypted()(p, 'secret');
    });
    const error = definitionError(target);
    expect(error.code).to.equal('ENTITY_DEFINITION');
    expect(error.property).to.equal('secret');
    expect(error.message).to.equal(
      'Untyped.secret: has no type: the compiler or runner emits no decorator metadata (no ' +
        'property of Untyped has design:type). tsx, esbuild, vitest and bun never emit it, ' +
        'whatever the tsconfig says. Give each property its type, @Encrypted({ type: String }) ' +
        '(or Number, Boolean, BigInt, Date, Uint8Array, Object, Array, Set, or a class); ' +
        'stacking @Attribute({ type: String }) @Encrypted() works too, or use standard ' +
        'decorators (README: "Decorators: legacy and standard")',
    );
    expect(error.message).to.not.match(/emitDecoratorMetadata|nested classes/);
  });
});
