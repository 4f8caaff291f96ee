import { expect } from 'chai';
import fc from 'fast-check';
import { ValidationError } from '../../src/errors';
import { canonicalNumber } from '../../src/crypto/canonical-number';

/** A decimal value as mantissa x 10^-scale, the model the property tests reason with. */
interface Decimal {
  mantissa: bigint;
  scale: number;
}

const decimalArb: fc.Arbitrary<Decimal> = fc.record({
  mantissa: fc.oneof(
    fc.bigInt({ min: -1000n, max: 1000n }),
    fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n }),
  ),
  scale: fc.integer({ min: -60, max: 60 }),
});

/** Reference rendering by bigint arithmetic (a different route from the string code under test). */
function reference({ mantissa, scale }: Decimal): string {
  if (mantissa === 0n) return '0';
  let m = mantissa < 0n ? -mantissa : mantissa;
  let s = scale;
  while (m % 10n === 0n) {
    m /= 10n;
    s -= 1;
  }
  const sign = mantissa < 0n ? '-' : '';
  if (s <= 0) return sign + (m * 10n ** BigInt(-s)).toString();
  const unit = 10n ** BigInt(s);
  const fraction = (m % unit).toString().padStart(s, '0');
  return `${sign}${(m / unit).toString()}.${fraction}`;
}

/** Several spellings of the same value: padded, exponent forms, explicit plus sign. */
function spellings({ mantissa, scale }: Decimal, shift: number, pad: number): string[] {
  const negative = mantissa < 0n;
  const digits = (negative ? -mantissa : mantissa).toString();
  const sign = negative ? '-' : '';
  const plus = negative ? '-' : '+';
  const zeros = '0'.repeat(pad);
  // digits x 10^(-scale) = digits x 10^(shift - scale) x 10^-shift
  const asExponent = `${sign}${digits}e${-scale}`;
  const shifted = `${plus}${zeros}${digits}${zeros}E${-scale - pad}`;
  const point = digits.length - shift;
  const withPoint =
    point <= 0
      ? `${sign}0.${'0'.repeat(-point)}${digits}${zeros}e${-scale + shift}`
      : `${sign}${zeros}${digits.slice(0, point)}.${digits.slice(point)}${zeros}e${-scale + shift}`;
  return [asExponent, shifted, withPoint];
}

function compare(a: Decimal, b: Decimal): boolean {
  const scale = Math.max(a.scale, b.scale);
  return (
    a.mantissa * 10n ** BigInt(scale - a.scale) === b.mantissa * 10n ** BigInt(scale - b.scale)
  );
}

describe('canonicalNumber', () => {
  const examples: Array<[string, string]> = [
    ['0', '0'],
    ['-0', '0'],
    ['-0.000', '0'],
    ['+0e99999999999', '0'],
    ['1', '1'],
    ['+1', '1'],
    ['007', '7'],
    ['1.50', '1.5'],
    ['1.', '1'],
    ['.5', '0.5'],
    ['-.5e1', '-5'],
    ['1e21', '1000000000000000000000'],
    ['1e+21', '1000000000000000000000'],
    ['1E-7', '0.0000001'],
    ['-1.5e-3', '-0.0015'],
    ['123.456e2', '12345.6'],
    ['123.456e-2', '1.23456'],
    ['100e-2', '1'],
    ['0.000100', '0.0001'],
    ['1e000000000000001', '10'],
    [
      '9.9999999999999999999999999999999999999E+125',
      '99999999999999999999999999999999999999' + '0'.repeat(88),
    ],
  ];
  for (const [input, expected] of examples) {
    const shown = expected.length > 30 ? `${expected.slice(0, 30)}...` : expected;
    it(`maps ${input} to ${shown}`, () => {
      expect(canonicalNumber(input)).to.equal(expected);
    });
  }

  const invalid = [
    '',
    '-',
    '+',
    '.',
    'e5',
    '1e',
    '1e+',
    'abc',
    ' 1',
    '1 ',
    'Infinity',
    'NaN',
    '0x10',
    '1_000',
    '1..2',
    '--1',
    '1e5.5',
  ];
  for (const input of invalid) {
    it(`refuses ${JSON.stringify(input)} with a ValidationError`, () => {
      expect(() => canonicalNumber(input)).to.throw(ValidationError);
    });
  }

  it('refuses huge exponents and expansions (bounded work)', () => {
    expect(() => canonicalNumber('1e9999999')).to.throw(ValidationError, /range/);
    expect(() => canonicalNumber('1e2000')).to.throw(ValidationError, /range/);
    expect(() => canonicalNumber('1e-2000')).to.throw(ValidationError, /range/);
    expect(canonicalNumber('1e-130')).to.equal(`0.${'0'.repeat(129)}1`);
  });

  it('agrees with a bigint reference, for every spelling of a value (property)', () => {
    fc.assert(
      fc.property(
        decimalArb,
        fc.integer({ min: 0, max: 45 }),
        fc.integer({ min: 0, max: 3 }),
        (value, shift, pad) => {
          const expected = reference(value);
          for (const spelling of spellings(value, shift, pad)) {
            if (canonicalNumber(spelling) !== expected) return false;
          }
          return canonicalNumber(expected) === expected;
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('maps equal values to one string and different values to different strings (property)', () => {
    // Pairs that are often equal (rescaled) or adjacent, not only unrelated random values.
    const pairArb = fc.oneof(
      fc.tuple(decimalArb, decimalArb),
      fc
        .tuple(decimalArb, fc.integer({ min: 0, max: 5 }))
        .map(([a, k]): [Decimal, Decimal] => [
          a,
          { mantissa: a.mantissa * 10n ** BigInt(k), scale: a.scale + k },
        ]),
      fc
        .tuple(decimalArb, fc.constantFrom(-1n, 1n))
        .map(([a, d]): [Decimal, Decimal] => [a, { mantissa: a.mantissa + d, scale: a.scale }]),
    );
    fc.assert(
      fc.property(pairArb, ([a, b]) => {
        const same =
          canonicalNumber(`${a.mantissa}e${-a.scale}`) ===
          canonicalNumber(`${b.mantissa}e${-b.scale}`);
        return same === compare(a, b);
      }),
      { numRuns: 3000 },
    );
  });

  it('keeps the exact value of every JavaScript number (property)', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) => {
        const canonical = canonicalNumber(String(x));
        return (
          Number(canonical) === x &&
          canonicalNumber(canonical) === canonical &&
          !/e|^\+|^-0$/i.test(canonical)
        );
      }),
      { numRuns: 2000 },
    );
  });
});
