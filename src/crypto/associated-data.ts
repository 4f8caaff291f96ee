import { ValidationError } from '../errors';
import { canonicalNumber } from './canonical-number';
import type { KeyPart, ValueContext } from './value-context';

export type { KeyPart, ValueContext } from './value-context';

/** Separates theorydb's associated data from any other use of the same key; versioned. */
export const AAD_DOMAIN_LABEL = 'theorydb/aad/v1';

/** Every field is preceded by its byte length as a uint32, big-endian. */
const LENGTH_PREFIX_SIZE = 4;
/** The key type tag is one byte, at the start of a typed key value. */
const KEY_TYPE_TAG_OFFSET = 0;
const KEY_TYPE_TAG_SIZE = 1;

/**
 * The type byte in front of a key value: the DynamoDB type letter in ASCII, so `S "1"` and
 * `N "1"` differ. A present key value is therefore never empty, which keeps "no sort key"
 * (an empty field) apart from a sort key whose value is empty.
 */
export const KEY_TYPE_TAGS = { S: 0x53, N: 0x4e, B: 0x42 } as const;

/**
 * The associated data of one encrypted value: every field length-prefixed, so no two contexts
 * (or headers) encode to the same bytes.
 *
 * ```text
 * lp(header) lp('theorydb/aad/v1') lp(table) lp(entity)
 * lp(pk name) lp(pk type tag | pk value) lp(sk name | '') lp(sk type tag | sk value | '')
 * lp(attribute)                                   lp(x) = uint32 BE byte length of x, then x
 * ```
 *
 * Strings are bound as UTF-8. N values are bound in {@link canonicalNumber} form, as DynamoDB
 * normalises numbers. A string with an unpaired surrogate is bound as its UTF-8 encoding (with
 * U+FFFD), which is what the SDK sends to DynamoDB.
 *
 * @throws ValidationError when a key value is not an S, N or B value or an N is not a number.
 * @example
 * ```ts
 * const aad = associatedData(envelope.header, {
 *   table: 'app-main',
 *   entity: 'User',
 *   partitionKey: { name: 'pk', value: { S: 'USER#42' } },
 *   attribute: 'email',
 * });
 * ```
 */
export function associatedData(header: Uint8Array, context: ValueContext): Buffer {
  const fields: Uint8Array[] = [
    header,
    utf8(AAD_DOMAIN_LABEL),
    utf8(context.table),
    utf8(context.entity),
    utf8(context.partitionKey.name),
    typedKeyValue(context.partitionKey.value),
    context.sortKey === undefined ? EMPTY : utf8(context.sortKey.name),
    context.sortKey === undefined ? EMPTY : typedKeyValue(context.sortKey.value),
    utf8(context.attribute),
  ];
  let total = 0;
  for (const field of fields) total += LENGTH_PREFIX_SIZE + field.length;
  const out = Buffer.alloc(total);
  let offset = 0;
  for (const field of fields) {
    offset = out.writeUInt32BE(field.length, offset);
    out.set(field, offset);
    offset += field.length;
  }
  return out;
}

const EMPTY = new Uint8Array(0);

function typedKeyValue(value: KeyPart['value']): Buffer {
  // Exactly one member, as in a marshalled AttributeValue; anything else is ambiguous.
  if (Object.keys(value).length !== 1) throw notKeyValue();
  if ('S' in value && typeof value.S === 'string') return tagged(KEY_TYPE_TAGS.S, utf8(value.S));
  if ('N' in value && typeof value.N === 'string') {
    return tagged(KEY_TYPE_TAGS.N, utf8(canonicalNumber(value.N)));
  }
  if ('B' in value && value.B instanceof Uint8Array) return tagged(KEY_TYPE_TAGS.B, value.B);
  throw notKeyValue();
}

function notKeyValue(): ValidationError {
  return new ValidationError('a key value bound to an encrypted field must be an S, N or B value');
}

function tagged(tag: number, bytes: Uint8Array): Buffer {
  const out = Buffer.alloc(KEY_TYPE_TAG_SIZE + bytes.length);
  out[KEY_TYPE_TAG_OFFSET] = tag;
  out.set(bytes, KEY_TYPE_TAG_OFFSET + KEY_TYPE_TAG_SIZE);
  return out;
}

function utf8(text: string): Buffer {
  return Buffer.from(text, 'utf8');
}
