import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { InvalidCursorError } from '../errors';
import type { KeyAttributeType } from '../mapping/attribute-codec';
import type { Item } from '../mapping/entity-mapper';
import type { KeyAttributeMetadata } from '../metadata/entity-metadata';

/**
 * Cursor format, version 1 (base64url, no padding, canonical):
 *
 * ```
 * version (1 byte, 0x01) | nonce (12 bytes) | ciphertext (of the UTF-8 JSON payload) | tag (16)
 * key = HKDF-SHA256(cursorKey, salt = "", info = DOMAIN), 32 bytes, derived once per cursorKey
 * AES-256-GCM(key, nonce, payload, aad = DOMAIN | u32be(len(binding)) | binding | version)
 * ```
 *
 * `binding` is the canonical description of the query the cursor belongs to (entity, table,
 * index, partition key name and typed value, direction, scan segmentation). It is authenticated
 * but never stored in the cursor, so a cursor presented to another query fails the tag check.
 *
 * The payload holds a `LastEvaluatedKey`: key attributes of the table and index, such as a user's
 * email in a GSI key. They are encrypted, so a cursor handed to an API client reveals nothing
 * (but its length), and authenticated, so it cannot be altered or moved to another query.
 */
export const CURSOR_VERSION = 1;
const DOMAIN = Buffer.from('theorydb:cursor\0', 'utf8');
const NONCE_LENGTH = 12;
const TAG_LENGTH = 16;
/**
 * Longer strings are refused before any decoding: a bound on the work a caller can cause. Room
 * for a parallel scan's cursor with many segments in flight, each with a key of DynamoDB's
 * maximum size.
 */
const MAX_CURSOR_LENGTH = 262_144;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** Where a sequential query or scan stopped. */
export interface KeyPosition {
  readonly kind: 'key';
  readonly key: Item;
}

/** Where a parallel scan stopped: segments below `next` not listed in `active` are finished. */
export interface SegmentsPosition {
  readonly kind: 'segments';
  /** The first segment not started yet. */
  readonly next: number;
  /** Started segments with more to read, each with its `LastEvaluatedKey`. */
  readonly active: readonly { readonly segment: number; readonly key: Item }[];
}

export type CursorPosition = KeyPosition | SegmentsPosition;

/** What a cursor is checked against: the key, the query and the shape of its positions. */
export interface CursorScope {
  readonly secret: Buffer;
  readonly binding: string;
  readonly entity: string;
  readonly positionKeys: readonly KeyAttributeMetadata[];
  /** Total segments of a parallel scan; undefined for a sequential read. */
  readonly segments: number | undefined;
}

/** The opaque cursor for `position` of the read described by `scope`. */
export function encodeCursor(scope: CursorScope, position: CursorPosition): string {
  const payload = Buffer.from(JSON.stringify(toPayload(position)), 'utf8');
  return sealCursor(scope, payload, CURSOR_VERSION);
}

/**
 * The cursor text for a raw payload. Internal: {@link encodeCursor} is the way to make cursors;
 * tests use this to forge well-sealed cursors with payloads a correct encoder never writes.
 */
export function sealCursor(scope: CursorScope, payload: Buffer, version: number): string {
  const head = Buffer.of(version);
  const nonce = randomBytes(NONCE_LENGTH);
  const cipher = createCipheriv('aes-256-gcm', cursorCipherKey(scope.secret), nonce);
  cipher.setAAD(associatedData(scope, head));
  const ciphertext = Buffer.concat([cipher.update(payload), cipher.final()]);
  return Buffer.concat([head, nonce, ciphertext, cipher.getAuthTag()]).toString('base64url');
}

/**
 * The position held by `cursor`, which must have been made by {@link encodeCursor} for the same
 * query and key, unaltered. Anything else fails with `InvalidCursorError`.
 */
export function decodeCursor(scope: CursorScope, cursor: unknown): CursorPosition {
  const invalid = (why: string) =>
    new InvalidCursorError(
      `${scope.entity}: ${why}; pass the cursor of this query's previous page`,
      scope.entity,
    );
  if (typeof cursor !== 'string' || cursor.length === 0 || cursor.length > MAX_CURSOR_LENGTH) {
    throw invalid('the cursor is not a theorydb cursor');
  }
  if (!BASE64URL.test(cursor)) throw invalid('the cursor is not a theorydb cursor');
  const bytes = Buffer.from(cursor, 'base64url');
  // Non-canonical text (unused trailing bits set) would decode to the same bytes: refuse it, so
  // that every character of a cursor matters.
  if (bytes.toString('base64url') !== cursor || bytes.length < 1 + NONCE_LENGTH + 2 + TAG_LENGTH) {
    throw invalid('the cursor is not a theorydb cursor');
  }
  const head = bytes.subarray(0, 1);
  if (head[0] !== CURSOR_VERSION) throw invalid('the cursor has an unsupported version');
  const payload = openCursor(scope, head, bytes);
  if (payload === undefined) throw invalid('the cursor was altered or belongs to another query');
  const position = fromPayload(payload, scope);
  if (position === undefined) throw invalid('the cursor does not fit this query');
  return position;
}

/** A key value of a binding description: typed, binary as base64. */
export function describeKeyValue(value: AttributeValue): unknown {
  if (value.S !== undefined) return { S: value.S };
  if (value.N !== undefined) return { N: value.N };
  if (value.B !== undefined) return { B: Buffer.from(value.B).toString('base64') };
  return null;
}

/** The payload of a sealed cursor, or undefined when authentication fails. */
function openCursor(scope: CursorScope, head: Buffer, bytes: Buffer): Buffer | undefined {
  const nonce = bytes.subarray(1, 1 + NONCE_LENGTH);
  const ciphertext = bytes.subarray(1 + NONCE_LENGTH, bytes.length - TAG_LENGTH);
  const decipher = createDecipheriv('aes-256-gcm', cursorCipherKey(scope.secret), nonce);
  decipher.setAAD(associatedData(scope, head));
  decipher.setAuthTag(bytes.subarray(bytes.length - TAG_LENGTH));
  try {
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  } catch {
    return undefined;
  }
}

function associatedData(scope: CursorScope, head: Buffer): Buffer {
  const binding = Buffer.from(scope.binding, 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(binding.length);
  return Buffer.concat([DOMAIN, length, binding, head]);
}

const cipherKeys = new WeakMap<Buffer, Buffer>();

/** The cursor encryption key, derived once per `cursorKey` (a separate key per purpose). */
function cursorCipherKey(secret: Buffer): Buffer {
  let key = cipherKeys.get(secret);
  if (key === undefined) {
    key = Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), DOMAIN, 32));
    cipherKeys.set(secret, key);
  }
  return key;
}

type WireKey = Record<string, Partial<Record<KeyAttributeType, string>>>;

function toPayload(position: CursorPosition): unknown {
  if (position.kind === 'key') return { k: toWireKey(position.key) };
  return {
    n: position.next,
    a: position.active.map(({ segment, key }) => [segment, toWireKey(key)]),
  };
}

function toWireKey(key: Item): WireKey {
  const wire: WireKey = {};
  for (const [attribute, value] of Object.entries(key)) {
    if (value.S !== undefined) wire[attribute] = { S: value.S };
    else if (value.N !== undefined) wire[attribute] = { N: value.N };
    else if (value.B !== undefined)
      wire[attribute] = { B: Buffer.from(value.B).toString('base64') };
    else throw new Error(`theorydb internal error: key attribute "${attribute}" is not S, N or B`);
  }
  return wire;
}

/** The position in a payload, or undefined when its shape does not fit the scope. */
function fromPayload(payload: Buffer, scope: CursorScope): CursorPosition | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload.toString('utf8'));
  } catch {
    return undefined;
  }
  if (!isRecord(parsed)) return undefined;
  if (scope.segments === undefined) {
    if (!hasOnly(parsed, ['k'])) return undefined;
    const key = fromWireKey(parsed.k, scope.positionKeys);
    return key === undefined ? undefined : { kind: 'key', key };
  }
  const total = scope.segments;
  const { n: next, a: list } = parsed;
  if (!hasOnly(parsed, ['n', 'a']) || !Array.isArray(list)) return undefined;
  if (typeof next !== 'number' || !Number.isInteger(next) || next < 0 || next > total) {
    return undefined;
  }
  const active: { segment: number; key: Item }[] = [];
  for (const entry of list as unknown[]) {
    if (!Array.isArray(entry) || entry.length !== 2) return undefined;
    const [segment, wire] = entry as [unknown, unknown];
    if (typeof segment !== 'number' || !Number.isInteger(segment) || segment < 0) return undefined;
    if (segment >= next || active.some((a) => a.segment === segment)) return undefined;
    const key = fromWireKey(wire, scope.positionKeys);
    if (key === undefined) return undefined;
    active.push({ segment, key });
  }
  return { kind: 'segments', next, active };
}

function fromWireKey(wire: unknown, keys: readonly KeyAttributeMetadata[]): Item | undefined {
  if (!isRecord(wire) || Object.keys(wire).length !== keys.length) return undefined;
  const item: Item = {};
  for (const key of keys) {
    const value = Object.hasOwn(wire, key.attribute) ? wire[key.attribute] : undefined;
    if (!isRecord(value) || !hasOnly(value, [key.keyType])) return undefined;
    const text = value[key.keyType];
    if (typeof text !== 'string' || text.length === 0) return undefined;
    if (key.keyType === 'B') {
      const bytes = Buffer.from(text, 'base64');
      if (bytes.toString('base64') !== text) return undefined;
      item[key.attribute] = { B: new Uint8Array(bytes) };
    } else {
      item[key.attribute] = key.keyType === 'S' ? { S: text } : { N: text };
    }
  }
  return item;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function hasOnly(value: Record<string, unknown>, names: readonly string[]): boolean {
  const own = Object.keys(value);
  return own.length === names.length && names.every((name) => Object.hasOwn(value, name));
}
