/**
 * Offsets and lengths of the stored envelope (one DynamoDB B value per encrypted attribute).
 * `docs/encryption-format.md` documents the same table; change both together.
 *
 * ```text
 * offset         length  field
 * 0              2       magic 0x54 0x44 ('TD')
 * 2              1       format version (1)
 * 3              16      key fingerprint
 * 19             2       wrapped-key length W (uint16 BE, 1..1024)
 * 21             W       wrapped data key
 * 21+W           12      nonce
 * 33+W           C >= 1  ciphertext
 * 33+W+C         16      GCM tag
 * ```
 *
 * The header is everything from the magic through the nonce (33 + W bytes).
 */
import { KEY_FINGERPRINT_LENGTH } from './key-fingerprint';

/** 'TD': marks a B value as a theorydb envelope, so plaintext in an encrypted field is detected. */
export const ENVELOPE_MAGIC: readonly number[] = [0x54, 0x44];
export const MAGIC_OFFSET = 0;
export const MAGIC_LENGTH = ENVELOPE_MAGIC.length;

export const VERSION_OFFSET = MAGIC_OFFSET + MAGIC_LENGTH;
export const VERSION_LENGTH = 1;
/** The only format version this code writes and reads. */
export const FORMAT_VERSION = 1;

export const FINGERPRINT_OFFSET = VERSION_OFFSET + VERSION_LENGTH;
export const FINGERPRINT_LENGTH = KEY_FINGERPRINT_LENGTH;

export const WRAPPED_KEY_LENGTH_OFFSET = FINGERPRINT_OFFSET + FINGERPRINT_LENGTH;
/** The wrapped-key length is a uint16, big-endian. */
export const WRAPPED_KEY_LENGTH_SIZE = 2;

export const WRAPPED_KEY_OFFSET = WRAPPED_KEY_LENGTH_OFFSET + WRAPPED_KEY_LENGTH_SIZE;
export const MIN_WRAPPED_KEY_LENGTH = 1;
/**
 * A KMS `CiphertextBlob` for a 32-byte data key is about 150 to 200 bytes. 1024 leaves room for
 * other key types and future KMS formats while refusing lengths no KMS key produces.
 */
export const MAX_WRAPPED_KEY_LENGTH = 1024;

/** AES-GCM's standard 96-bit nonce. */
export const NONCE_LENGTH = 12;
/** Full 128-bit GCM tag; shorter tags weaken authentication. */
export const TAG_LENGTH = 16;
/** The typed plaintext always holds at least its type tag, so the ciphertext is never empty. */
export const MIN_CIPHERTEXT_LENGTH = 1;

/** Bytes of the header that do not depend on the wrapped key: magic through nonce, minus W. */
export const HEADER_FIXED_LENGTH = WRAPPED_KEY_OFFSET + NONCE_LENGTH;

/** The shortest well-formed envelope: smallest wrapped key and smallest ciphertext. */
export const MIN_ENVELOPE_LENGTH =
  HEADER_FIXED_LENGTH + MIN_WRAPPED_KEY_LENGTH + MIN_CIPHERTEXT_LENGTH + TAG_LENGTH;

/**
 * Length of the header (magic through nonce) for a wrapped key of `wrappedKeyLength` bytes.
 *
 * @example
 * ```ts
 * headerLength(184); // 217: where the ciphertext starts for a typical KMS wrapped key
 * ```
 */
export function headerLength(wrappedKeyLength: number): number {
  return HEADER_FIXED_LENGTH + wrappedKeyLength;
}
