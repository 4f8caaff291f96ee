import { ByteReader, malformedPlaintext } from './byte-reader';
import { ByteWriter } from './byte-writer';
import { readPlaintextValue } from './plaintext-decoder';

/**
 * Attribute names in a sealed body are at most this many UTF-8 bytes (one length byte);
 * discovery refuses longer names on `@Encrypted` properties.
 */
export const MAX_SEALED_NAME_BYTES = 255;

/** One encrypted value as sealed: its attribute name and its typed plaintext. */
export interface SealedField {
  readonly attribute: string;
  /** From `encodePlaintext`: self-delimiting, so values follow each other without lengths. */
  readonly plaintext: Buffer;
}

/**
 * The plaintext an item envelope seals: each set encrypted value as its attribute name (one
 * length byte, then UTF-8) followed by its typed plaintext. The names live inside the ciphertext,
 * so the stored item shows neither which secrets it holds nor their names, and the GCM tag
 * authenticates the set of fields with their values. Wipes the given plaintexts.
 *
 * @example
 * ```ts
 * const body = encodeSealedBody([{ attribute: 'secret', plaintext: encodePlaintext('s3cr3t') }]);
 * ```
 */
export function encodeSealedBody(fields: readonly SealedField[]): Buffer {
  const out = new ByteWriter();
  try {
    for (const { attribute, plaintext } of fields) {
      const length = Buffer.byteLength(attribute, 'utf8');
      out.uint8(length).utf8(attribute, length).bytes(plaintext);
    }
    return out.finish();
  } catch (error) {
    out.wipe();
    throw error;
  } finally {
    for (const { plaintext } of fields) plaintext.fill(0);
  }
}

/**
 * The values of a decrypted sealed body, by attribute name.
 *
 * @throws EncryptionError `MALFORMED_CIPHERTEXT` when the body does not decode or names an
 *   attribute twice (reachable only with a valid tag: a bug or a forged key).
 * @example
 * ```ts
 * decodeSealedBody(body).get('secret'); // 's3cr3t'
 * ```
 */
export function decodeSealedBody(body: Buffer): Map<string, unknown> {
  const input = new ByteReader(body);
  const values = new Map<string, unknown>();
  while (input.remaining > 0) {
    const name = input.bytes(input.uint8()).toString('utf8');
    if (values.has(name)) throw malformedPlaintext('names an attribute twice');
    values.set(name, readPlaintextValue(input));
  }
  return values;
}
