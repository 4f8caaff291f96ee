import { inspect } from 'node:util';
import { ValidationError } from '../errors';
import { BoundedKeyEntries, type KeyEntryLimits } from './bounded-key-entries';
import { DATA_KEY_CACHE_CAPS } from './data-key-cache-caps';
import type { DataKeyMaterial } from './data-key';
import { decryptionKeyId, encryptionKeyId, type DataKeySource } from './data-key-source';
import { countCacheLookup } from '../observability/telemetry';

const DEFAULT_MAX_ENTRIES = 1000;

/**
 * Options of {@link DataKeyCache}. Each bound is an integer from 1 to its cap in
 * {@link DATA_KEY_CACHE_CAPS}.
 *
 * @example
 * ```ts
 * const options: DataKeyCacheOptions = { maxAgeMs: 60_000, maxUses: 1000, maxEntries: 500 };
 * ```
 */
export interface DataKeyCacheOptions {
  /**
   * How long a data key is used after its KMS request started, in ms: the revocation delay. At
   * most one hour.
   */
  maxAgeMs: number;
  /**
   * How many values one data key may encrypt (or decrypt, for unwrapped keys) before renewal. At
   * most 2^32, AES-GCM's bound for one key with random nonces.
   */
  maxUses: number;
  /**
   * Most unwrapped (and most encryption) keys held, least recently used out first; default 1000,
   * at most 10,000.
   */
  maxEntries?: number;
  /** The clock, in ms; `Date.now` by default. For tests. */
  now?: () => number;
}

/**
 * An opt-in cache of data keys shared across operations, for applications whose KMS request rate
 * or latency matters more to them than immediate revocation.
 *
 * **Revocation delay.** A cached key is used without asking KMS, so disabling, deleting or
 * revoking access to the KMS key takes effect only when the cached data keys expire: up to
 * `maxAgeMs` after they were fetched, both for new writes and for reads. Call {@link clear} to end
 * it at once. Without a cache (the default) every operation asks KMS and revocation is immediate.
 *
 * **Uses.** Every call to {@link encryptionKey} or {@link decryptionKey} counts as one use: callers
 * ask once per item envelope they seal or open (a save of an item with three encrypted fields asks
 * once), so `maxUses` bounds the envelopes, and so the AES-GCM nonces, under one data key. A key is renewed once it reaches `maxUses` or
 * `maxAgeMs`, whichever comes first; uses are counted as they are handed out, so concurrent
 * callers never exceed `maxUses`.
 *
 * **Misses** are single-flight: concurrent callers for the same key share one KMS request. A
 * failed request is not cached; the next call asks KMS again. Keys generated here are also
 * remembered for decryption, so reading back recent writes needs no Decrypt. Because a miss is
 * shared, the cache sends it without any caller's abort signal: a caller that aborts stops
 * waiting (see `DataKeyScope`), and the request goes on for the others.
 *
 * @example
 * ```ts
 * const cache = new DataKeyCache({ maxAgeMs: 5 * 60_000, maxUses: 10_000 });
 * const scope = new DataKeyScope(provider, cache);
 * const key = await scope.encryptionKey(keyArn, 'users'); // one use
 * ```
 */
export class DataKeyCache {
  readonly #encryption: BoundedKeyEntries;
  readonly #decryption: BoundedKeyEntries;
  readonly #now: () => number;

  constructor(options: DataKeyCacheOptions) {
    const limits = checkOptions(options);
    this.#now = options.now ?? Date.now;
    this.#encryption = new BoundedKeyEntries(limits, this.#now, (hit) =>
      countCacheLookup('encrypt', hit),
    );
    this.#decryption = new BoundedKeyEntries(limits, this.#now, (hit) =>
      countCacheLookup('decrypt', hit),
    );
  }

  /**
   * One use of the current data key for (`keyArn`, `table`), generating one when there is none.
   *
   * @example
   * ```ts
   * const key = await cache.encryptionKey(provider, keyArn, 'users');
   * ```
   */
  encryptionKey(source: DataKeySource, keyArn: string, table: string): Promise<DataKeyMaterial> {
    return this.#encryption.use(encryptionKeyId(keyArn, table), () => {
      const startedAt = this.#now();
      return source.generateDataKey(keyArn, table).then((material) => {
        const id = decryptionKeyId(keyArn, table, material.wrappedKey);
        this.#decryption.seed(id, material, startedAt);
        return material;
      });
    });
  }

  /**
   * One use of the unwrapped `wrappedKey`, asking KMS when it is not cached.
   *
   * @example
   * ```ts
   * const key = await cache.decryptionKey(provider, keyArn, 'users', envelope.wrappedKey);
   * ```
   */
  decryptionKey(
    source: DataKeySource,
    keyArn: string,
    table: string,
    wrappedKey: Buffer,
  ): Promise<DataKeyMaterial> {
    return this.decryptionKeys(source, keyArn, table, wrappedKey, 1)[0];
  }

  /**
   * `count` uses of the unwrapped `wrappedKey`, exactly as `count` calls of
   * {@link decryptionKey} in a row take them (renewed after `maxUses`), with the id computed once.
   *
   * @example
   * ```ts
   * const keys = cache.decryptionKeys(provider, keyArn, 'users', envelope.wrappedKey, 20);
   * ```
   */
  decryptionKeys(
    source: DataKeySource,
    keyArn: string,
    table: string,
    wrappedKey: Buffer,
    count: number,
  ): Promise<DataKeyMaterial>[] {
    const id = decryptionKeyId(keyArn, table, wrappedKey);
    const load = () => source.decryptDataKey(keyArn, wrappedKey, table);
    return this.#decryption.useMany(id, count, load);
  }

  /**
   * Drop every cached key now, for example right after disabling a KMS key.
   *
   * @example
   * ```ts
   * cache.clear();
   * ```
   */
  clear(): void {
    this.#encryption.clear();
    this.#decryption.clear();
  }

  /**
   * A summary without keys: the cache holds plaintext data keys.
   *
   * @example
   * ```ts
   * JSON.stringify(cache); // {"encryptionKeys":1,"decryptionKeys":3}
   * ```
   */
  toJSON(): Record<string, unknown> {
    return { encryptionKeys: this.#encryption.size, decryptionKeys: this.#decryption.size };
  }

  [inspect.custom](): string {
    return `DataKeyCache ${inspect(this.toJSON())}`;
  }
}

const OPTION_NAMES: ReadonlySet<string> = new Set(['maxAgeMs', 'maxUses', 'maxEntries', 'now']);

function checkOptions(options: DataKeyCacheOptions): KeyEntryLimits {
  // Reached through `new TheoryDb({ kms: { cache } })`: the messages name the option as written there.
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new ValidationError('kms.cache: must be an object { maxAgeMs, maxUses, maxEntries? }');
  }
  // A misspelt bound would be ignored and leave the default (or nothing) in force.
  for (const name of Object.keys(options)) {
    if (!OPTION_NAMES.has(name)) {
      throw new ValidationError(
        `kms.cache: unknown option ${name}; the options are maxAgeMs, maxUses and maxEntries`,
      );
    }
  }
  const { maxAgeMs, maxUses, maxEntries = DEFAULT_MAX_ENTRIES, now } = options;
  const caps = DATA_KEY_CACHE_CAPS;
  checkBound(maxAgeMs, 'maxAgeMs', caps.maxAgeMs, 'milliseconds (one hour: the revocation delay)');
  checkBound(
    maxUses,
    'maxUses',
    caps.maxUses,
    "encryptions (2^32: AES-GCM's limit for one key with random nonces, NIST SP 800-38D)",
  );
  checkBound(maxEntries, 'maxEntries', caps.maxEntries, 'data keys held');
  if (now !== undefined && typeof now !== 'function') {
    throw new ValidationError('kms.cache: now must be a function returning milliseconds');
  }
  return { maxAgeMs, maxUses, maxEntries };
}

/** Refuses anything but an integer from 1 to `cap`, naming the option and the cap. */
function checkBound(value: unknown, name: string, cap: number, unit: string): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > cap) {
    throw new ValidationError(
      `kms.cache: ${name} must be an integer from 1 to ${cap} ${unit}; see DATA_KEY_CACHE_CAPS`,
    );
  }
}
