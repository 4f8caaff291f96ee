import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { expect } from 'chai';
import fc from 'fast-check';
import {
  AAD_DOMAIN_LABEL,
  itemAadEncoder,
  type ItemAadSchema,
  type StoredItem,
} from '../../src/crypto/associated-data';
import { USER_ITEM, USER_SCHEMA, expectEncryptionError } from './fixtures/crypto-fixtures';

const HEADER = Buffer.from('54440201', 'hex');

/** uint32 BE length, then the bytes: the documented length prefix. */
function lp(bytes: Uint8Array | string): string {
  const data = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : Buffer.from(bytes);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  return length.toString('hex') + data.toString('hex');
}

/** The canonical form of an S or N value, written out by hand: type letter, u32 length, UTF-8. */
function scalar(type: 'S' | 'N', text: string): Buffer {
  return Buffer.from(lp(Buffer.concat([Buffer.from(type)])).slice(8) + lp(text), 'hex');
}

function aad(
  item: StoredItem = USER_ITEM,
  schema: ItemAadSchema = USER_SCHEMA,
  header: Uint8Array = HEADER,
): string {
  return itemAadEncoder(schema)(header, item).toString('hex');
}

const u32 = (n: number): string => n.toString(16).padStart(8, '0');

describe('itemAadEncoder (format v2 associated data)', () => {
  it('is the documented concatenation of length-prefixed fields', () => {
    const expected =
      lp(HEADER) +
      lp(AAD_DOMAIN_LABEL) +
      lp('app-main') +
      lp('User') +
      lp('__td') +
      lp('pk') +
      lp(scalar('S', 'USER#42')) +
      lp('sk') +
      lp(scalar('S', 'PROFILE')) +
      u32(2) +
      lp('ownerEmail') +
      lp(scalar('S', 'ada@example.com')) +
      lp('tier') +
      lp(scalar('N', '3'));
    expect(aad()).to.equal(expected);
    expect(AAD_DOMAIN_LABEL).to.equal('theorydb/aad/v2');
    // The hand-written canonical S: 'S', u32 length, UTF-8.
    expect(scalar('S', 'ab').toString('hex')).to.equal('53000000026162');
  });

  it('encodes no sort key as two empty fields and no signed attributes as a zero count', () => {
    const schema: ItemAadSchema = {
      table: 't',
      entity: 'E',
      envelope: '__td',
      partitionKey: 'id',
      signed: [],
    };
    expect(aad({ id: { N: '7' } }, schema)).to.equal(
      lp(HEADER) +
        lp(AAD_DOMAIN_LABEL) +
        lp('t') +
        lp('E') +
        lp('__td') +
        lp('id') +
        lp(scalar('N', '7')) +
        lp('') +
        lp('') +
        u32(0),
    );
  });

  it('changes with every schema field: header, table, entity, envelope attribute, key names', () => {
    const base = aad();
    const variants = [
      aad(USER_ITEM, USER_SCHEMA, Buffer.from('54440202', 'hex')),
      aad(USER_ITEM, { ...USER_SCHEMA, table: 'app-other' }),
      aad(USER_ITEM, { ...USER_SCHEMA, entity: 'Admin' }),
      aad(USER_ITEM, { ...USER_SCHEMA, envelope: '__td:payments' }),
      aad({ ...USER_ITEM, PK: USER_ITEM.pk }, { ...USER_SCHEMA, partitionKey: 'PK' }),
      aad({ ...USER_ITEM, SK: USER_ITEM.sk }, { ...USER_SCHEMA, sortKey: 'SK' }),
    ];
    expect(new Set([base, ...variants]).size).to.equal(variants.length + 1);
  });

  it('changes with each key value and with the key type (S "1", N "1", B [0x31])', () => {
    const base = aad();
    expect(aad({ ...USER_ITEM, pk: { S: 'USER#43' } })).to.not.equal(base);
    expect(aad({ ...USER_ITEM, sk: { S: 'PROFILF' } })).to.not.equal(base);
    const pkAs = (pk: AttributeValue): string => aad({ ...USER_ITEM, pk });
    const typed = [pkAs({ S: '1' }), pkAs({ N: '1' }), pkAs({ B: Buffer.from('1') })];
    expect(new Set(typed).size).to.equal(3);
    const skAs = (sk: AttributeValue): string => aad({ ...USER_ITEM, sk });
    expect(skAs({ S: '10' })).to.not.equal(skAs({ N: '10' }));
  });

  it('keeps field boundaries: moving a character between fields changes the AAD', () => {
    expect(aad(USER_ITEM, { ...USER_SCHEMA, table: 'ab', entity: 'c' })).to.not.equal(
      aad(USER_ITEM, { ...USER_SCHEMA, table: 'a', entity: 'bc' }),
    );
    expect(aad({ ...USER_ITEM, pk: { S: 'ab' }, sk: { S: 'c' } })).to.not.equal(
      aad({ ...USER_ITEM, pk: { S: 'a' }, sk: { S: 'bc' } }),
    );
  });

  it('changes with each signed value, its type, and its absence', () => {
    const base = aad();
    const { ownerEmail: _e, ...noEmail } = USER_ITEM;
    const { tier: _t, ...noTier } = USER_ITEM;
    const variants = [
      aad({ ...USER_ITEM, ownerEmail: { S: 'eve@example.com' } }),
      aad({ ...USER_ITEM, tier: { N: '4' } }),
      aad({ ...USER_ITEM, tier: { S: '3' } }),
      aad({ ...USER_ITEM, tier: { NS: ['3'] } }),
      aad({ ...USER_ITEM, ownerEmail: { S: '' } }),
      aad({ ...USER_ITEM, ownerEmail: { NULL: true } }),
      aad(noEmail),
      aad(noTier),
    ];
    expect(new Set([base, ...variants]).size).to.equal(variants.length + 1);
  });

  it('binds an absent signed attribute as an empty field, unlike an empty string', () => {
    const { ownerEmail: _e, ...noEmail } = USER_ITEM;
    const absent = aad(noEmail);
    expect(absent).to.include(lp('ownerEmail') + u32(0) + lp('tier'));
    expect(aad({ ...USER_ITEM, ownerEmail: { S: '' } })).to.include(
      lp('ownerEmail') + lp(Buffer.from('5300000000', 'hex')) + lp('tier'),
    );
    // An attribute that holds undefined (the SDK's "not set") is absent too.
    expect(aad({ ...USER_ITEM, ownerEmail: undefined as unknown as AttributeValue })).to.equal(
      absent,
    );
  });

  it('does not change with unsigned attributes, nor with inherited properties', () => {
    const base = aad();
    const { label: _l, ...noLabel } = USER_ITEM;
    expect(aad(noLabel)).to.equal(base);
    expect(aad({ ...USER_ITEM, label: { S: 'changed' }, extra: { N: '1' } })).to.equal(base);
    const { tier: _t, ...noTier } = USER_ITEM;
    const inheriting = Object.assign(Object.create({ tier: { N: '3' } }) as object, noTier);
    expect(aad(inheriting)).to.equal(aad(noTier));
  });

  it('binds signed attributes in UTF-8 name order, whatever the schema order', () => {
    const reversed = aad(USER_ITEM, { ...USER_SCHEMA, signed: ['tier', 'ownerEmail'] });
    expect(reversed).to.equal(aad());
    const doubled = aad(USER_ITEM, { ...USER_SCHEMA, signed: ['tier', 'ownerEmail', 'tier'] });
    expect(doubled).to.equal(aad());
    // Byte order, not locale order: 'Z' (0x5a) sorts before 'a' (0x61), 'é' after 'z'.
    const schema = { ...USER_SCHEMA, signed: ['é', 'a', 'Z'] };
    const hex = aad({ ...USER_ITEM, a: { S: '1' }, Z: { S: '2' }, é: { S: '3' } }, schema);
    const at = (name: string): number => hex.indexOf(lp(name));
    expect(at('Z')).to.be.below(at('a'));
    expect(at('a')).to.be.below(at('é'));
  });

  it('leaves key attributes out of the signed list: they are bound as keys', () => {
    const withKeys = aad(USER_ITEM, { ...USER_SCHEMA, signed: ['pk', 'sk', 'ownerEmail', 'tier'] });
    expect(withKeys).to.equal(aad());
  });

  it('does not change with set order, map key order or number normal forms', () => {
    const schema: ItemAadSchema = { ...USER_SCHEMA, signed: ['roles', 'limits', 'nums', 'doc'] };
    const item = (roles: string[], nums: string[], doc: Record<string, AttributeValue>) =>
      aad(
        {
          ...USER_ITEM,
          roles: { SS: roles },
          limits: { BS: [Buffer.from([2]), Buffer.from([1])] },
          nums: { NS: nums },
          doc: { M: doc },
        },
        schema,
      );
    const a = item(['admin', 'ops'], ['1.50', '2'], { b: { N: '1e2' }, a: { L: [{ N: '0.0' }] } });
    const b = item(['ops', 'admin'], ['2.0', '1.5'], { a: { L: [{ N: '-0' }] }, b: { N: '100' } });
    expect(a).to.equal(b);
    expect(item(['admin'], ['1.5', '2'], { a: { L: [] }, b: { N: '100' } })).to.not.equal(a);
    // List order does count.
    const list = (l: AttributeValue[]) => aad({ ...USER_ITEM, doc: { L: l } }, schema);
    expect(list([{ S: 'x' }, { S: 'y' }])).to.not.equal(list([{ S: 'y' }, { S: 'x' }]));
    // Number keys in normal form.
    expect(aad({ ...USER_ITEM, pk: { N: '1.50' } })).to.equal(
      aad({ ...USER_ITEM, pk: { N: '1.5' } }),
    );
    expect(aad({ ...USER_ITEM, pk: { N: '1e21' } })).to.equal(
      aad({ ...USER_ITEM, pk: { N: '1000000000000000000000' } }),
    );
    expect(aad({ ...USER_ITEM, tier: { N: '3.000' } })).to.equal(aad());
    expect(aad({ ...USER_ITEM, tier: { N: '30' } })).to.not.equal(aad());
  });

  it('refuses an item without a usable key with INTEGRITY', () => {
    const { pk: _p, ...noPk } = USER_ITEM;
    const { sk: _s, ...noSk } = USER_ITEM;
    const bad: StoredItem[] = [
      noPk,
      noSk,
      { ...USER_ITEM, pk: { BOOL: true } },
      { ...USER_ITEM, pk: { NULL: true } },
      { ...USER_ITEM, pk: { SS: ['a'] } },
      { ...USER_ITEM, pk: { S: 'a', N: '1' } as unknown as AttributeValue },
      { ...USER_ITEM, pk: { N: 'abc' } },
      { ...USER_ITEM, pk: { S: 1 } as unknown as AttributeValue },
      { ...USER_ITEM, sk: { B: 'bytes' } as unknown as AttributeValue },
    ];
    for (const item of bad) {
      expectEncryptionError(() => itemAadEncoder(USER_SCHEMA)(HEADER, item), 'INTEGRITY');
    }
  });

  it('refuses a signed value that is not a DynamoDB value with INTEGRITY', () => {
    const bad = [
      {},
      { X: 'a' },
      { S: 'a', N: '1' },
      { N: 'one' },
      { BOOL: 'yes' },
      { NULL: false },
    ];
    for (const value of bad) {
      expectEncryptionError(
        () => itemAadEncoder(USER_SCHEMA)(HEADER, { ...USER_ITEM, tier: value as AttributeValue }),
        'INTEGRITY',
      );
    }
  });

  it('distinct signed values give distinct AAD (property)', () => {
    const text = fc.string({ unit: fc.constantFrom('a', 'b', '\u0000', 'é'), maxLength: 3 });
    const value: fc.Arbitrary<AttributeValue> = fc.oneof(
      text.map((S) => ({ S })),
      fc.constantFrom('0', '1', '10', '0.1', '-1').map((N) => ({ N })),
      fc.uint8Array({ maxLength: 3 }).map((B) => ({ B: Buffer.from(B) })),
      fc.boolean().map((BOOL) => ({ BOOL })),
      fc.constant({ NULL: true }),
    );
    const key = (v: AttributeValue): string =>
      JSON.stringify(v, (_k, x: unknown) =>
        x instanceof Uint8Array || (x as { type?: string })?.type === 'Buffer'
          ? Buffer.from(x as Uint8Array).toString('hex')
          : x,
      );
    fc.assert(
      fc.property(fc.option(value), fc.option(value), (a, b) => {
        const withTier = (v: AttributeValue | null) =>
          aad(
            v === null
              ? { ...USER_ITEM, tier: undefined as unknown as AttributeValue }
              : { ...USER_ITEM, tier: v },
          );
        const same = (a === null ? 'absent' : key(a)) === (b === null ? 'absent' : key(b));
        return (withTier(a) === withTier(b)) === same;
      }),
      { numRuns: 2_000 },
    );
  });
});
