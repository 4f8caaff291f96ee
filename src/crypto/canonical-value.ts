import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { EncryptionError } from '../errors';
import { canonicalNumber } from './canonical-number';

/**
 * The type byte in front of every canonical value: the DynamoDB type name's letters, so `S "1"`,
 * `N "1"` and `SS ["1"]` differ. A present value is therefore never empty, which keeps an absent
 * attribute (bound as an empty field) apart from every stored value.
 */
export const CANONICAL_TAGS = {
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
} as const;

/** Containers deeper than DynamoDB allows (32) are refused rather than recursed into. */
const MAX_DEPTH = 32;

/**
 * The canonical bytes of a DynamoDB value, for binding a `@Signed` attribute (or a key) into an
 * item's associated data. Equal for every form DynamoDB may return of one stored value:
 *
 * - numbers in {@link canonicalNumber} form (DynamoDB normalises `1.50` to `1.5`);
 * - set members and map entries sorted (DynamoDB keeps no order for either);
 * - strings as UTF-8, binary as its bytes, BOOL as one byte, NULL as its tag alone;
 * - every variable-length part preceded by its length (uint32 BE), and every container by its
 *   member count, so no two values encode alike.
 *
 * @throws EncryptionError `INTEGRITY` when the value is not a DynamoDB value (no type, two types,
 *   a number that is not one, nested too deep): a stored value cannot then be what was signed.
 * @example
 * ```ts
 * canonicalValue({ S: 'ada@example.com' }); // <53 00 00 00 0f> 'ada@example.com'
 * canonicalValue({ NS: ['2', '1.0'] }).equals(canonicalValue({ NS: ['1', '2'] })); // true
 * ```
 */
export function canonicalValue(value: AttributeValue): Buffer {
  const parts: Buffer[] = [];
  write(value, parts, 0);
  return Buffer.concat(parts);
}

function write(value: AttributeValue, out: Buffer[], depth: number): void {
  if (depth > MAX_DEPTH) throw notValue('is nested too deep');
  const types = Object.keys(value).filter(
    (type) => (value as unknown as Record<string, unknown>)[type] !== undefined,
  );
  if (types.length !== 1) throw notValue('has no single DynamoDB type');
  const v = value as unknown as Record<string, unknown>;
  switch (types[0]) {
    case 'S':
      return tagged(out, CANONICAL_TAGS.S, utf8(v.S));
    case 'N':
      return tagged(out, CANONICAL_TAGS.N, utf8(number(v.N)));
    case 'B':
      return tagged(out, CANONICAL_TAGS.B, bytes(v.B));
    case 'BOOL':
      if (typeof v.BOOL !== 'boolean') throw notValue('has a BOOL that is not a boolean');
      out.push(Buffer.from([CANONICAL_TAGS.BOOL, v.BOOL ? 1 : 0]));
      return;
    case 'NULL':
      if (v.NULL !== true) throw notValue('has a NULL that is not true');
      out.push(Buffer.from([CANONICAL_TAGS.NULL]));
      return;
    case 'L':
      return list(v.L, out, depth);
    case 'M':
      return map(v.M, out, depth);
    case 'SS':
      return set(out, CANONICAL_TAGS.SS, members(v.SS).map(utf8));
    case 'NS':
      return set(
        out,
        CANONICAL_TAGS.NS,
        members(v.NS).map((n) => utf8(number(n))),
      );
    case 'BS':
      return set(out, CANONICAL_TAGS.BS, members(v.BS).map(bytes));
    default:
      throw notValue('has an unknown DynamoDB type');
  }
}

function list(items: unknown, out: Buffer[], depth: number): void {
  if (!Array.isArray(items)) throw notValue('has an L that is not a list');
  out.push(header(CANONICAL_TAGS.L, items.length));
  for (const item of items) write(item as AttributeValue, out, depth + 1);
}

function map(entries: unknown, out: Buffer[], depth: number): void {
  if (typeof entries !== 'object' || entries === null) throw notValue('has an M that is not a map');
  const keys = Object.keys(entries)
    .map((key) => ({ key, bytes: Buffer.from(key, 'utf8') }))
    .sort((a, b) => Buffer.compare(a.bytes, b.bytes));
  out.push(header(CANONICAL_TAGS.M, keys.length));
  for (const { key, bytes: name } of keys) {
    out.push(length(name.length), name);
    write((entries as Record<string, AttributeValue>)[key], out, depth + 1);
  }
}

function set(out: Buffer[], tag: number, elements: Buffer[]): void {
  elements.sort((a, b) => Buffer.compare(a, b));
  out.push(header(tag, elements.length));
  for (const element of elements) out.push(length(element.length), element);
}

function tagged(out: Buffer[], tag: number, payload: Buffer): void {
  out.push(header(tag, payload.length), payload);
}

function header(tag: number, count: number): Buffer {
  const out = Buffer.alloc(5);
  out[0] = tag;
  out.writeUInt32BE(count, 1);
  return out;
}

function length(n: number): Buffer {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(n, 0);
  return out;
}

function members(value: unknown): unknown[] {
  if (!Array.isArray(value)) throw notValue('has a set that is not a list of members');
  return value;
}

function utf8(value: unknown): Buffer {
  if (typeof value !== 'string') throw notValue('has a string member that is not a string');
  return Buffer.from(value, 'utf8');
}

function bytes(value: unknown): Buffer {
  if (!(value instanceof Uint8Array)) throw notValue('has a binary member that is not bytes');
  return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
}

function number(value: unknown): string {
  if (typeof value !== 'string') throw notValue('has a number that is not a string');
  try {
    return canonicalNumber(value);
  } catch {
    throw notValue('has a number that is not a decimal');
  }
}

function notValue(problem: string): EncryptionError {
  return new EncryptionError('INTEGRITY', `a signed or key attribute ${problem}`);
}
