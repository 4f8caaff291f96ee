import { keepStoredItems, type StoredItemLoader, storedItemOfAction } from './stored-item-slot';
import { TheoryDbError } from './theorydb-error';

/**
 * What an action of a transaction did: `find` is an item of `db.transactFind`.
 *
 * @example
 * ```ts
 * const kind: TransactionActionKind = error.reasons[0].action; // 'save'
 * ```
 */
export type TransactionActionKind = 'save' | 'delete' | 'update' | 'check' | 'find';

/**
 * Why one action of a cancelled transaction failed, or `NONE` when it did not (another one did).
 * `VERSION_CONFLICT` and `CONDITION_FAILED` mean the same as the errors of those codes on a single
 * write; `TRANSACTION_CONFLICT` (another request was writing the item) and `THROTTLED` may succeed
 * on a retry.
 *
 * @example
 * ```ts
 * if (error.reasons.some((r) => r.code === 'VERSION_CONFLICT')) reloadAndRetry();
 * ```
 */
export type TransactionReasonCode =
  | 'NONE'
  | 'CONDITION_FAILED'
  | 'VERSION_CONFLICT'
  | 'TRANSACTION_CONFLICT'
  | 'THROTTLED'
  | 'ITEM_COLLECTION_SIZE_LIMIT'
  | 'VALIDATION'
  | 'UNKNOWN';

/**
 * One action of a cancelled transaction, in the order the actions were added. Names only: no key
 * value, no attribute value.
 *
 * @example
 * ```ts
 * // { index: 1, entity: 'Account', table: 'accounts', action: 'save',
 * //   code: 'VERSION_CONFLICT', awsCode: 'ConditionalCheckFailed', expectedVersion: 4 }
 * const reason: TransactionCancellationReason = error.reasons[1];
 * ```
 */
export interface TransactionCancellationReason {
  /** The position of the action in the transaction, from 0. */
  readonly index: number;
  /** The entity name of the action. */
  readonly entity: string;
  readonly table: string;
  readonly action: TransactionActionKind;
  readonly code: TransactionReasonCode;
  /** DynamoDB's own code for the reason (`None`, `ConditionalCheckFailed`, ...). */
  readonly awsCode: string;
  /** For `VERSION_CONFLICT`: the version the action expected stored (undefined: a new entity). */
  readonly expectedVersion?: number;
}

const RETRYABLE: ReadonlySet<TransactionReasonCode> = new Set([
  'TRANSACTION_CONFLICT',
  'THROTTLED',
]);

/**
 * DynamoDB cancelled a transaction (`TransactionCanceledException`): nothing of it was written.
 * `reasons` has one entry per action, in order, saying which actions failed and why. The SDK
 * error is the `cause`, with the items DynamoDB returned for failed conditions removed (they hold
 * key values and ciphertexts).
 *
 * @example
 * ```ts
 * try {
 *   await db.transaction((tx) => {
 *     tx.save(account);
 *     tx.check(Limit, { id: 'l1' }, (c) => c.gt('remaining', 0));
 *   });
 * } catch (err) {
 *   if (err instanceof TransactionCanceledError) {
 *     for (const reason of err.failures) console.log(reason.index, reason.action, reason.code);
 *     if (err.retryable) scheduleRetry();
 *   }
 * }
 * ```
 */
export class TransactionCanceledError extends TheoryDbError {
  readonly code = 'TRANSACTION_CANCELED' as const;
  /** True when every failed action failed for a transient reason (conflict, throttling). */
  readonly retryable: boolean;

  constructor(
    message: string,
    /** One reason per action, in the order of the actions. */
    readonly reasons: readonly TransactionCancellationReason[],
    options?: { cause?: unknown; storedItems?: ReadonlyMap<number, StoredItemLoader> },
  ) {
    const { storedItems, ...errorOptions } = options ?? {};
    super(message, errorOptions);
    keepStoredItems(this, storedItems ?? new Map());
    const failed = reasons.filter((r) => r.code !== 'NONE');
    this.retryable = failed.length > 0 && failed.every((r) => RETRYABLE.has(r.code));
  }

  /**
   * The reasons of the actions that failed (code other than `NONE`).
   *
   * @example
   * ```ts
   * error.failures.map((r) => `${r.index}:${r.code}`); // ['1:CONDITION_FAILED']
   * ```
   */
  get failures(): readonly TransactionCancellationReason[] {
    return this.reasons.filter((r) => r.code !== 'NONE');
  }

  /**
   * The item stored when action `index` (its position in the transaction, as in `reasons`) failed
   * its condition or `@Version` check, decrypted through the same fail-closed read as `find`, from
   * the cancelled request's answer (no extra read); `undefined` when no item was stored. Only for
   * actions added with `returnOnConditionFailure: true` whose reason is `CONDITION_FAILED` or
   * `VERSION_CONFLICT`; otherwise rejects with `VALIDATION`. A stored value that does not decrypt
   * rejects with its `EncryptionError`; the error itself is unaffected.
   *
   * @example
   * ```ts
   * try {
   *   await db.transaction((tx) => {
   *     tx.save(account, { returnOnConditionFailure: true });
   *     tx.check(Limit, { id: 'l1' }, (c) => c.gt('remaining', 0));
   *   });
   * } catch (err) {
   *   if (!(err instanceof TransactionCanceledError)) throw err;
   *   const [failed] = err.failures;
   *   if (failed?.index === 0) console.log(await err.storedItem<Account>(0));
   * }
   * ```
   */
  storedItem<E extends object = object>(index: number): Promise<E | undefined> {
    return storedItemOfAction<E>(this, index);
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), retryable: this.retryable, reasons: this.reasons };
  }
}
