import { inspect } from 'node:util';
import type { DataKeyMaterial } from './data-key';
import type { DataKeyCache } from './data-key-cache';
import { decryptionKeyId, encryptionKeyId, type DataKeySource } from './data-key-source';
import { kmsAbortError, waitUnlessAborted } from './kms-abort';
import { followSignal, type OperationSignal } from './operation-signal';

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
 * **Abort.** The scope takes its operation's `abortSignal`. Once it fires, every pending and later
 * key of the scope rejects with an `AbortError` at once (the operation reports `AbortedError`), and
 * an already aborted scope makes no KMS request. Without a cache the scope's requests are its own,
 * so the signal cancels them in flight. Through a cache a request may be shared with concurrent
 * operations: the signal then only ends this scope's wait, and the request goes on for the others
 * (bounded by the provider's deadline) and is cached if it succeeds. A rejected request, aborted
 * or not, is never cached (the cache drops failed loads), and the scope's own record of the
 * failure dies with the scope.
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
  readonly #signal: OperationSignal | undefined;

  #kmsRequests = 0;

  constructor(provider: DataKeySource, cache?: DataKeyCache, abortSignal?: AbortSignal) {
    const signal = abortSignal === undefined ? undefined : followSignal(abortSignal);
    // The scope's own requests carry its signal; those it makes through the cache are shared with
    // other operations and carry none (the scope's wait on them is cut short instead).
    const own = cache === undefined ? signal?.signal : undefined;
    // Every data-key request of this scope's operation passes here, through the cache or not: the
    // count is what the operation's span reports as its KMS requests.
    this.#provider = {
      generateDataKey: async (keyArn, table) => {
        this.#kmsRequests += 1;
        const material = await provider.generateDataKey(keyArn, table, own);
        // One Encrypt more for each additional key the new data key was wrapped under.
        this.#kmsRequests += material.entries.length - 1;
        return material;
      },
      decryptDataKey: (keyArn, wrappedKey, table) => {
        this.#kmsRequests += 1;
        return provider.decryptDataKey(keyArn, wrappedKey, table, own);
      },
    };
    this.#cache = cache;
    this.#signal = signal;
  }

  /**
   * Aborted once the operation's `abortSignal` is: for the other KMS requests made on its behalf
   * (DescribeKey).
   */
  get signal(): AbortSignal | undefined {
    return this.#signal?.signal;
  }

  /**
   * Ends the scope's operation: the scope stops listening to its `abortSignal`. Call it when the
   * operation is over, whatever its outcome.
   *
   * @example
   * ```ts
   * const scope = new DataKeyScope(provider, undefined, abortSignal);
   * try {
   *   await scope.encryptionKey(keyArn, 'users');
   * } finally {
   *   scope.end();
   * }
   * ```
   */
  end(): void {
    this.#signal?.end();
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
    if (this.signal?.aborted) return Promise.reject(kmsAbortError());
    const id = encryptionKeyId(keyArn, table);
    const cache = this.#cache;
    if (cache !== undefined) {
      return this.throughCache(id, () =>
        waitUnlessAborted(cache.encryptionKey(this.#provider, keyArn, table), this.signal),
      );
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
    if (this.signal?.aborted) {
      return new Array<Promise<DataKeyMaterial>>(count).fill(Promise.reject(kmsAbortError()));
    }
    const id = decryptionKeyId(keyArn, table, wrappedKey);
    const cache = this.#cache;
    if (cache !== undefined) {
      const failure = this.#failed.get(id);
      if (failure !== undefined) return new Array<Promise<DataKeyMaterial>>(count).fill(failure);
      const shared = cache.decryptionKeys(this.#provider, keyArn, table, wrappedKey, count);
      // One wait per distinct key: callers group values by the identity of these promises.
      const waits = new Map<Promise<DataKeyMaterial>, Promise<DataKeyMaterial>>();
      for (const pending of new Set(shared)) {
        const wait = waitUnlessAborted(pending, this.signal);
        waits.set(pending, wait);
        this.rememberFailure(id, wait);
      }
      return shared.map((pending) => waits.get(pending) as Promise<DataKeyMaterial>);
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
