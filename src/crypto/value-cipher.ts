import { EncryptionError } from '../errors';
import { open } from './aead';
import { associatedData, type ValueContext } from './associated-data';
import type { DataKeyMaterial } from './data-key';
import { assertDataKeyConsistent } from './data-key-check';
import type { ParsedEnvelope } from './envelope';
import { FORMAT_VERSION } from './envelope-layout';
import { nextNonce } from './nonce-source';
import { decodePlaintext } from './plaintext-codec';
import { sealEncodedWithNonce, sealWithNonce } from './seal-with-nonce';
import { withValueContext } from './value-error-context';

/**
 * Encrypt one `@Encrypted` value into its stored envelope: typed plaintext, a fresh random nonce,
 * AES-256-GCM under the data key, with the envelope header and `context` as associated data.
 *
 * @throws ValidationError when the value's type cannot be encrypted or a key value is invalid.
 * @throws EncryptionError when the data key is inconsistent (`KEY_NOT_ALLOWED`, `KMS_ERROR`).
 * @example
 * ```ts
 * const stored = sealValue(dataKey, 'ada@example.com', {
 *   table: 'app-main',
 *   entity: 'User',
 *   partitionKey: { name: 'pk', value: { S: 'USER#42' } },
 *   attribute: 'email',
 * });
 * item.email = { B: stored };
 * ```
 */
export function sealValue(key: DataKeyMaterial, value: unknown, context: ValueContext): Buffer {
  return sealWithNonce(key, nextNonce(), value, context);
}

/**
 * {@link sealValue} for a value already encoded with `encodePlaintext` (the repository encodes,
 * and so validates, every value before it asks KMS for a data key), with the associated data in
 * the parts of `composeAad`. The encoded bytes are wiped. Errors name no entity or field.
 *
 * @example
 * ```ts
 * const plaintext = encodePlaintext(user.email, { entity: 'User', field: 'email' });
 * const stored = sealPlaintext(dataKey, plaintext, itemPart, encodeAttributeAad('email'));
 * ```
 */
export function sealPlaintext(
  key: DataKeyMaterial,
  plaintext: Buffer,
  itemPart: Buffer,
  attributePart: Buffer,
): Buffer {
  return sealEncodedWithNonce(key, nextNonce(), plaintext, itemPart, attributePart);
}

/**
 * Decrypt one parsed envelope with the data key its wrapped key decrypted to, and return the
 * value with the type it was saved with. Nothing is returned unless the GCM tag verifies.
 *
 * @throws EncryptionError `KEY_NOT_ALLOWED` when the envelope names another KMS key than `key`;
 *   `INTEGRITY` when it holds another wrapped data key, or authentication fails (altered bytes,
 *   or a value moved to another table, entity, item or attribute); `MALFORMED_CIPHERTEXT` when
 *   the authenticated plaintext does not decode.
 * @example
 * ```ts
 * const envelope = parseEnvelope(item.email.B);
 * const email = openValue(dataKey, envelope, context); // 'ada@example.com'
 * ```
 */
export function openValue(
  key: DataKeyMaterial,
  envelope: ParsedEnvelope,
  context: ValueContext,
): unknown {
  try {
    return openEnvelope(key, envelope, associatedData(envelope.header, context));
  } catch (error) {
    // The field (a property name) is filled in by the repository; this layer knows attributes.
    throw withValueContext(error, key, context);
  }
}

/**
 * {@link openValue} with the associated data already composed (see `composeAad`): the read path
 * encodes what an item's values share once per item. Errors carry no entity or field; the caller
 * adds them.
 *
 * @throws EncryptionError as {@link openValue}.
 * @example
 * ```ts
 * const aad = composeAad(envelope.header, itemPart, encodeAttributeAad('email'));
 * const email = openEnvelope(dataKey, envelope, aad);
 * ```
 */
export function openEnvelope(key: DataKeyMaterial, envelope: ParsedEnvelope, aad: Buffer): unknown {
  if (envelope.version !== FORMAT_VERSION) {
    throw new EncryptionError('MALFORMED_CIPHERTEXT', 'unsupported envelope format version');
  }
  if (!envelope.fingerprint.equals(key.fingerprint)) {
    throw new EncryptionError(
      'KEY_NOT_ALLOWED',
      'encrypted value was sealed under a KMS key that is not the bound key',
    );
  }
  if (!envelope.wrappedKey.equals(key.wrappedKey)) {
    throw new EncryptionError(
      'INTEGRITY',
      'encrypted value was sealed with another data key than the one supplied',
    );
  }
  assertDataKeyConsistent(key);
  const plaintext = open(key.plaintextKey, envelope.nonce, envelope.ciphertext, envelope.tag, aad);
  try {
    return decodePlaintext(plaintext);
  } finally {
    plaintext.fill(0);
  }
}
