import { keepStoredItem, type StoredItemLoader, storedItemOf } from './stored-item-slot';
import { TheoryDbError } from './theorydb-error';

/**
 * A conditional write was refused by DynamoDB: `ifNotExists` found an item, `ifExists` found
 * none, or a custom condition did not hold. The original SDK error is the `cause` (without the
 * item DynamoDB may have returned).
 *
 * With `returnOnConditionFailure: true` on the write, {@link storedItem} gives the item that was
 * stored when the condition failed, decrypted like a `find`.
 *
 * @example
 * ```ts
 * await repo.save(user, { ifNotExists: true }); // ConditionFailedError (CONDITION_FAILED)
 * ```
 */
export class ConditionFailedError extends TheoryDbError {
  readonly code = 'CONDITION_FAILED' as const;

  constructor(
    message: string,
    readonly entity: string,
    options?: { cause?: unknown; storedItem?: StoredItemLoader },
  ) {
    const { storedItem, ...errorOptions } = options ?? {};
    super(message, errorOptions);
    keepStoredItem(this, storedItem);
  }

  /**
   * The item stored when the condition failed, as an entity decrypted through the same
   * fail-closed read as `find` (key checks, and its key compared with the key written), or
   * `undefined` when no item was stored. It comes from the failed request's answer: no extra
   * read. Each call decrypts again (KMS requests as for a `find`) and nothing decrypted is kept
   * on the error.
   *
   * Rejects with the `EncryptionError` of a stored value that does not decrypt (`INTEGRITY`, a
   * disabled key, ...), with `RESPONSE_MISMATCH` for an item of another key, and with
   * `VALIDATION` when the write did not pass `returnOnConditionFailure: true`. The error itself
   * is unaffected: it was thrown, and prints, without the item.
   *
   * @example
   * ```ts
   * try {
   *   await users.save(user, { ifNotExists: true, returnOnConditionFailure: true });
   * } catch (err) {
   *   if (!(err instanceof ConditionFailedError)) throw err;
   *   const current = await err.storedItem<User>(); // User | undefined
   * }
   * ```
   */
  storedItem<E extends object = object>(): Promise<E | undefined> {
    return storedItemOf<E>(this, 'this write');
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), entity: this.entity };
  }
}
