import type { KMSClient } from '@aws-sdk/client-kms';

/**
 * The KMS binding of a {@link TheoryDb}: the client and the keys encrypted fields may use. Bound
 * once, at construction; there is no per-call override and no way to turn encryption off.
 *
 * @example
 * ```ts
 * const db = new TheoryDb({
 *   dynamodb,
 *   kms: {
 *     client: new KMSClient({}),
 *     keyId: 'alias/app-secrets',                  // @Encrypted()
 *     keys: { payments: 'alias/app-payments' },    // @Encrypted({ key: 'payments' })
 *     cache: { maxAgeMs: 60_000, maxUses: 10_000 },  // opt-in; see the README on revocation
 *   },
 * });
 * ```
 */
/**
 * Another KMS key every new data key of a binding is also wrapped under, through that key's own
 * client (usually another region's): a reader bound to it decrypts with its own entry.
 *
 * @example
 * ```ts
 * { client: new KMSClient({ region: 'eu-west-1' }), keyId: 'arn:aws:kms:eu-west-1:111122223333:key/...' }
 * ```
 */
export interface AdditionalKey {
  /** The client for this key's region. Its credentials need kms:DescribeKey and kms:Encrypt. */
  client: KMSClient;
  /** A key id, key ARN, alias name or alias ARN, resolved through `client`. */
  keyId: string;
}

/**
 * A named binding with additional keys: `kms.keys.<name>` as an object.
 *
 * @example
 * ```ts
 * keys: { payments: { keyId: 'alias/payments', additionalKeys: [{ client: euKms, keyId: euKey }] } }
 * ```
 */
export interface NamedKeyOptions {
  keyId: string;
  additionalKeys?: readonly AdditionalKey[];
}

export interface KmsOptions {
  /** The KMS client. Its credentials need kms:DescribeKey, kms:GenerateDataKey and kms:Decrypt. */
  client: KMSClient;
  /** The default key: a key id, key ARN, alias name or alias ARN. Used by `@Encrypted()`. */
  keyId?: string;
  /**
   * Wraps every new data key of the default binding also under each of these keys (one KMS
   * `Encrypt` per new data key and additional key, never per item), and stores each wrap in the
   * item's envelope, so readers in other regions bound to one of them can decrypt. At most 15.
   *
   * @example
   * ```ts
   * kms: {
   *   client: new KMSClient({ region: 'us-east-1' }),
   *   keyId: 'alias/app-secrets',
   *   additionalKeys: [{ client: new KMSClient({ region: 'eu-west-1' }), keyId: 'alias/app-secrets' }],
   * }
   * ```
   */
  additionalKeys?: readonly AdditionalKey[];
  /**
   * Named keys, used by `@Encrypted({ key: name })` and by nothing else: a key id, or
   * `{ keyId, additionalKeys }` (see {@link KmsOptions.additionalKeys}).
   */
  keys?: Readonly<Record<string, string | NamedKeyOptions>>;
  /** How long one KMS call may take before the operation fails with `KMS_UNAVAILABLE`. Default 3000. */
  timeoutMs?: number;
  /**
   * Opt-in reuse of data keys across operations. Without it, a data key lives for one operation
   * (one save, one batch, one page), so a disabled or revoked key fails the very next operation.
   * With it, a revoked key keeps working for up to `maxAgeMs` in this process. Each bound is an
   * integer from 1 to its cap in `DATA_KEY_CACHE_CAPS`: `maxAgeMs` at most one hour,
   * `maxUses` at most 2^32 values per data key (AES-GCM's bound with random nonces), `maxEntries`
   * (default 1000) at most 10,000; anything else fails `new TheoryDb` with `VALIDATION`.
   *
   * @example
   * ```ts
   * kms: { client, keyId: 'alias/app', cache: { maxAgeMs: 5 * 60_000, maxUses: 100_000 } }
   * ```
   */
  cache?: { maxAgeMs: number; maxUses: number; maxEntries?: number };
  /**
   * Keys a field used before it moved to its current key (a manual rotation), whose values may
   * still be read but are never written: a value sealed under one of them decrypts (with `Decrypt`
   * pinned to that key), and saving the entity again seals it under the current key. Listed per
   * binding, beside it: `keyId` for the default key, `keys.<name>` for a named key. Each envelope
   * names its key, so a retired key is used only for the values made under it, never tried in
   * place of another; a value under a key that is neither current nor listed here still fails
   * with `KEY_NOT_ALLOWED`. Retired keys are resolved (DescribeKey) only when such a value is read.
   *
   * @example
   * ```ts
   * kms: {
   *   client,
   *   keyId: 'alias/app-secrets-2027',
   *   retired: { keyId: ['arn:aws:kms:eu-west-1:111122223333:key/1234abcd-...'] },
   * }
   * ```
   */
  retired?: {
    keyId?: readonly string[];
    keys?: Readonly<Record<string, readonly string[]>>;
  };
}
