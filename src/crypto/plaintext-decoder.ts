import { ByteReader, malformedPlaintext } from './byte-reader';
import {
  BIGINT_NEGATIVE,
  BIGINT_NON_NEGATIVE,
  LENGTH_SIZE,
  MAX_DATE_MS,
  MAX_NESTING_DEPTH,
  PlaintextTag,
  TAG_SIZE,
} from './plaintext-tags';

/** Fatal, so invalid UTF-8 is an error rather than U+FFFD in the decoded string. */
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The smallest encoded object property: an empty key (its length) and a tag-only value. */
const MIN_PROPERTY_SIZE = LENGTH_SIZE + TAG_SIZE;
/** The smallest encoded Map entry: two tag-only values. */
const MIN_ENTRY_SIZE = 2 * TAG_SIZE;

/**
 * Decode typed plaintext written by `encodePlaintext`, strictly: every length is checked before it
 * is used, and an unknown tag, a non-minimal bigint, an out-of-range Date, invalid UTF-8, a
 * duplicate Set member, Map key or property, nesting deeper than 64 or trailing bytes are errors.
 * Byte values are returned as fresh copies that share no memory with `bytes`.
 *
 * @throws EncryptionError `MALFORMED_CIPHERTEXT` when the bytes are not a valid encoding. Behind a
 *   valid GCM tag this means a bug or a forged key; it never yields a partial value.
 * @example
 * ```ts
 * decodePlaintext(encodePlaintext(12n)); // 12n
 * ```
 */
export function decodePlaintext(bytes: Uint8Array): unknown {
  const input = new ByteReader(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  const value = readValue(input, 0);
  if (input.remaining !== 0) throw malformedPlaintext('has trailing bytes');
  return value;
}

/**
 * Reads one typed value from `input` and leaves the cursor after it: the sealed body of an item
 * envelope holds several values one after another.
 *
 * @throws EncryptionError `MALFORMED_CIPHERTEXT` when the bytes do not decode.
 * @example
 * ```ts
 * const input = new ByteReader(body);
 * const first = readPlaintextValue(input);
 * ```
 */
export function readPlaintextValue(input: ByteReader): unknown {
  return readValue(input, 0);
}

/** `depth` counts the containers around the value being read. */
function readValue(input: ByteReader, depth: number): unknown {
  const tag = input.uint8();
  switch (tag) {
    case PlaintextTag.Null:
      return null;
    case PlaintextTag.False:
      return false;
    case PlaintextTag.True:
      return true;
    case PlaintextTag.Number:
      return input.float64();
    case PlaintextTag.BigInt:
      return readBigInt(input);
    case PlaintextTag.String:
      return readString(input);
    case PlaintextTag.Date:
      return readDate(input);
    case PlaintextTag.Uint8Array:
      return new Uint8Array(readBytes(input));
    case PlaintextTag.Buffer:
      // Buffer.alloc, not Buffer.from: a small Buffer.from copy lands in the shared pool.
      return copyToBuffer(readBytes(input));
    default:
      return readContainer(input, tag, depth + 1);
  }
}

function readContainer(input: ByteReader, tag: number, depth: number): unknown {
  switch (tag) {
    case PlaintextTag.Array:
    case PlaintextTag.Set:
    case PlaintextTag.Map:
    case PlaintextTag.Object:
    case PlaintextTag.NullPrototypeObject:
      break;
    default:
      throw malformedPlaintext('has an unknown type tag');
  }
  if (depth > MAX_NESTING_DEPTH) {
    throw malformedPlaintext(`is nested deeper than ${MAX_NESTING_DEPTH} levels`);
  }
  if (tag === PlaintextTag.Array) return readArray(input, depth);
  if (tag === PlaintextTag.Set) return readSet(input, depth);
  if (tag === PlaintextTag.Map) return readMap(input, depth);
  return readObject(input, tag === PlaintextTag.NullPrototypeObject, depth);
}

function readArray(input: ByteReader, depth: number): unknown[] {
  const count = readCount(input, TAG_SIZE);
  const array: unknown[] = [];
  for (let i = 0; i < count; i += 1) array.push(readValue(input, depth));
  return array;
}

function readSet(input: ByteReader, depth: number): Set<unknown> {
  const count = readCount(input, TAG_SIZE);
  const set = new Set<unknown>();
  for (let i = 0; i < count; i += 1) set.add(readValue(input, depth));
  // An encoded Set never repeats a member; a repeat would silently shrink the value.
  if (set.size !== count) throw malformedPlaintext('has a Set with a repeated member');
  return set;
}

function readMap(input: ByteReader, depth: number): Map<unknown, unknown> {
  const count = readCount(input, MIN_ENTRY_SIZE);
  const map = new Map<unknown, unknown>();
  for (let i = 0; i < count; i += 1) {
    const key = readValue(input, depth);
    map.set(key, readValue(input, depth));
  }
  if (map.size !== count) throw malformedPlaintext('has a Map with a repeated key');
  return map;
}

function readObject(input: ByteReader, nullPrototype: boolean, depth: number): object {
  const count = readCount(input, MIN_PROPERTY_SIZE);
  const object: Record<string, unknown> = nullPrototype
    ? (Object.create(null) as Record<string, unknown>)
    : {};
  for (let i = 0; i < count; i += 1) {
    const key = readString(input);
    if (Object.prototype.hasOwnProperty.call(object, key)) {
      throw malformedPlaintext('has an object with a repeated property');
    }
    // defineProperty, not assignment: a key named `__proto__` must become a property, not a
    // prototype.
    Object.defineProperty(object, key, {
      value: readValue(input, depth),
      writable: true,
      enumerable: true,
      configurable: true,
    });
  }
  return object;
}

/**
 * A container's element count, refused when the remaining bytes cannot hold that many elements
 * of at least `minSize` bytes each (so a forged count cannot make us loop or allocate).
 */
function readCount(input: ByteReader, minSize: number): number {
  const count = input.uint32();
  if (count * minSize > input.remaining) throw malformedPlaintext('has a count beyond its bytes');
  return count;
}

function readBytes(input: ByteReader): Buffer {
  return input.bytes(input.uint32());
}

function readString(input: ByteReader): string {
  try {
    return UTF8.decode(readBytes(input));
  } catch (error) {
    if (error instanceof TypeError) throw malformedPlaintext('holds invalid UTF-8');
    throw error;
  }
}

function readBigInt(input: ByteReader): bigint {
  const sign = input.uint8();
  if (sign !== BIGINT_NON_NEGATIVE && sign !== BIGINT_NEGATIVE) {
    throw malformedPlaintext('has a bigint with an invalid sign');
  }
  const magnitude = readBytes(input);
  // Minimal form only, so each bigint has exactly one encoding: no leading zero byte, no -0.
  if (magnitude.length > 0 && magnitude[0] === 0) {
    throw malformedPlaintext('has a bigint with a leading zero byte');
  }
  if (magnitude.length === 0) {
    if (sign === BIGINT_NEGATIVE) throw malformedPlaintext('has a negative zero bigint');
    return 0n;
  }
  const value = BigInt(`0x${magnitude.toString('hex')}`);
  return sign === BIGINT_NEGATIVE ? -value : value;
}

function readDate(input: ByteReader): Date {
  const ms = input.int64();
  if (ms > BigInt(MAX_DATE_MS) || ms < -BigInt(MAX_DATE_MS)) {
    throw malformedPlaintext('has a Date out of range');
  }
  return new Date(Number(ms));
}

function copyToBuffer(bytes: Buffer): Buffer {
  const copy = Buffer.alloc(bytes.length);
  bytes.copy(copy);
  return copy;
}
