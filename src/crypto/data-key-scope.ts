import { inspect } from 'node:util';
import type { DataKeyMaterial } from './data-key';
import type { DataKeyCache } from './data-key-cache';
import { decryptionKeyId, encryptionKeyId, type DataKeySource } from './data-key-source';

/**
 * The data keys of one operation: one save, one batch, one page of a query. Create one per
 * operation and drop it afterwards.
 *
 * Without a cache (the default), the scope asks KMS at most once per key: one GenerateDataKey per
 * (key ARN, table) and one Decrypt per distinct wrapped key, however many values and however many
 * concurrent callers; a key generated in this scope decrypts its own values without KMS.
 *
 * With a {@link DataKeyCache}, every call goes to the cache and counts one use there, so ask once
 * per item envelope.
 *
 * Either way the scope fails closed: once a key has failed, every later call for it in this scope
 * gets the same error. There is no retry inside an operation (the SDK's own retries, within the
 * provider's timeout, have already been spent).
 *
 * @example
 * ```ts
 * const scope = new DataKeyScope(provider);
 * const [a, b] = await Promise.all([
 *   scope.encryptionKey(keyArn, 'users'),
 *   scope.encryptionKey(keyArn, 'users'),
 * ]); // one GenerateDataKey; a === b
 * await scope.decryptionKey(keyArn, 'users', a.wrappedKey); // no KMS call
 * ```
 */
export class DataKeyScope {
  readonly #encryption = new Map<string, Promise<DataKeyMaterial>>();
  readonly #decryption = new Map<string, Promise<DataKeyMaterial>>();
  /** Keys that failed in this scope while going through the cache. */
  readonly #failed = new Map<string, Promise<DataKeyMaterial>>();

  // Native private fields (as in DataKeyCache and KmsKeyProvider): they hold data keys and the
  // KMS client, which `console.dir` would print from ordinary properties.
  readonly #provider: DataKeySource;
  readonly #cache: DataKeyCache | undefined;

  #kmsRequests = 0;

  constructor(provider: DataKeySource, cache?: DataKeyCache) {
    // Every data-key request of this scope's operation passes here, through the cache or not: the
    // count is what the operation's span reports as its KMS requests.
    this.#provider = {
      generateDataKey: async (keyArn, table) => {
        this.#kmsRequests += 1;
        const material = await provider.generateDataKey(keyArn, table);
        // One Encrypt more for each additional key the new data key was wrapped under.
        this.#kmsRequests += material.entries.length - 1;
        return material;
      },
      decryptDataKey: (keyArn, wrappedKey, table) => {
        this.#kmsRequests += 1;
        return provider.decryptDataKey(keyArn, wrappedKey, table);
      },
    };
    this.#cache = cache;
  }

  /** How many KMS data-key requests this scope has made so far. */
  get kmsRequests(): number {
    return this.#kmsRequests;
  }

  /**
   * The data key to encrypt a value of `table` under `keyArn`.
   *
   * @example
   * ```ts
   * const key = await scope.encryptionKey(keyArn, 'users');
   * ```
   */
  encryptionKey(keyArn: string, table: string): Promise<DataKeyMaterial> {
    const id = encryptionKeyId(keyArn, table);
    const cache = this.#cache;
    if (cache !== undefined) {
      return this.throughCache(id, () => cache.encryptionKey(this.#provider, keyArn, table));
    }
    const known = this.#encryption.get(id);
    if (known !== undefined) return known;
    const pending = this.#provider.generateDataKey(keyArn, table);
    this.#encryption.set(id, pending);
    pending.then(
      (material) => {
        const wrappedId = decryptionKeyId(keyArn, table, material.wrappedKey);
        if (!this.#decryption.has(wrappedId)) this.#decryption.set(wrappedId, pending);
      },
      // The failure stays in the map (shared by later callers); they handle it.
      () => undefined,
    );
    return pending;
  }

  /**
   * The unwrapped data key `wrappedKey`, which must belong to `keyArn` and `table`.
   *
   * @example
   * ```ts
   * const key = await scope.decryptionKey(keyArn, 'users', envelope.wrappedKey);
   * ```
   */
  decryptionKey(keyArn: string, table: string, wrappedKey: Buffer): Promise<DataKeyMaterial> {
    return this.decryptionKeys(keyArn, table, wrappedKey, 1)[0];
  }

  /**
   * The unwrapped data key `wrappedKey` for `count` values sealed with it: exactly what `count`
   * calls of {@link decryptionKey} in a row return (with a cache, one use per envelope), with the
   * key's identity computed once. Reading a page asks once per distinct data key, not per envelope.
   *
   * @example
   * ```ts
   * const keys = scope.decryptionKeys(keyArn, 'users', envelope.wrappedKey, 20); // 20 promises
   * ```
   */
  decryptionKeys(
    keyArn: string,
    table: string,
    wrappedKey: Buffer,
    count: number,
  ): Promise<DataKeyMaterial>[] {
    const id = decryptionKeyId(keyArn, table, wrappedKey);
    const cache = this.#cache;
    if (cache !== undefined) {
      const failure = this.#failed.get(id);
      if (failure !== undefined) return new Array<Promise<DataKeyMaterial>>(count).fill(failure);
      const keys = cache.decryptionKeys(this.#provider, keyArn, table, wrappedKey, count);
      for (const pending of new Set(keys)) this.rememberFailure(id, pending);
      return keys;
    }
    let pending = this.#decryption.get(id);
    if (pending === undefined) {
      pending = this.#provider.decryptDataKey(keyArn, wrappedKey, table);
      this.#decryption.set(id, pending);
      pending.catch(() => undefined);
    }
    return new Array<Promise<DataKeyMaterial>>(count).fill(pending);
  }

  /**
   * A summary without keys.
   *
   * @example
   * ```ts
   * JSON.stringify(scope); // {"encryptionKeys":1,"decryptionKeys":2,"cached":false}
   * ```
   */
  toJSON(): Record<string, unknown> {
    return {
      encryptionKeys: this.#encryption.size,
      decryptionKeys: this.#decryption.size,
      cached: this.#cache !== undefined,
    };
  }

  [inspect.custom](): string {
    return `DataKeyScope ${inspect(this.toJSON())}`;
  }

  private throughCache(id: string, call: () => Promise<DataKeyMaterial>): Promise<DataKeyMaterial> {
    const failure = this.#failed.get(id);
    if (failure !== undefined) return failure;
    const pending = call();
    this.rememberFailure(id, pending);
    return pending;
  }

  /** Once `pending` fails, every later call for `id` in this scope gets that failure. */
  private rememberFailure(id: string, pending: Promise<DataKeyMaterial>): void {
    pending.catch(() => {
      if (!this.#failed.has(id)) this.#failed.set(id, pending);
    });
  }
}
