import { expect } from 'chai';
import fc from 'fast-check';
import { Entity, PartitionKey, ResponseMismatchError, SortKey, entityMetadata } from '../../src';
import { compareKeyValues, hasKeyPrefix } from '../../src/repository/key-value-order';
import {
  assertReturnedKey,
  exactKeyCheck,
  keyConditionCheck,
  type KeyTest,
  returnedBatchKey,
} from '../../src/repository/returned-key-check';

@Entity({ table: 'returned-key-units', name: 'ReturnedKeyUnit' })
class Unit {
  @PartitionKey() pk!: string;
  @SortKey() n!: number;
}

/** An exact decimal m / 10^scale, written in one of DynamoDB's accepted spellings. */
const decimal = fc
  .record({
    m: fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }),
    scale: fc.integer({ min: 0, max: 12 }),
    exponent: fc.boolean(),
  })
  .map(({ m, scale, exponent }) => {
    const text = exponent ? `${m}e-${scale}` : spell(m, scale);
    return { m, scale, text };
  });

function spell(m: bigint, scale: number): string {
  const negative = m < 0n;
  const digits = (negative ? -m : m).toString().padStart(scale + 1, '0');
  const body = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return `${negative ? '-' : ''}${body}`;
}

describe('returned-key check (units)', () => {
  describe('compareKeyValues: the order DynamoDB gives key values', () => {
    it('numbers by exact value, never as text or floats', () => {
      expect(compareKeyValues({ N: '10' }, { N: '9' })).to.equal(1);
      expect(compareKeyValues({ N: '-10' }, { N: '-9' })).to.equal(-1);
      expect(compareKeyValues({ N: '1.50' }, { N: '1.5' })).to.equal(0);
      expect(compareKeyValues({ N: '1e2' }, { N: '100' })).to.equal(0);
      expect(compareKeyValues({ N: '-0' }, { N: '0' })).to.equal(0);
      expect(compareKeyValues({ N: '0.5' }, { N: '0.51' })).to.equal(-1);
      // 38 significant digits: equal as doubles, not equal as numbers.
      const big = '12345678901234567890123456789012345678';
      expect(compareKeyValues({ N: big }, { N: `${big.slice(0, -1)}9` })).to.equal(-1);
    });

    it('numbers agree with exact rational comparison (property)', () => {
      fc.assert(
        fc.property(decimal, decimal, (a, b) => {
          // a.m / 10^a.scale vs b.m / 10^b.scale, cross-multiplied.
          const left = a.m * 10n ** BigInt(b.scale);
          const right = b.m * 10n ** BigInt(a.scale);
          const expected = left < right ? -1 : left > right ? 1 : 0;
          return compareKeyValues({ N: a.text }, { N: b.text }) === expected;
        }),
      );
    });

    it('strings by UTF-8 bytes, binaries by unsigned bytes', () => {
      // UTF-16 puts U+1F600 (a surrogate pair) before U+E000; UTF-8 puts it after.
      expect(compareKeyValues({ S: '\u{1F600}' }, { S: '\uE000' })).to.equal(1);
      expect(compareKeyValues({ S: 'a' }, { S: 'ab' })).to.equal(-1);
      expect(compareKeyValues({ B: Uint8Array.of(0x80) }, { B: Uint8Array.of(0x7f) })).to.equal(1);
    });

    it('values of different types, or malformed numbers, are not comparable', () => {
      expect(compareKeyValues({ S: '1' }, { N: '1' })).to.equal(undefined);
      expect(compareKeyValues({ B: Uint8Array.of(1) }, { S: '\u0001' })).to.equal(undefined);
      expect(compareKeyValues({ N: 'one' }, { N: '1' })).to.equal(undefined);
      expect(compareKeyValues({ BOOL: true }, { BOOL: true })).to.equal(undefined);
    });

    it('prefixes by bytes, of strings and binaries only', () => {
      expect(hasKeyPrefix({ S: 'ORDER#42' }, { S: 'ORDER#' })).to.equal(true);
      expect(hasKeyPrefix({ S: 'ORD' }, { S: 'ORDER#' })).to.equal(false);
      expect(hasKeyPrefix({ B: Uint8Array.of(1, 2, 3) }, { B: Uint8Array.of(1, 2) })).to.equal(
        true,
      );
      expect(hasKeyPrefix({ S: 'x' }, { B: Buffer.from('x') })).to.equal(false);
      expect(hasKeyPrefix({ N: '12' }, { N: '1' })).to.equal(false);
    });
  });

  describe('assertReturnedKey', () => {
    const metadata = entityMetadata(Unit);
    const item = (pk: string, n: string) => ({ pk: { S: pk }, n: { N: n }, other: { S: 'x' } });
    const refusal = (check: Parameters<typeof assertReturnedKey>[0], returned: object) => {
      try {
        assertReturnedKey(check, returned as never);
      } catch (error) {
        return error as ResponseMismatchError;
      }
      return undefined;
    };

    it('accepts exactly the key asked for, in any spelling DynamoDB normalises', () => {
      const check = exactKeyCheck(metadata, 'find', { pk: { S: 'p-secret-1' }, n: { N: '1.5' } });
      expect(refusal(check, item('p-secret-1', '1.50'))).to.equal(undefined);
      const wrong = refusal(check, item('p-secret-2', '1.5'));
      expect(wrong).to.be.instanceOf(ResponseMismatchError);
      expect(wrong?.code).to.equal('RESPONSE_MISMATCH');
      expect(wrong?.attribute).to.equal('pk');
      expect(wrong?.message).to.not.include('p-secret');
      expect(refusal(check, item('p-secret-1', '2'))?.attribute).to.equal('n');
      expect(refusal(check, { pk: { S: 'p-secret-1' } })?.attribute, 'missing').to.equal('n');
      expect(refusal(check, { pk: { S: 'p-secret-1' }, n: { S: '1.5' } })?.attribute).to.equal('n');
    });

    const cases: [KeyTest, string[], string[]][] = [
      [{ kind: 'eq', value: { N: '5' } }, ['5', '5.0'], ['4', '6']],
      [{ kind: 'lt', value: { N: '10' } }, ['9', '-1', '9.999'], ['10', '11']],
      [{ kind: 'lte', value: { N: '10' } }, ['10', '9'], ['10.0001', '100']],
      [{ kind: 'gt', value: { N: '9' } }, ['10', '9.5'], ['9', '1']],
      [{ kind: 'gte', value: { N: '9' } }, ['9', '10'], ['8.99']],
      [{ kind: 'between', low: { N: '9' }, high: { N: '10' } }, ['9', '9.5', '10'], ['8', '11']],
    ];
    for (const [test, inside, outside] of cases) {
      it(`${test.kind}: accepts sort keys inside the condition and refuses the others`, () => {
        const check = keyConditionCheck(metadata, 'query', [
          { attribute: 'pk', test: { kind: 'eq', value: { S: 'p' } } },
          { attribute: 'n', test },
        ]);
        for (const n of inside) expect(refusal(check, item('p', n)), n).to.equal(undefined);
        for (const n of outside) expect(refusal(check, item('p', n))?.attribute, n).to.equal('n');
        expect(refusal(check, item('q', inside[0]))?.attribute).to.equal('pk');
      });
    }

    it('batch keys: refuses a missing, mistyped or malformed key attribute', () => {
      expect(returnedBatchKey(metadata, 'batchFind', item('p', '1'))).to.be.a('string');
      for (const bad of [{ pk: { S: 'p' } }, { pk: { S: 'p' }, n: { S: '1' } }, item('p', 'x')]) {
        let thrown: unknown;
        try {
          returnedBatchKey(metadata, 'batchFind', bad as never);
        } catch (error) {
          thrown = error;
        }
        expect(thrown).to.be.instanceOf(ResponseMismatchError);
        expect((thrown as ResponseMismatchError).attribute).to.equal('n');
      }
    });
  });
});
