import { expect } from 'chai';
import fc from 'fast-check';
import { EncryptionError, ValidationError } from '../../src/errors';
import {
  MAX_NESTING_DEPTH,
  PlaintextTag,
  decodePlaintext,
  encodePlaintext,
} from '../../src/crypto/plaintext-codec';
import { exactDifference } from './fixtures/exact-equal';

function roundTrip(value: unknown): unknown {
  return decodePlaintext(encodePlaintext(value));
}

function expectExact(actual: unknown, expected: unknown): void {
  expect(exactDifference(actual, expected)).to.equal(undefined);
}

function expectMalformed(bytes: Uint8Array): void {
  let thrown: unknown;
  try {
    decodePlaintext(bytes);
  } catch (error) {
    thrown = error;
  }
  expect(thrown).to.be.instanceOf(EncryptionError);
  expect((thrown as EncryptionError).code).to.equal('MALFORMED_CIPHERTEXT');
}

/** An object built with defineProperty, so keys like `__proto__` stay data. */
function objectFrom(
  entries: Array<[string, unknown]>,
  nullPrototype: boolean,
): Record<string, unknown> {
  const object: Record<string, unknown> = nullPrototype ? Object.create(null) : {};
  for (const [key, value] of entries) {
    Object.defineProperty(object, key, {
      value,
      writable: true,
      enumerable: true,
      configurable: true,
    });
  }
  return object;
}

function nested(depth: number): unknown {
  let value: unknown = 'leaf';
  for (let i = 0; i < depth; i += 1) value = [value];
  return value;
}

/** Hand-built encoding: tag, uint32 length, payload. */
function framed(tag: number, payload: Uint8Array): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(payload.length);
  return Buffer.concat([Buffer.from([tag]), length, payload]);
}

const key = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 6 }),
  fc.constantFrom('__proto__', 'constructor', 'toString', '0', '10', ''),
);

const leaf = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.string({ unit: 'binary', maxLength: 20 }).filter((s) => !/\p{Cs}/u.test(s)),
  fc.double(),
  fc.constantFrom(NaN, -0, 0, Infinity, -Infinity, Number.MIN_VALUE, Number.MAX_VALUE),
  fc.bigInt(),
  fc.bigInt({ min: -(2n ** 600n), max: 2n ** 600n }),
  fc.boolean(),
  fc.constant(null),
  fc.date({ noInvalidDate: true }),
  fc.constantFrom(new Date(8.64e15), new Date(-8.64e15), new Date(0)),
  fc.uint8Array({ maxLength: 20 }),
  fc.uint8Array({ maxLength: 20 }).map((bytes) => Buffer.from(bytes)),
);

const { value: valueArb } = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.array(tie('value'), { maxLength: 4 }).map((members) => new Set(members)),
    fc
      .array(fc.tuple(tie('value'), tie('value')), { maxLength: 4 })
      .map((entries) => new Map(entries)),
    fc
      .tuple(
        fc.uniqueArray(fc.tuple(key, fc.option(tie('value'), { nil: undefined, freq: 5 })), {
          maxLength: 4,
          selector: ([name]) => name,
        }),
        fc.boolean(),
      )
      .map(([entries, nullPrototype]) => objectFrom(entries, nullPrototype)),
  ),
}));

describe('plaintext codec', () => {
  describe('round trip', () => {
    const cases: Array<[string, unknown]> = [
      ['a string', 'hello'],
      ['an empty string', ''],
      ['a string with a BOM and astral characters', '\uFEFFGrüße 👋 \u0000'],
      ['-0', -0],
      ['NaN', NaN],
      ['Infinity', -Infinity],
      ['a bigint beyond 2^64', -(2n ** 100n) - 7n],
      ['0n', 0n],
      ['true', true],
      ['null', null],
      ['a Date', new Date('2024-02-29T12:34:56.789Z')],
      ['a Date before the epoch', new Date(-1)],
      ['a Uint8Array', new Uint8Array([0, 1, 255])],
      ['a Buffer', Buffer.from('cafe', 'hex')],
      ['an empty Buffer', Buffer.alloc(0)],
      ['a Set', new Set([1, '1', 1n, null])],
      [
        'a Map with object keys',
        new Map<unknown, unknown>([
          [{ a: 1 }, [1]],
          ['k', new Set()],
        ]),
      ],
      ['a null-prototype object', objectFrom([['a', 1]], true)],
      ['an object with a __proto__ key', objectFrom([['__proto__', { polluted: true }]], false)],
      [`${MAX_NESTING_DEPTH} nested arrays`, nested(MAX_NESTING_DEPTH)],
    ];
    for (const [label, value] of cases) {
      it(`keeps ${label}`, () => expectExact(roundTrip(value), value));
    }

    it('drops undefined-valued properties, like JSON', () => {
      expectExact(roundTrip({ a: 1, b: undefined }), { a: 1 });
      expect(Object.keys(roundTrip({ a: 1, b: undefined }) as object)).to.deep.equal(['a']);
    });

    it('does not let a __proto__ key change the prototype', () => {
      const decoded = roundTrip(objectFrom([['__proto__', { polluted: true }]], false)) as Record<
        string,
        unknown
      >;
      expect(Object.getPrototypeOf(decoded)).to.equal(Object.prototype);
      expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
    });

    it('decodes byte values into fresh memory, Buffers outside the shared pool', () => {
      const encoded = encodePlaintext(Buffer.from('secret'));
      const decoded = decodePlaintext(encoded) as Buffer;
      encoded.fill(0);
      expect(decoded.toString()).to.equal('secret');
      expect(decoded.buffer.byteLength).to.equal(decoded.length);
    });

    it('keeps any supported value with its exact types (property, 2000 runs)', () => {
      fc.assert(
        fc.property(valueArb, (value) => exactDifference(roundTrip(value), value) === undefined),
        { numRuns: 2000 },
      );
    });

    it('is deterministic: equal values encode to equal bytes (property)', () => {
      fc.assert(
        fc.property(valueArb, (value) =>
          encodePlaintext(value).equals(encodePlaintext(roundTrip(value))),
        ),
        { numRuns: 500 },
      );
    });
  });

  describe('encoding refusals', () => {
    class Money {
      constructor(readonly cents: number) {}
    }
    const refused: Array<[string, unknown, RegExp]> = [
      ['undefined at top level', undefined, /type undefined/],
      ['a function', () => 1, /type function/],
      ['a symbol', Symbol('s'), /type symbol/],
      ['a class instance', new Money(5), /type Money/],
      ['a boxed string', new String('x'), /type String/],
      ['a typed array other than Uint8Array', new Int8Array(2), /type Int8Array/],
      ['a RegExp', /x/, /type RegExp/],
      ['an invalid Date', new Date(NaN), /invalid Date/],
      ['undefined in an array', [1, undefined], /undefined/],
      // eslint-disable-next-line no-sparse-arrays -- the hole is the point of this case
      ['an array hole', [1, , 3], /undefined/],
      ['undefined in a Set', new Set([undefined]), /undefined/],
      ['undefined as a Map value', new Map([['k', undefined]]), /undefined/],
      ['a nested function', { a: { b: [() => 1] } }, /type function/],
      ['a lone surrogate', 'ok\uD800', /surrogate/],
      ['a lone surrogate in a key', { ['\uDC00']: 1 }, /surrogate/],
      [`${MAX_NESTING_DEPTH + 1} nested arrays`, nested(MAX_NESTING_DEPTH + 1), /nested deeper/],
    ];
    for (const [label, value, pattern] of refused) {
      it(`refuses ${label} with a ValidationError naming entity.field`, () => {
        let thrown: unknown;
        try {
          encodePlaintext(value, { entity: 'User', field: 'secret' });
        } catch (error) {
          thrown = error;
        }
        expect(thrown).to.be.instanceOf(ValidationError);
        const error = thrown as ValidationError;
        expect(error.message).to.match(pattern);
        expect(error.message).to.contain('User.secret');
        expect(error.entity).to.equal('User');
        expect(error.property).to.equal('secret');
      });
    }

    it('refuses a cycle (as too deep) without overflowing the stack', () => {
      const cycle: unknown[] = [];
      cycle.push(cycle);
      expect(() => encodePlaintext(cycle)).to.throw(ValidationError, /nested deeper/);
    });

    it('never puts the value in the message', () => {
      const error = (() => {
        try {
          encodePlaintext({ password: 'hunter2', when: new Date(NaN) });
        } catch (thrown) {
          return thrown as Error;
        }
        throw new Error('expected a refusal');
      })();
      expect(error.message).to.not.contain('hunter2');
      expect(error.message).to.not.contain('password');
    });
  });

  describe('strict decoding', () => {
    const utf8Invalid = Buffer.from([0xc3, 0x28]);
    const malformed: Array<[string, Buffer]> = [
      ['empty input', Buffer.alloc(0)],
      ['an unknown tag', Buffer.from([0x7f])],
      ['tag 0x00', Buffer.from([0x00])],
      ['trailing bytes', Buffer.from([PlaintextTag.Null, 0x00])],
      ['a truncated number', Buffer.from([PlaintextTag.Number, 0, 0, 0])],
      ['a string length beyond the input', Buffer.from([PlaintextTag.String, 0, 0, 0, 9, 0x61])],
      ['invalid UTF-8', framed(PlaintextTag.String, utf8Invalid)],
      ['a UTF-8 encoded surrogate', framed(PlaintextTag.String, Buffer.from([0xed, 0xa0, 0x80]))],
      ['a bigint with sign 2', Buffer.from([PlaintextTag.BigInt, 2, 0, 0, 0, 0])],
      [
        'a bigint with a leading zero byte',
        Buffer.from([PlaintextTag.BigInt, 0, 0, 0, 0, 2, 0, 1]),
      ],
      ['a negative zero bigint', Buffer.from([PlaintextTag.BigInt, 1, 0, 0, 0, 0])],
      [
        'a Date beyond 8.64e15 ms',
        (() => {
          const out = Buffer.alloc(9);
          out[0] = PlaintextTag.Date;
          out.writeBigInt64BE(8_640_000_000_000_001n, 1);
          return out;
        })(),
      ],
      [
        'an array count beyond the input',
        Buffer.from([PlaintextTag.Array, 0xff, 0xff, 0xff, 0xff, PlaintextTag.Null]),
      ],
      [
        'a Set with a repeated member',
        Buffer.from([PlaintextTag.Set, 0, 0, 0, 2, PlaintextTag.True, PlaintextTag.True]),
      ],
      [
        'a Map with a repeated key',
        Buffer.from([
          PlaintextTag.Map,
          0,
          0,
          0,
          2,
          PlaintextTag.Null,
          PlaintextTag.True,
          PlaintextTag.Null,
          PlaintextTag.False,
        ]),
      ],
      [
        'an object with a repeated property',
        Buffer.concat([
          Buffer.from([PlaintextTag.Object, 0, 0, 0, 2]),
          Buffer.from([0, 0, 0, 1, 0x61, PlaintextTag.Null]),
          Buffer.from([0, 0, 0, 1, 0x61, PlaintextTag.Null]),
        ]),
      ],
      [
        `${MAX_NESTING_DEPTH + 1} nested arrays`,
        Buffer.concat([
          ...Array.from({ length: MAX_NESTING_DEPTH + 1 }, () =>
            Buffer.from([PlaintextTag.Array, 0, 0, 0, 1]),
          ),
          Buffer.from([PlaintextTag.Null]),
        ]),
      ],
    ];
    for (const [label, bytes] of malformed) {
      it(`rejects ${label} with MALFORMED_CIPHERTEXT`, () => expectMalformed(bytes));
    }

    it('decodes any NaN bit pattern as NaN', () => {
      const bytes = Buffer.from([PlaintextTag.Number, 0x7f, 0xf0, 0, 0, 0, 0, 0, 1]);
      expect(Number.isNaN(decodePlaintext(bytes))).to.equal(true);
    });

    it('throws only MALFORMED_CIPHERTEXT on random or mutated bytes (property)', () => {
      const mutated = fc
        .tuple(valueArb, fc.nat(), fc.integer({ min: 1, max: 255 }))
        .map(([value, at, mask]) => {
          const bytes = Buffer.from(encodePlaintext(value));
          bytes[at % bytes.length] ^= mask;
          return bytes;
        });
      const truncated = fc.tuple(valueArb, fc.nat()).map(([value, cut]) => {
        const bytes = encodePlaintext(value);
        return bytes.subarray(0, cut % bytes.length);
      });
      fc.assert(
        fc.property(fc.oneof(fc.uint8Array({ maxLength: 64 }), mutated, truncated), (bytes) => {
          try {
            decodePlaintext(bytes);
            return true;
          } catch (error) {
            return error instanceof EncryptionError && error.code === 'MALFORMED_CIPHERTEXT';
          }
        }),
        { numRuns: 5000 },
      );
    });
  });
});
