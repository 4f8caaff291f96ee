import { EncryptionError } from '../errors';
import {
  ENTRIES_OFFSET,
  ENTRY_COUNT_OFFSET,
  ENVELOPE_MAGIC,
  FINGERPRINT_LENGTH,
  FIXED_LENGTH,
  FORMAT_VERSION,
  MAGIC_LENGTH,
  MAX_ENTRIES,
  MAX_WRAPPED_KEY_LENGTH,
  MIN_WRAPPED_KEY_LENGTH,
  NONCE_LENGTH,
  TAG_LENGTH,
  VERSION_OFFSET,
  WRAPPED_KEY_LENGTH_SIZE,
  entryLength,
} from './envelope-layout';

/** One wrapping of the data key: the identity of a KMS key and the data key wrapped under it. */
export interface WrapEntry {
  /** `keyFingerprint(keyArn)` of the wrapping KMS key (16 bytes). */
  readonly fingerprint: Buffer;
  /** The KMS `CiphertextBlob` of the data key under that key (1 to 1024 bytes). */
  readonly wrappedKey: Buffer;
}

/**
 * An item envelope split into its fields. Every Buffer is a view over the bytes given to
 * {@link parseEnvelope}, not a copy: do not modify the input while the result is in use.
 */
export interface ParsedEnvelope {
  /** The format version byte (always {@link FORMAT_VERSION} once parsed). */
  readonly version: number;
  /** One entry per wrapping key, in the order the writer stored them (its bound key first). */
  readonly entries: readonly WrapEntry[];
  readonly nonce: Buffer;
  /** The AES-256-GCM ciphertext of the sealed body (may be empty). */
  readonly ciphertext: Buffer;
  readonly tag: Buffer;
  /** Magic through nonce: the bytes bound into the associated data. */
  readonly header: Buffer;
}

/**
 * Build the header (magic through nonce) of an envelope.
 *
 * @throws EncryptionError `MALFORMED_CIPHERTEXT` when a part has the wrong length or there are no
 *   or too many entries (a bug in the caller: the result would not parse).
 * @example
 * ```ts
 * const header = encodeEnvelopeHeader([{ fingerprint, wrappedKey }], nonce);
 * ```
 */
export function encodeEnvelopeHeader(entries: readonly WrapEntry[], nonce: Buffer): Buffer {
  if (entries.length < 1 || entries.length > MAX_ENTRIES) {
    throw malformed(`an envelope holds 1 to ${MAX_ENTRIES} key entries`);
  }
  if (nonce.length !== NONCE_LENGTH) throw malformed(`the nonce must be ${NONCE_LENGTH} bytes`);
  let length = ENTRIES_OFFSET + NONCE_LENGTH;
  for (const entry of entries) {
    checkEntry(entry);
    length += entryLength(entry.wrappedKey.length);
  }
  const header = Buffer.alloc(length);
  header.set(ENVELOPE_MAGIC, 0);
  header.writeUInt8(FORMAT_VERSION, VERSION_OFFSET);
  header.writeUInt8(entries.length, ENTRY_COUNT_OFFSET);
  let offset = ENTRIES_OFFSET;
  for (const { fingerprint, wrappedKey } of entries) {
    header.set(fingerprint, offset);
    offset = header.writeUInt16BE(wrappedKey.length, offset + FINGERPRINT_LENGTH);
    header.set(wrappedKey, offset);
    offset += wrappedKey.length;
  }
  header.set(nonce, offset);
  return header;
}

/**
 * True when `bytes` starts with the envelope magic: the cheap test that tells an envelope from
 * a value written in clear.
 *
 * @example
 * ```ts
 * hasEnvelopeMagic(item.__td.B); // true
 * ```
 */
export function hasEnvelopeMagic(bytes: Uint8Array): boolean {
  return (
    bytes.length >= MAGIC_LENGTH && bytes[0] === ENVELOPE_MAGIC[0] && bytes[1] === ENVELOPE_MAGIC[1]
  );
}

/**
 * Split a stored envelope into its fields, checking every length before reading it.
 *
 * @throws EncryptionError `MALFORMED_CIPHERTEXT` when the bytes are not a version 2 envelope:
 *   wrong magic or version, no or too many entries, a length out of range, or truncated.
 * @example
 * ```ts
 * const { entries, nonce, ciphertext, tag, header } = parseEnvelope(item.__td.B);
 * ```
 */
export function parseEnvelope(bytes: Uint8Array): ParsedEnvelope {
  const input = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (input.length < FIXED_LENGTH || !hasEnvelopeMagic(input)) {
    throw malformed('the value is not a theorydb envelope');
  }
  const version = input.readUInt8(VERSION_OFFSET);
  if (version !== FORMAT_VERSION) throw malformed('unsupported envelope format version');
  const count = input.readUInt8(ENTRY_COUNT_OFFSET);
  if (count < 1 || count > MAX_ENTRIES) throw malformed('the envelope has no valid key entries');
  const entries: WrapEntry[] = [];
  let offset = ENTRIES_OFFSET;
  for (let i = 0; i < count; i++) {
    if (offset + FINGERPRINT_LENGTH + WRAPPED_KEY_LENGTH_SIZE > input.length) {
      throw malformed('the envelope is truncated');
    }
    const fingerprint = input.subarray(offset, offset + FINGERPRINT_LENGTH);
    const wrappedLength = input.readUInt16BE(offset + FINGERPRINT_LENGTH);
    offset += FINGERPRINT_LENGTH + WRAPPED_KEY_LENGTH_SIZE;
    if (wrappedLength < MIN_WRAPPED_KEY_LENGTH || wrappedLength > MAX_WRAPPED_KEY_LENGTH) {
      throw malformed('the envelope has a wrapped key of an impossible length');
    }
    if (offset + wrappedLength > input.length) throw malformed('the envelope is truncated');
    entries.push({ fingerprint, wrappedKey: input.subarray(offset, offset + wrappedLength) });
    offset += wrappedLength;
  }
  const bodyStart = offset + NONCE_LENGTH;
  if (bodyStart + TAG_LENGTH > input.length) throw malformed('the envelope is truncated');
  const tagStart = input.length - TAG_LENGTH;
  return {
    version,
    entries,
    nonce: input.subarray(offset, bodyStart),
    ciphertext: input.subarray(bodyStart, tagStart),
    tag: input.subarray(tagStart),
    header: input.subarray(0, bodyStart),
  };
}

function checkEntry(entry: WrapEntry): void {
  if (entry.fingerprint.length !== FINGERPRINT_LENGTH) {
    throw malformed(`a key fingerprint must be ${FINGERPRINT_LENGTH} bytes`);
  }
  const length = entry.wrappedKey.length;
  if (length < MIN_WRAPPED_KEY_LENGTH || length > MAX_WRAPPED_KEY_LENGTH) {
    throw malformed(
      `a wrapped key must be ${MIN_WRAPPED_KEY_LENGTH} to ${MAX_WRAPPED_KEY_LENGTH} bytes`,
    );
  }
}

function malformed(problem: string): EncryptionError {
  return new EncryptionError('MALFORMED_CIPHERTEXT', problem);
}
