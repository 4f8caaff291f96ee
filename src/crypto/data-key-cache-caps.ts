/**
 * The largest values `kms.cache` accepts; `new TheoryDb(...)` refuses anything above them (and
 * anything that is not an integer >= 1) with `ValidationError` (`VALIDATION`). The README's
 * section on the cache gives the reasoning at length.
 *
 * - `maxUses` 2^32: one use is one AES-256-GCM encryption (one value) under the data key, each
 *   with a fresh random 96-bit nonce. NIST SP 800-38D (section 8.3) allows at most 2^32 such
 *   encryptions per key, which keeps the chance that two values share a nonce below 2^-32; a
 *   repeated nonce reveals the XOR of the two plaintexts and GCM's authentication key, and with it
 *   the power to forge values. A key cached past that bound would be used beyond what the mode
 *   guarantees. (Reads count uses too, though decryption draws no nonce: one bound for both.)
 * - `maxAgeMs` one hour: the revocation delay. While a data key is cached, disabling the KMS key,
 *   scheduling its deletion or revoking the application's grant does not stop this process from
 *   reading and writing with it, and the plaintext data key stays in memory. An hour bounds both,
 *   and already brings a busy key down to about one GenerateDataKey per hour, table and process.
 * - `maxEntries` 10,000: the number of plaintext data keys one cache holds (each of the two
 *   caches, for encryption and for reading), about 1 KB each with KMS's wrapped keys: a bound on
 *   memory and on what a heap dump exposes.
 *
 * @example
 * ```ts
 * const cache = { maxAgeMs: DATA_KEY_CACHE_CAPS.maxAgeMs, maxUses: 1_000_000 };
 * new TheoryDb({ dynamodb, kms: { client, keyId: 'alias/app', cache } });
 * ```
 */
export const DATA_KEY_CACHE_CAPS: {
  readonly maxUses: number;
  readonly maxAgeMs: number;
  readonly maxEntries: number;
} = Object.freeze({
  maxUses: 2 ** 32,
  maxAgeMs: 60 * 60_000,
  maxEntries: 10_000,
});
