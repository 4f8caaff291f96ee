import type { ValueContext } from './associated-data';
import type { DataKeyMaterial } from './data-key';
import { sealWithNonce } from './seal-with-nonce';

/**
 * FOR GOLDEN TEST VECTORS ONLY. Seals `value` exactly as `sealValue` does but with the caller's
 * nonce, so the output is reproducible. Two values sealed with one nonce under one data key
 * reveal their XOR and let an attacker forge tags: never use this outside tests. Deliberately
 * not exported from any index; tests import it by path.
 *
 * @example
 * ```ts
 * import { insecureSealWithFixedNonce } from '../../src/crypto/insecure-fixed-nonce';
 * const envelope = insecureSealWithFixedNonce(fixtureKey, 'hello', context, Buffer.alloc(12, 7));
 * ```
 */
export function insecureSealWithFixedNonce(
  key: DataKeyMaterial,
  value: unknown,
  context: ValueContext,
  nonce: Buffer,
): Buffer {
  return sealWithNonce(key, nonce, value, context);
}
