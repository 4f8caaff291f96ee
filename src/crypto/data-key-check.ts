import { EncryptionError } from '../errors';
import { DATA_KEY_LENGTH } from './aead';
import type { DataKeyMaterial } from './data-key';
import { keyFingerprint } from './key-fingerprint';

/** Materials already checked: the SHA-256 of the ARN is paid once per data key, not per envelope. */
const checked = new WeakSet<DataKeyMaterial>();

/**
 * Refuse a data key whose fingerprint is not that of its key ARN, or whose plaintext key is not
 * 32 bytes. Writing with such a key would store values no reader could match to a bound key.
 *
 * @throws EncryptionError `KEY_NOT_ALLOWED` on a fingerprint mismatch, `KMS_ERROR` on a key of the
 *   wrong length.
 * @example
 * ```ts
 * assertDataKeyConsistent(material); // once per data key; later calls are a WeakSet lookup
 * ```
 */
export function assertDataKeyConsistent(key: DataKeyMaterial): void {
  if (checked.has(key)) return;
  if (!key.fingerprint.equals(keyFingerprint(key.keyArn))) {
    throw new EncryptionError(
      'KEY_NOT_ALLOWED',
      'the data key fingerprint does not match its KMS key ARN',
      { keyArn: key.keyArn },
    );
  }
  if (key.plaintextKey.length !== DATA_KEY_LENGTH) {
    throw new EncryptionError('KMS_ERROR', `the data key must be ${DATA_KEY_LENGTH} bytes`, {
      keyArn: key.keyArn,
    });
  }
  checked.add(key);
}
