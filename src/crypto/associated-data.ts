import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { EncryptionError } from '../errors';
import { canonicalNumber } from './canonical-number';
import { CANONICAL_TAGS, canonicalValue } from './canonical-value';

/** Separates theorydb's associated data from any other use of the same key; versioned. */
export const AAD_DOMAIN_LABEL = 'theorydb/aad/v2';

/** Every field is preceded by its byte length as a uint32, big-endian. */
const LENGTH_PREFIX_SIZE = 4;

/** What every item of one entity and key binding shares in its associated data. */
export interface ItemAadSchema {
  readonly table: string;
  /** The entity name (`@Entity({ name })`), never the class name a bundler may rename. */
  readonly entity: string;
  /** The attribute that holds this binding's envelope. */
  readonly envelope: string;
  /** The partition key attribute name. */
  readonly partitionKey: string;
  /** The sort key attribute name, when the table has one. */
  readonly sortKey?: string;
  /** The `@Signed` attribute names (key attributes are bound anyway and left out). */
  readonly signed: readonly string[];
}

/** A stored or about-to-be-stored item, as the AWS SDK holds it. */
export type StoredItem = Readonly<Record<string, AttributeValue>>;

/**
 * The associated data of an item envelope: the envelope header, then what the envelope is bound
 * to, every field length-prefixed so no two inputs encode alike.
 *
 * ```text
 * lp(header) lp('theorydb/aad/v2') lp(table) lp(entity) lp(envelope attribute)
 * lp(pk name) lp(canonical pk) lp(sk name | '') lp(canonical sk | '')
 * u32(n) n x [ lp(signed attribute name) lp(canonical value | '' when absent) ]
 *                                   lp(x) = uint32 BE byte length of x, then x
 * ```
 *
 * Signed attributes are bound in order of their UTF-8 names, each as its
 * {@link canonicalValue}, or as an empty field when the item lacks it, so deleting one is a change
 * like any other. Strings are bound as UTF-8.
 *
 * Returns an encoder for one entity and binding: what its items share is encoded once.
 *
 * @throws EncryptionError `INTEGRITY` (from the returned function) when the item lacks a key
 *   attribute, a key is not an S, N or B value, or a signed value is not a DynamoDB value.
 * @example
 * ```ts
 * const aadOf = itemAadEncoder({
 *   table: 'app-main', entity: 'Credential', envelope: '__td',
 *   partitionKey: 'pk', signed: ['ownerEmail'],
 * });
 * const aad = aadOf(envelope.header, item);
 * ```
 */
export function itemAadEncoder(
  schema: ItemAadSchema,
): (header: Uint8Array, item: StoredItem) => Buffer {
  const keys = new Set([
    schema.partitionKey,
    ...(schema.sortKey === undefined ? [] : [schema.sortKey]),
  ]);
  const signed = [...new Set(schema.signed)]
    .filter((name) => !keys.has(name))
    .map((name) => ({ name, bytes: Buffer.from(name, 'utf8') }))
    .sort((a, b) => Buffer.compare(a.bytes, b.bytes));
  const head = encodeFields([
    AAD_DOMAIN_LABEL,
    schema.table,
    schema.entity,
    schema.envelope,
    schema.partitionKey,
  ]);
  const sortKeyName = encodeFields([schema.sortKey ?? '']);
  const signedCount = Buffer.alloc(LENGTH_PREFIX_SIZE);
  signedCount.writeUInt32BE(signed.length, 0);
  return (header, item) => {
    const pk = keyValue(schema.partitionKey, item);
    const sk = schema.sortKey === undefined ? undefined : keyValue(schema.sortKey, item);
    const values = signed.map(({ name }) => {
      const value = Object.hasOwn(item, name) ? item[name] : undefined;
      return value === undefined ? EMPTY : canonicalValue(value);
    });
    // One allocation per item: this runs once per envelope on every read (the query hot path).
    let length = LENGTH_PREFIX_SIZE + header.length + head.length;
    length += LENGTH_PREFIX_SIZE + scalarLength(pk) + sortKeyName.length;
    length += LENGTH_PREFIX_SIZE + (sk === undefined ? 0 : scalarLength(sk)) + LENGTH_PREFIX_SIZE;
    signed.forEach(({ bytes }, i) => {
      length += 2 * LENGTH_PREFIX_SIZE + bytes.length + values[i].length;
    });
    // Every byte is written below, so the unzeroed allocation is safe (and holds nothing secret).
    const out = Buffer.allocUnsafe(length);
    let offset = out.writeUInt32BE(header.length, 0);
    out.set(header, offset);
    offset += header.length;
    out.set(head, offset);
    offset = writeScalarField(out, pk, offset + head.length);
    out.set(sortKeyName, offset);
    offset += sortKeyName.length;
    offset = sk === undefined ? out.writeUInt32BE(0, offset) : writeScalarField(out, sk, offset);
    offset = out.writeUInt32BE(signed.length, offset);
    signed.forEach(({ bytes }, i) => {
      offset = out.writeUInt32BE(bytes.length, offset);
      out.set(bytes, offset);
      offset = out.writeUInt32BE(values[i].length, offset + bytes.length);
      out.set(values[i], offset);
      offset += values[i].length;
    });
    return out;
  };
}

const EMPTY = Buffer.alloc(0);

/** A key value as bound: its canonical type tag and its payload (UTF-8 text or bytes). */
interface ScalarKey {
  readonly tag: number;
  readonly text?: string;
  readonly bytes?: Uint8Array;
  readonly payloadLength: number;
}

/** The bytes of a key's canonical value: tag, uint32 payload length, payload. */
function scalarLength(key: ScalarKey): number {
  return 1 + LENGTH_PREFIX_SIZE + key.payloadLength;
}

/** Writes lp(canonical value of `key`) at `offset`: the same bytes as `canonicalValue`. */
function writeScalarField(out: Buffer, key: ScalarKey, offset: number): number {
  let at = out.writeUInt32BE(scalarLength(key), offset);
  out[at] = key.tag;
  at = out.writeUInt32BE(key.payloadLength, at + 1);
  if (key.text !== undefined) return at + out.write(key.text, at, 'utf8');
  out.set(key.bytes as Uint8Array, at);
  return at + key.payloadLength;
}

function keyValue(attribute: string, item: StoredItem): ScalarKey {
  const value = Object.hasOwn(item, attribute) ? item[attribute] : undefined;
  if (value !== undefined && Object.keys(value).length === 1) {
    if (typeof value.S === 'string') {
      return { tag: CANONICAL_TAGS.S, text: value.S, payloadLength: Buffer.byteLength(value.S) };
    }
    if (typeof value.N === 'string') {
      const text = canonicalNumberOrIntegrity(value.N);
      return { tag: CANONICAL_TAGS.N, text, payloadLength: Buffer.byteLength(text) };
    }
    if (value.B instanceof Uint8Array) {
      return { tag: CANONICAL_TAGS.B, bytes: value.B, payloadLength: value.B.length };
    }
  }
  // The mapper guarantees keys on write; a read of an item without its key cannot be bound.
  throw new EncryptionError('INTEGRITY', `the item has no usable key attribute "${attribute}"`);
}

function canonicalNumberOrIntegrity(n: string): string {
  try {
    return canonicalNumber(n);
  } catch {
    throw new EncryptionError('INTEGRITY', 'a key attribute holds a number that is not a decimal');
  }
}

function prefix(length: number): Buffer {
  const out = Buffer.alloc(LENGTH_PREFIX_SIZE);
  out.writeUInt32BE(length, 0);
  return out;
}

function pushField(parts: Uint8Array[], field: Uint8Array): void {
  parts.push(prefix(field.length), field);
}

function encodeFields(fields: readonly string[]): Buffer {
  const parts: Uint8Array[] = [];
  for (const field of fields) pushField(parts, Buffer.from(field, 'utf8'));
  return Buffer.concat(parts);
}
