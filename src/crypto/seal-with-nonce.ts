import { seal } from './aead';
import { associatedData, type ValueContext } from './associated-data';
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
  return sealEncodedWithNonce(
    key,
    nonce,
    encodePlaintext(value, { entity: context.entity }),
    context,
  );
}

/**
 * Seals an already encoded typed plaintext (from `encodePlaintext`), which it wipes once sealed.
 * Lets the repository encode (and so validate) every value before it asks KMS for a key.
 *
 * @example
 * ```ts
 * const stored = sealEncodedWithNonce(dataKey, nextNonce(), encodePlaintext(value), context);
 * ```
 */
export function sealEncodedWithNonce(
  key: DataKeyMaterial,
  nonce: Buffer,
  plaintext: Buffer,
  context: ValueContext,
): Buffer {
  try {
    assertDataKeyConsistent(key);
    const header = encodeEnvelopeHeader({
      fingerprint: key.fingerprint,
      wrappedKey: key.wrappedKey,
      nonce,
    });
    const { ciphertext, tag } = seal(
      key.plaintextKey,
      nonce,
      plaintext,
      associatedData(header, context),
    );
    return Buffer.concat([header, ciphertext, tag]);
  } catch (error) {
    throw withValueContext(error, key, context);
  } finally {
    // Best effort: the encoded plaintext is ours alone, so wipe it once sealed.
    plaintext.fill(0);
  }
}
