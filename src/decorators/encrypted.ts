import type { EncryptedOptions } from '../metadata/declarations';
import { metadataStorage } from '../metadata/metadata-storage';
import { propertyName } from './property-decorator';

/**
 * Encrypts this attribute with AWS KMS envelope encryption on every save and decrypts it on every
 * load, failing closed: a missing, unreachable, disabled or wrong key, or a stored value that does
 * not decrypt, fails the operation with an `EncryptionError`. It implies `@Attribute()`; combine
 * with `@Attribute({ name })` to rename the attribute. Key and index attributes cannot be
 * encrypted.
 *
 * @example
 * ```ts
 * @Encrypted() apiToken!: string;                       // the client's kms.keyId
 * @Encrypted({ key: 'payments' }) cardNumber!: string;  // kms.keys.payments, and nothing else
 * ```
 */
export function Encrypted(options: EncryptedOptions = {}): PropertyDecorator {
  return (prototype, property) => {
    metadataStorage.recordEncrypted(prototype, propertyName(property), options);
  };
}
