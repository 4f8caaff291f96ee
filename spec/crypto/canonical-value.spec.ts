import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { expect } from 'chai';
import fc from 'fast-check';
import { CANONICAL_TAGS, canonicalValue } from '../../src/crypto/canonical-value';
import { expectEncryptionError } from './fixtures/crypto-fixtures';

const hex = (value: AttributeValue): string => canonicalValue(value).toString('hex');
const u32 = (n: number): string => n.toString(16).padStart(8, '0');
const utf8 = (s: string): string => Buffer.from(s, 'utf8').toString('hex');
/** A tagged payload: tag byte, u32 length or count, then the payload. */
const tagged = (tag: number, count: number, payload = ''): string =>
  tag.toString(16).padStart(2, '0') + u32(count) + payload;
const member = (bytes: string): string => u32(bytes.length / 2) + bytes;

describe('canonicalValue', () => {
  it('uses the DynamoDB type letters as tags', () => {
    expect(CANONICAL_TAGS).to.deep.equal({
      S: 0x53,
      N: 0x4e,
      B: 0x42,
      BOOL: 0x3f,
      NULL: 0x30,
      L: 0x4c,
      M: 0x4d,
      SS: 0x73,
      NS: 0x6e,
      BS: 0x62,
    });
  });

  it('encodes each scalar type byte by byte', () => {
    expect(hex({ S: 'ada' })).to.equal(tagged(0x53, 3, utf8('ada')));
    expect(hex({ S: '' })).to.equal('5300000000');
    expect(hex({ S: 'é' })).to.equal(tagged(0x53, 2, 'c3a9'));
    expect(hex({ N: '-1.50' })).to.equal(tagged(0x4e, 4, utf8('-1.5')));
    expect(hex({ B: Buffer.from([0, 255]) })).to.equal(tagged(0x42, 2, '00ff'));
    expect(hex({ B: new Uint8Array(0) })).to.equal('4200000000');
    expect(hex({ BOOL: true })).to.equal('3f01');
    expect(hex({ BOOL: false })).to.equal('3f00');
    expect(hex({ NULL: true })).to.equal('30');
  });

  it('encodes containers with counts; sets sorted by bytes, maps by UTF-8 key', () => {
    expect(hex({ L: [{ S: 'b' }, { NULL: true }] })).to.equal(
      tagged(0x4c, 2, tagged(0x53, 1, utf8('b')) + '30'),
    );
    expect(hex({ M: { b: { BOOL: true }, a: { N: '1' } } })).to.equal(
      tagged(0x4d, 2, member(utf8('a')) + tagged(0x4e, 1, utf8('1')) + member(utf8('b')) + '3f01'),
    );
    expect(hex({ SS: ['ops', 'admin'] })).to.equal(
      tagged(0x73, 2, member(utf8('admin')) + member(utf8('ops'))),
    );
    expect(hex({ NS: ['10', '9', '1e1'] })).to.equal(
      tagged(0x6e, 3, member(utf8('10')) + member(utf8('10')) + member(utf8('9'))),
    );
    expect(hex({ BS: [Buffer.from([2]), Buffer.from([1, 0])] })).to.equal(
      tagged(0x62, 2, member('0100') + member('02')),
    );
  });

  it('is equal for every form DynamoDB may return of one value', () => {
    const same: [AttributeValue, AttributeValue][] = [
      [{ N: '1.50' }, { N: '1.5' }],
      [{ N: '1e21' }, { N: '1000000000000000000000' }],
      [{ N: '-0' }, { N: '0' }],
      [{ N: '+007.0' }, { N: '7' }],
      [{ NS: ['2', '1.0'] }, { NS: ['1', '2'] }],
      [{ SS: ['b', 'a'] }, { SS: ['a', 'b'] }],
      [{ BS: [Buffer.from('b'), Buffer.from('a')] }, { BS: [Buffer.from('a'), Buffer.from('b')] }],
      [
        { M: { z: { N: '1.0' }, a: { SS: ['y', 'x'] } } },
        { M: { a: { SS: ['x', 'y'] }, z: { N: '1' } } },
      ],
      [{ B: new Uint8Array([1, 2]) }, { B: Buffer.from([1, 2]) }],
      [{ S: 'x', N: undefined }, { S: 'x' }],
    ];
    for (const [a, b] of same) expect(hex(a), JSON.stringify(a)).to.equal(hex(b));
  });

  it('tells apart values that look alike', () => {
    const distinct: AttributeValue[] = [
      { S: '1' },
      { N: '1' },
      { B: Buffer.from('1') },
      { SS: ['1'] },
      { NS: ['1'] },
      { BS: [Buffer.from('1')] },
      { L: [{ S: '1' }] },
      { M: { '1': { NULL: true } } },
      { S: '' },
      { L: [] },
      { M: {} },
      { NULL: true },
      { BOOL: false },
      { L: [{ S: 'a' }, { S: 'b' }] },
      { L: [{ S: 'b' }, { S: 'a' }] },
      { L: [{ S: 'ab' }] },
      { SS: ['a', 'b'] },
      { SS: ['ab'] },
    ];
    expect(new Set(distinct.map(hex)).size).to.equal(distinct.length);
  });

  it('refuses what is not a DynamoDB value with INTEGRITY', () => {
    let deep: AttributeValue = { S: 'x' };
    for (let i = 0; i < 40; i += 1) deep = { L: [deep] };
    const bad: unknown[] = [
      {},
      { S: 'a', N: '1' },
      { X: 'a' },
      { S: 1 },
      { N: 'one' },
      { N: 1 },
      { B: 'bytes' },
      { BOOL: 1 },
      { NULL: false },
      { L: 'x' },
      { M: null },
      { SS: 'a' },
      { SS: [1] },
      { NS: ['x'] },
      { BS: ['a'] },
      deep,
    ];
    for (const value of bad) {
      expectEncryptionError(() => canonicalValue(value as AttributeValue), 'INTEGRITY');
    }
  });

  it('is injective over random values (property)', () => {
    const text = fc.string({ unit: fc.constantFrom('a', 'b', '\u0000', 'é'), maxLength: 3 });
    const leaf: fc.Arbitrary<AttributeValue> = fc.oneof(
      text.map((S) => ({ S })),
      fc.constantFrom('0', '1', '10', '0.1', '-1').map((N) => ({ N })),
      fc.uint8Array({ maxLength: 2 }).map((B) => ({ B: Buffer.from(B) })),
      fc.boolean().map((BOOL) => ({ BOOL })),
      fc.constant<AttributeValue>({ NULL: true }),
      fc.uniqueArray(text, { minLength: 1, maxLength: 3 }).map((SS) => ({ SS })),
    );
    const value = fc.letrec<{ v: AttributeValue }>((tie) => ({
      v: fc.oneof(
        { depthSize: 'small' },
        leaf,
        fc.array(tie('v'), { maxLength: 3 }).map((L) => ({ L })),
        fc.dictionary(text, tie('v'), { maxKeys: 2 }).map((M) => ({ M })),
      ),
    })).v;
    // A canonical description independent of the encoder: sorted sets and map keys.
    const describe = (v: AttributeValue): unknown => {
      if (v.L !== undefined) return ['L', v.L.map(describe)];
      if (v.M !== undefined)
        return [
          'M',
          Object.keys(v.M)
            .sort()
            .map((k) => [k, describe(v.M[k])]),
        ];
      if (v.SS !== undefined) return ['SS', [...v.SS].sort()];
      if (v.B !== undefined) return ['B', Buffer.from(v.B).toString('hex')];
      return v;
    };
    fc.assert(
      fc.property(value, value, (a, b) => {
        const same = JSON.stringify(describe(a)) === JSON.stringify(describe(b));
        return canonicalValue(a).equals(canonicalValue(b)) === same;
      }),
      { numRuns: 2_000 },
    );
  });
});
