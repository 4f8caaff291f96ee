import { keepStoredItem, type StoredItemLoader, storedItemOf } from './stored-item-slot';
import { TheoryDbError } from './theorydb-error';

/**
 * An optimistic-locking save lost: the stored `@Version` is no longer the one this instance was
 * loaded with (or, for a new instance, an item already exists). Reload and retry; with
 * `returnOnConditionFailure: true` on the write, {@link storedItem} gives the winning item
 * without a reload.
 *
 * @example
 * ```ts
 * try {
 *   await repo.save(staleCopy);
 * } catch (err) {
 *   if (err instanceof VersionConflictError) {
 *     const fresh = await repo.get(key);
 *     // re-apply the change to `fresh` and save again
 *   }
 * }
 * ```
 */
export class VersionConflictError extends TheoryDbError {
  readonly code = 'VERSION_CONFLICT' as const;

  constructor(
    message: string,
    readonly entity: string,
    /** The version this save expected to find stored; `undefined` for a new instance. */
    readonly expectedVersion: number | undefined,
    options?: { cause?: unknown; storedItem?: StoredItemLoader },
  ) {
    const { storedItem, ...errorOptions } = options ?? {};
    super(message, errorOptions);
    keepStoredItem(this, storedItem);
  }

  /**
   * The item stored when the version check failed (the newer version, or `undefined` when the
   * item is gone), decrypted through the same fail-closed read as `find`, from the failed
   * request's answer (no extra read). Rejects as `ConditionFailedError.storedItem` does: with the
   * `EncryptionError` of a value that does not decrypt, `RESPONSE_MISMATCH`, or `VALIDATION`
   * when the write did not pass `returnOnConditionFailure: true`.
   *
   * @example
   * ```ts
   * try {
   *   await accounts.save(stale, { returnOnConditionFailure: true });
   * } catch (err) {
   *   if (!(err instanceof VersionConflictError)) throw err;
   *   const winner = await err.storedItem<Account>(); // the stored version, decrypted
   * }
   * ```
   */
  storedItem<E extends object = object>(): Promise<E | undefined> {
    return storedItemOf<E>(this, 'this write');
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), entity: this.entity, expectedVersion: this.expectedVersion };
  }
}
