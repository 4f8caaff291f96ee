import { expect } from 'chai';
import fc from 'fast-check';
import { ValidationError } from '../../src/errors';
import {
  AAD_DOMAIN_LABEL,
  associatedData,
  composeAad,
  encodeAttributeAad,
  encodeItemAad,
  itemAadEncoder,
  type KeyPart,
  type ValueContext,
} from '../../src/crypto/associated-data';
import { canonicalNumber } from '../../src/crypto/canonical-number';
import { USER_CONTEXT } from './fixtures/crypto-fixtures';

const HEADER = Buffer.from('544401', 'hex');

function lp(bytes: Uint8Array | string): string {
  const data = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : Buffer.from(bytes);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  return length.toString('hex') + data.toString('hex');
}

function aadHex(context: ValueContext, header: Uint8Array = HEADER): string {
  return associatedData(header, context).toString('hex');
}

describe('associatedData', () => {
  it('is the documented concatenation of length-prefixed fields', () => {
    const expected =
      lp(HEADER) +
      lp(AAD_DOMAIN_LABEL) +
      lp('app-main') +
      lp('User') +
      lp('pk') +
      lp(Buffer.concat([Buffer.from('S'), Buffer.from('USER#42')])) +
      lp('sk') +
      lp(Buffer.concat([Buffer.from('S'), Buffer.from('PROFILE')])) +
      lp('email');
    expect(aadHex(USER_CONTEXT)).to.equal(expected);
    expect(AAD_DOMAIN_LABEL).to.equal('theorydb/aad/v1');
  });

  it('encodes no sort key as two empty fields, unlike an empty sort key', () => {
    const { sortKey: _omit, ...noSortKey } = USER_CONTEXT;
    const emptySortKey: ValueContext = { ...USER_CONTEXT, sortKey: { name: '', value: { S: '' } } };
    const tail = lp('') + lp('') + lp('email');
    expect(aadHex(noSortKey).endsWith(tail)).to.equal(true);
    expect(aadHex(noSortKey)).to.not.equal(aadHex(emptySortKey));
  });

  it('keeps field boundaries: moving a character between fields changes the AAD', () => {
    expect(aadHex({ ...USER_CONTEXT, table: 'ab', entity: 'c' })).to.not.equal(
      aadHex({ ...USER_CONTEXT, table: 'a', entity: 'bc' }),
    );
  });

  it('binds the key type: S "1", N "1" and B [0x31] all differ', () => {
    const withPk = (value: KeyPart['value']): string =>
      aadHex({ ...USER_CONTEXT, partitionKey: { name: 'pk', value } });
    const all = [withPk({ S: '1' }), withPk({ N: '1' }), withPk({ B: Buffer.from('1') })];
    expect(new Set(all).size).to.equal(3);
  });

  it('binds numbers in canonical form, as DynamoDB returns them', () => {
    const withPk = (N: string): string =>
      aadHex({ ...USER_CONTEXT, partitionKey: { name: 'pk', value: { N } } });
    expect(withPk('1.50')).to.equal(withPk('1.5'));
    expect(withPk('1e21')).to.equal(withPk('1000000000000000000000'));
    expect(withPk('-0')).to.equal(withPk('0'));
    expect(withPk('1.5')).to.not.equal(withPk('15'));
  });

  it('binds the header', () => {
    expect(aadHex(USER_CONTEXT, Buffer.from('544401aa', 'hex'))).to.not.equal(aadHex(USER_CONTEXT));
  });

  it('refuses key values that are not exactly one of S, N, B', () => {
    const bad = [{}, { S: 1 }, { N: 'abc' }, { B: 'bytes' }, { S: 'a', N: '1' }, { X: 'a' }];
    for (const value of bad) {
      const context = {
        ...USER_CONTEXT,
        partitionKey: { name: 'pk', value },
      } as unknown as ValueContext;
      expect(() => associatedData(HEADER, context)).to.throw(ValidationError);
    }
  });

  it('is injective: distinct contexts (and headers) give distinct AAD (property)', () => {
    // Tiny alphabets so near-collisions (shifted boundaries, empty fields) are common.
    const text = fc.string({
      unit: fc.constantFrom('a', 'b', '\u0000', '\u0001', 'é'),
      maxLength: 3,
    });
    const numberText = fc.constantFrom(
      '0',
      '-0',
      '1',
      '1.0',
      '10',
      '1e1',
      '0.1',
      '1e-1',
      '01',
      '-1',
    );
    const keyValue: fc.Arbitrary<KeyPart['value']> = fc.oneof(
      text.map((S) => ({ S })),
      numberText.map((N) => ({ N })),
      fc.uint8Array({ maxLength: 3 }).map((B) => ({ B })),
    );
    const keyPart = fc.record({ name: text, value: keyValue });
    const context: fc.Arbitrary<ValueContext> = fc.record(
      { table: text, entity: text, partitionKey: keyPart, sortKey: keyPart, attribute: text },
      { requiredKeys: ['table', 'entity', 'partitionKey', 'attribute'] },
    );
    const header = fc.uint8Array({ maxLength: 3 });
    fc.assert(
      fc.property(header, context, header, context, (h1, c1, h2, c2) => {
        const sameAad = associatedData(h1, c1).equals(associatedData(h2, c2));
        const sameMeaning =
          Buffer.from(h1).equals(Buffer.from(h2)) &&
          JSON.stringify(meaning(c1)) === JSON.stringify(meaning(c2));
        return sameAad === sameMeaning;
      }),
      { numRuns: 5000 },
    );
    // The same property on pairs that differ in one field only.
    fc.assert(
      fc.property(
        context,
        fc.constantFrom('table', 'entity', 'attribute'),
        text,
        (c, field, replacement) => {
          const other = { ...c, [field]: replacement };
          const sameAad = associatedData(HEADER, c).equals(associatedData(HEADER, other));
          return sameAad === (c[field] === replacement);
        },
      ),
      { numRuns: 2000 },
    );
  });
});

/** What a context means to DynamoDB: numbers by value, bytes by content, no sort key as null. */
function meaning(context: ValueContext): unknown[] {
  const part = (key: KeyPart | undefined): unknown =>
    key === undefined
      ? null
      : [
          key.name,
          'S' in key.value
            ? ['S', key.value.S]
            : 'N' in key.value
              ? ['N', canonicalNumber(key.value.N)]
              : ['B', Buffer.from(key.value.B).toString('hex')],
        ];
  return [
    context.table,
    context.entity,
    part(context.partitionKey),
    part(context.sortKey),
    context.attribute,
  ];
}

describe('associated data in parts (the read path)', () => {
  const text = fc.string({
    unit: fc.constantFrom('a', '\u0000', 'é', '\ud800', '🔑'),
    maxLength: 4,
  });
  const keyValue: fc.Arbitrary<KeyPart['value']> = fc.oneof(
    text.map((S) => ({ S })),
    fc.constantFrom('0', '-0', '1.50', '1e21', '-1e-130').map((N) => ({ N })),
    fc.uint8Array({ maxLength: 4 }).map((B) => ({ B })),
  );
  const context: fc.Arbitrary<ValueContext> = fc.record(
    {
      table: text,
      entity: text,
      partitionKey: fc.record({ name: text, value: keyValue }),
      sortKey: fc.record({ name: text, value: keyValue }),
      attribute: text,
    },
    { requiredKeys: ['table', 'entity', 'partitionKey', 'attribute'] },
  );

  it('composes exactly the bytes of associatedData, by hand and through the encoder (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), context, (header, c) => {
        const whole = associatedData(header, c);
        const itemPart = encodeItemAad(c);
        const encode = itemAadEncoder({
          table: c.table,
          entity: c.entity,
          partitionKey: c.partitionKey.name,
          ...(c.sortKey === undefined ? {} : { sortKey: c.sortKey.name }),
        });
        const encoded = encode(c.partitionKey.value, c.sortKey?.value);
        expect(encoded.toString('hex')).to.equal(itemPart.toString('hex'));
        const composed = composeAad(header, encoded, encodeAttributeAad(c.attribute));
        expect(composed.toString('hex')).to.equal(whole.toString('hex'));
      }),
      { numRuns: 2000 },
    );
  });

  it('encodes the attribute part as a length-prefixed UTF-8 name', () => {
    expect(encodeAttributeAad('email').toString('hex')).to.equal(lp('email'));
    expect(encodeAttributeAad('é').toString('hex')).to.equal(lp('é'));
  });

  it('snapshots binary key values: changing the item afterwards changes nothing', () => {
    const encode = itemAadEncoder({ table: 't', entity: 'E', partitionKey: 'pk', sortKey: 'sk' });
    const key = Uint8Array.from([1, 2, 3]);
    const before = encode({ B: key }, { S: 'x' });
    const copy = Buffer.from(before);
    key[0] = 9;
    expect(before.equals(copy)).to.equal(true);
    expect(encode({ B: key }, { S: 'x' }).equals(copy)).to.equal(false);
  });

  it('refuses a sort key the schema does not have, a missing one, and values that are not keys', () => {
    const withSort = itemAadEncoder({ table: 't', entity: 'E', partitionKey: 'pk', sortKey: 'sk' });
    const without = itemAadEncoder({ table: 't', entity: 'E', partitionKey: 'pk' });
    expect(() => withSort({ S: 'a' })).to.throw(ValidationError);
    expect(() => without({ S: 'a' }, { S: 'b' })).to.throw(ValidationError);
    expect(() => without({ N: 'not a number' })).to.throw(ValidationError);
    expect(() => without({ S: 'a', N: '1' })).to.throw(ValidationError);
    expect(() => without({ BOOL: true } as unknown as KeyPart['value'])).to.throw(ValidationError);
  });
});
