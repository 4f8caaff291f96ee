/**
 * Offsets and lengths of the item envelope (format version 2): one DynamoDB B value per item and
 * key binding, holding every `@Encrypted` value of that binding. `docs/encryption-format.md`
 * documents the same table; change both together.
 *
 * ```text
 * offset   length  field
 * 0        2       magic 0x54 0x44 ('TD')
 * 2        1       format version (2)
 * 3        1       entry count n (1..16)
 * 4        ...     n entries, each:
 *                    16  key identity (see key-fingerprint.ts)
 *                    2   wrapped-key length W (uint16 BE, 1..1024)
 *                    W   the data key wrapped under that key
 * h-12     12      nonce
 * h        C >= 0  ciphertext of the sealed body (empty when no encrypted value is set)
 * h+C      16      GCM tag
 * ```
 *
 * The header is everything from the magic through the nonce (h bytes).
 */
import { KEY_FINGERPRINT_LENGTH } from './key-fingerprint';

/** 'TD': marks a B value as a theorydb envelope. */
export const ENVELOPE_MAGIC: readonly number[] = [0x54, 0x44];
export const MAGIC_LENGTH = ENVELOPE_MAGIC.length;
export const VERSION_OFFSET = MAGIC_LENGTH;
/** The only format version this code writes and reads. */
export const FORMAT_VERSION = 2;
export const ENTRY_COUNT_OFFSET = VERSION_OFFSET + 1;
export const ENTRIES_OFFSET = ENTRY_COUNT_OFFSET + 1;

/**
 * One entry per wrapping key: the bound key and each of `kms.additionalKeys`. Sixteen is far more
 * than any deployment replicates to, and bounds the work a forged header can ask of a reader.
 */
export const MAX_ENTRIES = 16;
export const FINGERPRINT_LENGTH = KEY_FINGERPRINT_LENGTH;
/** The wrapped-key length is a uint16, big-endian. */
export const WRAPPED_KEY_LENGTH_SIZE = 2;
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

/** Bytes of an envelope that do not depend on its entries or its body. */
export const FIXED_LENGTH = ENTRIES_OFFSET + NONCE_LENGTH + TAG_LENGTH;

/**
 * Length of one entry for a wrapped key of `wrappedKeyLength` bytes.
 *
 * @example
 * ```ts
 * entryLength(184); // 202
 * ```
 */
export function entryLength(wrappedKeyLength: number): number {
  return FINGERPRINT_LENGTH + WRAPPED_KEY_LENGTH_SIZE + wrappedKeyLength;
}
