/**
 * The option of a conditional write (`save`, `update`, `delete`, and their transaction actions)
 * to get the stored item back when its condition fails.
 *
 * @example
 * ```ts
 * try {
 *   await users.delete({ id: 'u1' }, {
 *     condition: (c) => c.eq('status', 'closed'),
 *     returnOnConditionFailure: true,
 *   });
 * } catch (err) {
 *   if (err instanceof ConditionFailedError) console.log((await err.storedItem<User>())?.status);
 * }
 * ```
 */
export interface ConditionFailureOptions {
  /**
   * When the write's condition (or `@Version` check) fails, DynamoDB returns the item stored at
   * that moment (`ReturnValuesOnConditionCheckFailure: ALL_OLD`, in the same request: no extra
   * read), and the `ConditionFailedError` / `VersionConflictError` (or, in a transaction, the
   * `TransactionCanceledError`) offers it, decrypted on demand, through `storedItem()`. The error
   * never holds or prints the raw item. Default: false (nothing is asked for).
   */
  returnOnConditionFailure?: boolean;
}
