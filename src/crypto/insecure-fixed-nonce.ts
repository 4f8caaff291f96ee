import type { DataKeyMaterial } from './data-key';
import { type AadOf, sealItemWithNonce } from './item-cipher';

/**
 * FOR GOLDEN TEST VECTORS ONLY. Seals `body` exactly as `sealItem` does but with the caller's
 * nonce, so the output is reproducible. Two bodies sealed with one nonce under one data key
 * reveal their XOR and let an attacker forge tags: never use this outside tests. Deliberately
 * not exported from any index; tests import it by path.
 *
 * @example
 * ```ts
 * import { insecureSealWithFixedNonce } from '../../src/crypto/insecure-fixed-nonce';
 * const envelope = insecureSealWithFixedNonce(fixtureKey, body, aadOf, Buffer.alloc(12, 7));
 * ```
 */
export function insecureSealWithFixedNonce(
  key: DataKeyMaterial,
  body: Buffer,
  aadOf: AadOf,
  nonce: Buffer,
): Buffer {
  return sealItemWithNonce(key, body, aadOf, nonce);
}
