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
  return composeAad(header, encodeItemAad(context), encodeAttributeAad(context.attribute));
}

/**
 * The associated data of one value from its three parts: the envelope header (length-prefixed
 * here), the item part from {@link encodeItemAad} and the attribute part from
 * {@link encodeAttributeAad}. The same bytes as {@link associatedData}; the read path encodes
 * the item part once per item and the attribute part once per field, so a value costs one copy.
 *
 * @example
 * ```ts
 * const aad = composeAad(envelope.header, encodeItemAad(item), encodeAttributeAad('email'));
 * aad.equals(associatedData(envelope.header, { ...item, attribute: 'email' })); // true
 * ```
 */
export function composeAad(header: Uint8Array, itemPart: Buffer, attributePart: Buffer): Buffer {
  // Every byte is written below, so the unzeroed allocation is safe (and holds nothing secret).
  const out = Buffer.allocUnsafe(
    LENGTH_PREFIX_SIZE + header.length + itemPart.length + attributePart.length,
  );
  let offset = out.writeUInt32BE(header.length, 0);
  out.set(header, offset);
  offset += header.length;
  out.set(itemPart, offset);
  out.set(attributePart, offset + itemPart.length);
  return out;
}

/**
 * The attribute part of the associated data: the attribute name, length-prefixed.
 *
 * @example
 * ```ts
 * encodeAttributeAad('email'); // <00 00 00 05> 'email'
 * ```
 */
export function encodeAttributeAad(attribute: string): Buffer {
  const length = Buffer.byteLength(attribute, 'utf8');
  const out = Buffer.alloc(LENGTH_PREFIX_SIZE + length);
  out.write(attribute, out.writeUInt32BE(length, 0), 'utf8');
  return out;
}

/** What the encrypted values of one item share: everything in their context but the attribute. */
export type ItemContext = Omit<ValueContext, 'attribute'>;

const EMPTY = new Uint8Array(0);

/** A key value as bound: its type tag, then its UTF-8 text or its bytes. */
interface TypedKeyValue {
  readonly tag: number;
  readonly payload: string | Uint8Array;
}

/**
 * The item part of the associated data: every field between the header and the attribute, each
 * length-prefixed (the domain label, the table, the entity and the keys). The keys are validated
 * and their bytes copied, so the result does not change if the item does.
 *
 * @throws ValidationError when a key value is not an S, N or B value or an N is not a number.
 * @example
 * ```ts
 * const itemPart = encodeItemAad({ table: 'app-main', entity: 'User', partitionKey });
 * ```
 */
export function encodeItemAad(context: ItemContext): Buffer {
  return encodeFields([
    AAD_DOMAIN_LABEL,
    context.table,
    context.entity,
    context.partitionKey.name,
    typedKeyValue(context.partitionKey.value),
    context.sortKey === undefined ? EMPTY : context.sortKey.name,
    context.sortKey === undefined ? EMPTY : typedKeyValue(context.sortKey.value),
  ]);
}

/** The names an entity's items share in their associated data. */
export interface ItemAadSchema {
  readonly table: string;
  readonly entity: string;
  /** The partition key attribute name. */
  readonly partitionKey: string;
  /** The sort key attribute name, when the table has one. */
  readonly sortKey?: string;
}

/**
 * {@link encodeItemAad} for many items of one entity: the fields they all share (domain label,
 * table, entity, key names) are encoded once, so an item costs only its key values. The read path
 * of a query calls it once per item.
 *
 * @throws ValidationError (from the returned function) when a key value is not an S, N or B value,
 *   an N is not a number, or a sort key is given or missing against the schema.
 * @example
 * ```ts
 * const encode = itemAadEncoder({ table: 'app-main', entity: 'User', partitionKey: 'pk' });
 * encode({ S: 'USER#42' }).equals(encodeItemAad({ table: 'app-main', entity: 'User', partitionKey })); // true
 * ```
 */
export function itemAadEncoder(
  schema: ItemAadSchema,
): (partitionKey: KeyPart['value'], sortKey?: KeyPart['value']) => Buffer {
  const head = encodeFields([AAD_DOMAIN_LABEL, schema.table, schema.entity, schema.partitionKey]);
  const middle = encodeFields([schema.sortKey ?? EMPTY]);
  return (partitionKey, sortKey) => {
    if ((sortKey === undefined) !== (schema.sortKey === undefined)) throw notKeyValue();
    const pk = typedKeyValue(partitionKey);
    const sk = sortKey === undefined ? EMPTY : typedKeyValue(sortKey);
    const pkLength = fieldLength(pk);
    const skLength = fieldLength(sk);
    // Every byte is written below, so the unzeroed allocation is safe.
    const out = Buffer.allocUnsafe(
      head.length + middle.length + 2 * LENGTH_PREFIX_SIZE + pkLength + skLength,
    );
    out.set(head, 0);
    let offset = writeField(out, pk, out.writeUInt32BE(pkLength, head.length));
    out.set(middle, offset);
    offset = out.writeUInt32BE(skLength, offset + middle.length);
    writeField(out, sk, offset);
    return out;
  };
}

/** `fields`, each preceded by its byte length (uint32 BE). */
function encodeFields(fields: readonly (string | Uint8Array | TypedKeyValue)[]): Buffer {
  const lengths = fields.map(fieldLength);
  let total = 0;
  for (const length of lengths) total += LENGTH_PREFIX_SIZE + length;
  const out = Buffer.alloc(total);
  let offset = 0;
  fields.forEach((field, i) => {
    offset = out.writeUInt32BE(lengths[i], offset);
    offset = writeField(out, field, offset);
  });
  return out;
}

function fieldLength(field: string | Uint8Array | TypedKeyValue): number {
  if (typeof field === 'string') return Buffer.byteLength(field, 'utf8');
  if (field instanceof Uint8Array) return field.length;
  return KEY_TYPE_TAG_SIZE + fieldLength(field.payload);
}

/** Writes `field` at `offset` and returns the offset after it. */
function writeField(
  out: Buffer,
  field: string | Uint8Array | TypedKeyValue,
  offset: number,
): number {
  if (typeof field === 'string') return offset + out.write(field, offset, 'utf8');
  if (field instanceof Uint8Array) {
    out.set(field, offset);
    return offset + field.length;
  }
  out[offset + KEY_TYPE_TAG_OFFSET] = field.tag;
  return writeField(out, field.payload, offset + KEY_TYPE_TAG_SIZE);
}

function typedKeyValue(value: KeyPart['value']): TypedKeyValue {
  // Exactly one member, as in a marshalled AttributeValue; anything else is ambiguous.
  if (Object.keys(value).length !== 1) throw notKeyValue();
  if ('S' in value && typeof value.S === 'string')
    return { tag: KEY_TYPE_TAGS.S, payload: value.S };
  if ('N' in value && typeof value.N === 'string') {
    return { tag: KEY_TYPE_TAGS.N, payload: canonicalNumber(value.N) };
  }
  if ('B' in value && value.B instanceof Uint8Array)
    return { tag: KEY_TYPE_TAGS.B, payload: value.B };
  throw notKeyValue();
}

function notKeyValue(): ValidationError {
  return new ValidationError('a key value bound to an encrypted field must be an S, N or B value');
}
