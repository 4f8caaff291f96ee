import { EncryptionError } from '../errors';
import {
  ENVELOPE_MAGIC,
  FINGERPRINT_LENGTH,
  FINGERPRINT_OFFSET,
  FORMAT_VERSION,
  MAGIC_LENGTH,
  MAGIC_OFFSET,
  MAX_WRAPPED_KEY_LENGTH,
  MIN_CIPHERTEXT_LENGTH,
  MIN_ENVELOPE_LENGTH,
  MIN_WRAPPED_KEY_LENGTH,
  NONCE_LENGTH,
  TAG_LENGTH,
  VERSION_OFFSET,
  WRAPPED_KEY_LENGTH_OFFSET,
  WRAPPED_KEY_OFFSET,
  headerLength,
} from './envelope-layout';

/** The parts of an envelope that precede the ciphertext. */
export interface EnvelopeHeaderParts {
  /** `keyFingerprint(keyArn)` of the KMS key that wrapped the data key (16 bytes). */
  fingerprint: Buffer;
  /** The KMS `CiphertextBlob` of the data key (1 to 1024 bytes). */
  wrappedKey: Buffer;
  /** The 12-byte GCM nonce. */
  nonce: Buffer;
}

/** Every part of an envelope. */
export interface EnvelopeParts extends EnvelopeHeaderParts {
  /** The AES-256-GCM ciphertext of the typed plaintext (at least 1 byte). */
  ciphertext: Buffer;
  /** The 16-byte GCM tag. */
  tag: Buffer;
}

/**
 * An envelope split into its fields. Every Buffer is a view over the bytes given to
 * {@link parseEnvelope}, not a copy: do not modify the input while the result is in use.
 */
export interface ParsedEnvelope extends EnvelopeParts {
  /** The format version byte (always {@link FORMAT_VERSION} once parsed). */
  version: number;
  /** Magic through nonce: the bytes bound into the associated data. */
  header: Buffer;
}

/**
 * Build the header (magic through nonce) of an envelope.
 *
 * @throws EncryptionError `MALFORMED_CIPHERTEXT` when a part has the wrong length (a bug in the
 *   caller: the result would not parse).
 * @example
 * ```ts
 * const header = encodeEnvelopeHeader({ fingerprint, wrappedKey, nonce });
 * ```
 */
export function encodeEnvelopeHeader(parts: EnvelopeHeaderParts): Buffer {
  checkHeaderParts(parts);
  const header = Buffer.alloc(headerLength(parts.wrappedKey.length));
  Buffer.from(ENVELOPE_MAGIC).copy(header, MAGIC_OFFSET);
  header.writeUInt8(FORMAT_VERSION, VERSION_OFFSET);
  parts.fingerprint.copy(header, FINGERPRINT_OFFSET);
  header.writeUInt16BE(parts.wrappedKey.length, WRAPPED_KEY_LENGTH_OFFSET);
  parts.wrappedKey.copy(header, WRAPPED_KEY_OFFSET);
  parts.nonce.copy(header, WRAPPED_KEY_OFFSET + parts.wrappedKey.length);
  return header;
}

/**
 * Serialise a complete envelope: header, ciphertext, tag.
 *
 * @throws EncryptionError `MALFORMED_CIPHERTEXT` when a part has the wrong length.
 * @example
 * ```ts
 * const stored = encodeEnvelope({ fingerprint, wrappedKey, nonce, ciphertext, tag });
 * parseEnvelope(stored).ciphertext.equals(ciphertext); // true
 * ```
 */
export function encodeEnvelope(parts: EnvelopeParts): Buffer {
  const header = encodeEnvelopeHeader(parts);
  if (parts.ciphertext.length < MIN_CIPHERTEXT_LENGTH) {
    throw malformed('cannot encode an envelope with an empty ciphertext');
  }
  if (parts.tag.length !== TAG_LENGTH) {
    throw malformed(`cannot encode an envelope: the tag must be ${TAG_LENGTH} bytes`);
  }
  return Buffer.concat([header, parts.ciphertext, parts.tag]);
}

/**
 * True when `bytes` starts with the envelope magic. The read path uses it to tell a plaintext
 * value in an encrypted field (`PLAINTEXT_IN_ENCRYPTED_FIELD`) from a damaged envelope
 * (`MALFORMED_CIPHERTEXT`).
 *
 * @example
 * ```ts
 * if (!hasEnvelopeMagic(item.email.B)) {
 *   throw new EncryptionError('PLAINTEXT_IN_ENCRYPTED_FIELD', 'User.email holds plaintext');
 * }
 * ```
 */
export function hasEnvelopeMagic(bytes: Uint8Array): boolean {
  if (bytes.length < MAGIC_LENGTH) return false;
  return ENVELOPE_MAGIC.every((byte, i) => bytes[MAGIC_OFFSET + i] === byte);
}

/**
 * Split a stored envelope into its fields, checking every length before reading anything.
 *
 * Bytes appended after a valid envelope cannot be told apart from ciphertext here (the
 * ciphertext has no length field); they shift the tag, so GCM rejects them with `INTEGRITY`.
 *
 * @throws EncryptionError `MALFORMED_CIPHERTEXT` when the magic is missing, the version is
 *   unknown, the wrapped-key length is outside 1..1024, or the bytes are too short for the
 *   header, one ciphertext byte and the tag.
 * @example
 * ```ts
 * const envelope = parseEnvelope(attribute.B);
 * envelope.fingerprint; // 16 bytes: which KMS key to expect
 * ```
 */
export function parseEnvelope(bytes: Uint8Array): ParsedEnvelope {
  if (bytes.length < MIN_ENVELOPE_LENGTH) {
    throw malformed('encrypted value is shorter than the smallest envelope');
  }
  if (!hasEnvelopeMagic(bytes)) {
    throw malformed('encrypted value does not start with the envelope magic');
  }
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.readUInt8(VERSION_OFFSET);
  if (version !== FORMAT_VERSION) {
    throw malformed('encrypted value has an unsupported format version');
  }
  const wrappedKeyLength = view.readUInt16BE(WRAPPED_KEY_LENGTH_OFFSET);
  if (wrappedKeyLength < MIN_WRAPPED_KEY_LENGTH || wrappedKeyLength > MAX_WRAPPED_KEY_LENGTH) {
    throw malformed('encrypted value has a wrapped-key length out of range');
  }
  const ciphertextOffset = headerLength(wrappedKeyLength);
  const tagOffset = view.length - TAG_LENGTH;
  if (tagOffset - ciphertextOffset < MIN_CIPHERTEXT_LENGTH) {
    throw malformed('encrypted value is too short for its wrapped key, ciphertext and tag');
  }
  const nonceOffset = WRAPPED_KEY_OFFSET + wrappedKeyLength;
  return {
    version,
    fingerprint: view.subarray(FINGERPRINT_OFFSET, FINGERPRINT_OFFSET + FINGERPRINT_LENGTH),
    wrappedKey: view.subarray(WRAPPED_KEY_OFFSET, nonceOffset),
    nonce: view.subarray(nonceOffset, nonceOffset + NONCE_LENGTH),
    ciphertext: view.subarray(ciphertextOffset, tagOffset),
    tag: view.subarray(tagOffset),
    header: view.subarray(0, ciphertextOffset),
  };
}

function checkHeaderParts(parts: EnvelopeHeaderParts): void {
  if (parts.fingerprint.length !== FINGERPRINT_LENGTH) {
    throw malformed(
      `cannot encode an envelope: the fingerprint must be ${FINGERPRINT_LENGTH} bytes`,
    );
  }
  const wrapped = parts.wrappedKey.length;
  if (wrapped < MIN_WRAPPED_KEY_LENGTH || wrapped > MAX_WRAPPED_KEY_LENGTH) {
    throw malformed(
      `cannot encode an envelope: the wrapped key must be ${MIN_WRAPPED_KEY_LENGTH} to ` +
        `${MAX_WRAPPED_KEY_LENGTH} bytes`,
    );
  }
  if (parts.nonce.length !== NONCE_LENGTH) {
    throw malformed(`cannot encode an envelope: the nonce must be ${NONCE_LENGTH} bytes`);
  }
}

function malformed(message: string): EncryptionError {
  return new EncryptionError('MALFORMED_CIPHERTEXT', message);
}
