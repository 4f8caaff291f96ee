import type { EncryptedOptions } from '../metadata/declarations';
import { redactProperty } from '../metadata/redaction';
import { propertyDecorator, type TheoryDbPropertyDecorator } from './property-decorator';

/**
 * Encrypts this attribute with AWS KMS envelope encryption on every save and decrypts it on every
 * load, failing closed: a missing, unreachable, disabled or wrong key, or a stored value that does
 * not decrypt, fails the operation with an `EncryptionError`. It implies `@Attribute()`; combine
 * with `@Attribute({ name })` to rename the attribute. Key and index attributes cannot be
 * encrypted. Under standard decorators, or a runner that emits no `design:type`, give its
 * `type` (or stack it on `@Attribute({ type })`).
 *
 * @example
 * ```ts
 * @Encrypted() apiToken!: string;                       // the client's kms.keyId
 * @Encrypted({ key: 'payments' }) cardNumber!: string;  // kms.keys.payments, and nothing else
 * @Encrypted({ type: String }) pin!: string;            // standard decorators, tsx, esbuild, ...
 * ```
 */
export function Encrypted(options: EncryptedOptions = {}): TheoryDbPropertyDecorator {
  return propertyDecorator((declaration, prototype) => {
    declaration.encrypted = { ...options };
    // The one record with an effect beyond the store: the property's printed forms are redacted
    // now, before any discovery, whatever order the decorators run in (see redaction.ts).
    redactProperty(prototype, declaration.property);
  });
}
