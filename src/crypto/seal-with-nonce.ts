import { seal } from './aead';
import {
  composeAad,
  encodeAttributeAad,
  encodeItemAad,
  type ValueContext,
} from './associated-data';
import type { DataKeyMaterial } from './data-key';
import { assertDataKeyConsistent } from './data-key-check';
import { encodeEnvelopeHeader } from './envelope';
import { encodePlaintext } from './plaintext-codec';
import { withValueContext } from './value-error-context';

/**
 * The per-value construction with the nonce given by the caller. Internal: `sealValue` passes a
 * fresh random nonce, and only golden-vector tests pass a fixed one (through
 * `insecure-fixed-nonce.ts`). Reusing a nonce under one data key breaks GCM; never export this
 * from an index.
 *
 * @example
 * ```ts
 * const stored = sealWithNonce(dataKey, nextNonce(), value, context); // what sealValue does
 * ```
 */
export function sealWithNonce(
  key: DataKeyMaterial,
  nonce: Buffer,
  value: unknown,
  context: ValueContext,
): Buffer {
  // Validation errors about the value come first, before any key is touched.
  const plaintext = encodePlaintext(value, { entity: context.entity });
  try {
    return sealEncodedWithNonce(
      key,
      nonce,
      plaintext,
      encodeItemAad(context),
      encodeAttributeAad(context.attribute),
    );
  } catch (error) {
    throw withValueContext(error, key, context);
  } finally {
    // Wiped by a successful seal, but not when the associated data could not be encoded.
    plaintext.fill(0);
  }
}

/**
 * Seals an already encoded typed plaintext (from `encodePlaintext`), which it wipes once sealed,
 * with the associated data given in the parts of `composeAad`. The repository encodes (and so
 * validates) every value before it asks KMS for a key, and encodes the item part once per item.
 * Errors name no entity or field; the caller adds them.
 *
 * @example
 * ```ts
 * const stored = sealEncodedWithNonce(dataKey, nextNonce(), encodePlaintext(value), itemPart, encodeAttributeAad('email'));
 * ```
 */
export function sealEncodedWithNonce(
  key: DataKeyMaterial,
  nonce: Buffer,
  plaintext: Buffer,
  itemPart: Buffer,
  attributePart: Buffer,
): Buffer {
  try {
    assertDataKeyConsistent(key);
    const header = encodeEnvelopeHeader({
      fingerprint: key.fingerprint,
      wrappedKey: key.wrappedKey,
      nonce,
    });
    const aad = composeAad(header, itemPart, attributePart);
    const { ciphertext, tag } = seal(key.plaintextKey, nonce, plaintext, aad);
    return Buffer.concat([header, ciphertext, tag]);
  } finally {
    // Best effort: the encoded plaintext is ours alone, so wipe it once sealed.
    plaintext.fill(0);
  }
}
