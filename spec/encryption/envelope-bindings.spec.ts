import { expect } from 'chai';
import { Attribute, Encrypted, Entity, PartitionKey, Signed, SortKey } from '../../src';
import { itemAadEncoder } from '../../src/crypto/associated-data';
import { entityMetadata } from '../../src/metadata/discovery';
import {
  envelopeAttribute,
  envelopeAttributes,
  envelopeBindings,
} from '../../src/repository/envelope-bindings';

@Entity({ table: 'bindings-table', name: 'Ledger' })
class Ledger {
  @PartitionKey() account!: string;
  @SortKey() seq!: number;
  @Signed() @Attribute() owner!: string;
  @Signed() @Attribute() region!: string;
  @Attribute() label?: string;
  @Encrypted() note!: string;
  @Encrypted({ key: 'payments' }) card!: string;
  @Encrypted({ key: 'payments' }) iban!: string;
}

@Entity({ table: 'bindings-table', name: 'Profile' })
class Profile {
  @PartitionKey({ name: 'constructor' }) id!: Buffer;
  @Signed() @Attribute() ownerEmail!: string;
}

@Entity({ table: 'bindings-table', name: 'Plain' })
class Plain {
  @PartitionKey() id!: string;
  @Attribute() label?: string;
}

const HEADER = Buffer.from('54440201', 'hex');

describe('envelopeBindings', () => {
  const metadata = entityMetadata(Ledger);

  it('has one envelope per key binding, each sealing that binding’s fields', () => {
    const bindings = envelopeBindings(metadata, new Set());
    expect(
      bindings.map((b) => [b.keyName, b.attribute, b.fields.map((f) => f.property)]),
    ).to.deep.equal([
      [undefined, '__td', ['note']],
      ['payments', '__td:payments', ['card', 'iban']],
    ]);
    expect([...bindings[1].byAttribute.keys()]).to.deep.equal(['card', 'iban']);
    expect(envelopeAttributes(metadata)).to.deep.equal(['__td', '__td:payments']);
  });

  it('binds keys, the envelope attribute and every signed attribute, as itemAadEncoder does', () => {
    const item = {
      account: { S: 'A#1' },
      seq: { N: '7' },
      owner: { S: 'ada' },
      region: { S: 'eu' },
      label: { S: 'free' },
    };
    const [main, payments] = envelopeBindings(metadata, new Set());
    const expected = itemAadEncoder({
      table: 'bindings-table',
      entity: 'Ledger',
      envelope: '__td',
      partitionKey: 'account',
      sortKey: 'seq',
      signed: ['owner', 'region'],
    })(HEADER, item);
    expect(main.aadOf(HEADER, item).toString('hex')).to.equal(expected.toString('hex'));
    // Each envelope binds its own attribute name, so the two are not interchangeable.
    expect(payments.aadOf(HEADER, item).equals(expected)).to.equal(false);
    // An unsigned attribute changes nothing; a signed one does.
    expect(main.aadOf(HEADER, { ...item, label: { S: 'x' } }).equals(expected)).to.equal(true);
    expect(main.aadOf(HEADER, { ...item, owner: { S: 'eve' } }).equals(expected)).to.equal(false);
  });

  it('gives a signed-only entity one envelope under the default key, with no fields', () => {
    const bindings = envelopeBindings(entityMetadata(Profile), new Set());
    expect(bindings.map((b) => [b.keyName, b.attribute, b.fields.length])).to.deep.equal([
      [undefined, '__td', 0],
    ]);
    expect(envelopeAttributes(entityMetadata(Profile))).to.deep.equal(['__td']);
  });

  it('gives an entity with nothing protected no envelope', () => {
    expect(envelopeBindings(entityMetadata(Plain), new Set())).to.deep.equal([]);
    expect(envelopeAttributes(entityMetadata(Plain))).to.deep.equal([]);
  });

  it('leaves out the fields a plaintext fixture opts out, and the envelope once none is left', () => {
    const partial = envelopeBindings(metadata, new Set(['card']));
    expect(partial.map((b) => b.fields.map((f) => f.property))).to.deep.equal([['note'], ['iban']]);
    const noEnvelope = envelopeBindings(entityMetadata(Profile), new Set(['ownerEmail']));
    expect(noEnvelope).to.deep.equal([]);
  });

  it('refuses an item without its own key attribute (INTEGRITY), never an inherited one', () => {
    const [binding] = envelopeBindings(entityMetadata(Profile), new Set());
    // `constructor` is on every object's prototype: only an own attribute counts.
    expect(() => binding.aadOf(HEADER, { ownerEmail: { S: 'a' } }))
      .to.throw(/no usable key attribute "constructor"/)
      .with.property('code', 'INTEGRITY');
    expect(binding.aadOf(HEADER, { constructor: { B: Buffer.from([1]) } }).length).to.be.above(0);
  });
});

describe('envelopeAttribute', () => {
  it('is __td for the default key and __td:<name> for a named one', () => {
    expect(envelopeAttribute(undefined)).to.equal('__td');
    expect(envelopeAttribute('payments')).to.equal('__td:payments');
  });
});
