import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { canonicalNumber } from '../crypto/canonical-number';

/**
 * The order DynamoDB gives two key values in key conditions and sort keys: strings by their UTF-8
 * bytes (not by UTF-16 code units: `'\u{1F600}'` sorts after `'\uE000'`), binaries by unsigned
 * bytes, numbers by their exact decimal value (no floating point, so 38 digits compare right).
 * Negative, zero or positive as for `Array.prototype.sort`; `undefined` when the two cannot be
 * compared: different types, a type keys cannot have, or an N that is not a decimal number.
 *
 * @example
 * ```ts
 * compareKeyValues({ N: '10' }, { N: '9' }); // 1 (as numbers, not as text)
 * compareKeyValues({ S: 'a' }, { N: '1' }); // undefined
 * ```
 */
export function compareKeyValues(a: AttributeValue, b: AttributeValue): number | undefined {
  if (typeof a.S === 'string' && typeof b.S === 'string') {
    // Equal strings have equal bytes: the common case of a checked response costs no encoding.
    if (a.S === b.S) return 0;
    return Buffer.compare(Buffer.from(a.S, 'utf8'), Buffer.from(b.S, 'utf8'));
  }
  if (a.B instanceof Uint8Array && b.B instanceof Uint8Array) return Buffer.compare(a.B, b.B);
  if (typeof a.N === 'string' && typeof b.N === 'string') {
    const x = canonicalOrUndefined(a.N);
    const y = canonicalOrUndefined(b.N);
    return x === undefined || y === undefined ? undefined : compareDecimals(x, y);
  }
  return undefined;
}

/**
 * Whether `value` begins with `prefix` as DynamoDB's `begins_with` on a key: the UTF-8 bytes of
 * a string, or the bytes of a binary. Numbers have no prefix.
 *
 * @example
 * ```ts
 * hasKeyPrefix({ S: 'ORDER#42' }, { S: 'ORDER#' }); // true
 * ```
 */
export function hasKeyPrefix(value: AttributeValue, prefix: AttributeValue): boolean {
  let bytes: Buffer;
  let start: Buffer;
  if (typeof value.S === 'string' && typeof prefix.S === 'string') {
    bytes = Buffer.from(value.S, 'utf8');
    start = Buffer.from(prefix.S, 'utf8');
  } else if (value.B instanceof Uint8Array && prefix.B instanceof Uint8Array) {
    bytes = Buffer.from(value.B.buffer, value.B.byteOffset, value.B.byteLength);
    start = Buffer.from(prefix.B.buffer, prefix.B.byteOffset, prefix.B.byteLength);
  } else {
    return false;
  }
  return bytes.length >= start.length && bytes.subarray(0, start.length).equals(start);
}

function canonicalOrUndefined(n: string): string | undefined {
  try {
    return canonicalNumber(n);
  } catch {
    return undefined;
  }
}

/** Two canonical decimals (see `canonicalNumber`) by value. */
function compareDecimals(a: string, b: string): number {
  const negativeA = a.startsWith('-');
  const negativeB = b.startsWith('-');
  if (negativeA !== negativeB) return negativeA ? -1 : 1;
  const magnitude = compareMagnitudes(negativeA ? a.slice(1) : a, negativeB ? b.slice(1) : b);
  return negativeA ? -magnitude : magnitude;
}

/**
 * Two canonical non-negative decimals: no leading zeros (but a lone `0`), no trailing fraction
 * zeros. A longer integer part is larger; then the digits decide, and a fraction that is a prefix
 * of the other is the smaller one, which is exactly string order on the fraction digits.
 */
function compareMagnitudes(a: string, b: string): number {
  const [integerA, fractionA = ''] = a.split('.');
  const [integerB, fractionB = ''] = b.split('.');
  if (integerA.length !== integerB.length) return integerA.length < integerB.length ? -1 : 1;
  if (integerA !== integerB) return integerA < integerB ? -1 : 1;
  if (fractionA === fractionB) return 0;
  return fractionA < fractionB ? -1 : 1;
}
