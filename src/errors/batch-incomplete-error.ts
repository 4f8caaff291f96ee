import { TheoryDbError } from './theorydb-error';

/** The batch operations of a repository. */
export type BatchOperation = 'batchFind' | 'batchSave' | 'batchDelete';

/** What a {@link BatchIncompleteError} reports. */
export interface BatchIncompleteDetails<U> {
  readonly operation: BatchOperation;
  readonly table: string;
  readonly entity: string;
  /** The most requests theorydb sends per chunk (`batchRetry.maxAttempts`). */
  readonly maxAttempts: number;
  /** The caller's inputs that were not done, in input order, and their positions in the input. */
  readonly unprocessed: readonly U[];
  readonly unprocessedIndexes: readonly number[];
  /** The caller's inputs that DynamoDB acknowledged, in input order, and their positions. */
  readonly processed: readonly U[];
  readonly processedIndexes: readonly number[];
  /**
   * The error that stopped the batch: a `DynamoDbError` (throttling still refused after the last
   * attempt, or a failure that is not worth retrying). Undefined when DynamoDB kept answering with
   * UnprocessedItems / UnprocessedKeys until the attempts ran out.
   */
  readonly cause?: TheoryDbError;
}

interface Inputs {
  readonly unprocessed: readonly unknown[];
  readonly unprocessedIndexes: readonly number[];
  readonly processed: readonly unknown[];
  readonly processedIndexes: readonly number[];
}

/**
 * The caller's inputs of each error, kept outside the instance: logging the error, even with
 * `util.inspect(error, { showHidden: true })`, shows getters on the prototype but not what they
 * return, so an item's key values never reach a log with the error.
 */
const inputs = new WeakMap<object, Inputs>();

const WHAT: Record<BatchOperation, { noun: string; notDone: string }> = {
  batchFind: { noun: 'keys', notDone: 'read' },
  batchSave: { noun: 'items', notDone: 'written' },
  batchDelete: { noun: 'keys', notDone: 'deleted' },
};

/**
 * A batch operation ran out of attempts (or met a failure) before DynamoDB had done all of it.
 * The error says exactly what was and was not done, as the caller's own inputs:
 *
 * - `unprocessed` / `unprocessedIndexes`: the entity instances (`batchSave`) or key objects
 *   (`batchFind`, `batchDelete`) that were not done, and their positions in the input array.
 * - `processed` / `processedIndexes`: those DynamoDB acknowledged. For `batchSave` these
 *   instances already carry their new `@CreatedAt` / `@UpdatedAt`; for `batchFind` their items
 *   were read but are **not returned**: a batchFind fails as a whole.
 *
 * An item that is unprocessed after a network failure or a 5xx may or may not have been written:
 * DynamoDB did not acknowledge it. Puts and deletes are idempotent, so sending `unprocessed`
 * again is safe. `retryable` is false when the `cause` is a failure that will not go away by
 * itself (a missing table, a request DynamoDB refuses).
 *
 * The message holds counts only, and the inputs are getters rather than own properties, so logging
 * the error (`console.error`, `util.inspect`, `JSON.stringify`) never prints an item's key values.
 *
 * @example
 * ```ts
 * try {
 *   await users.batchSave(manyUsers);
 * } catch (err) {
 *   if (err instanceof BatchIncompleteError && err.retryable) {
 *     await users.batchSave(err.unprocessed as User[]); // later, or queue them
 *   } else throw err;
 * }
 * ```
 */
export class BatchIncompleteError<U = unknown> extends TheoryDbError {
  readonly code = 'BATCH_INCOMPLETE' as const;
  readonly operation: BatchOperation;
  readonly table: string;
  readonly entity: string;
  /** True when sending the unprocessed part again may succeed. */
  readonly retryable: boolean;

  constructor(details: BatchIncompleteDetails<U>) {
    super(messageOf(details), details.cause === undefined ? undefined : { cause: details.cause });
    this.operation = details.operation;
    this.table = details.table;
    this.entity = details.entity;
    const cause = details.cause as { retryable?: unknown } | undefined;
    this.retryable = cause === undefined || cause.retryable === true;
    inputs.set(this, {
      unprocessed: Object.freeze([...details.unprocessed]),
      unprocessedIndexes: Object.freeze([...details.unprocessedIndexes]),
      processed: Object.freeze([...details.processed]),
      processedIndexes: Object.freeze([...details.processedIndexes]),
    });
  }

  /** The entity instances (batchSave) or key objects (batchFind, batchDelete) not done. */
  get unprocessed(): readonly U[] {
    return this.inputs().unprocessed as readonly U[];
  }

  /** Positions of `unprocessed` in the input array. */
  get unprocessedIndexes(): readonly number[] {
    return this.inputs().unprocessedIndexes;
  }

  /** The inputs DynamoDB acknowledged (for batchFind: read, but not returned). */
  get processed(): readonly U[] {
    return this.inputs().processed as readonly U[];
  }

  /** Positions of `processed` in the input array. */
  get processedIndexes(): readonly number[] {
    return this.inputs().processedIndexes;
  }

  private inputs(): Inputs {
    const found = inputs.get(this);
    if (found === undefined) throw new TypeError('not a BatchIncompleteError made by theorydb');
    return found;
  }

  override toJSON(): Record<string, unknown> {
    return {
      ...super.toJSON(),
      operation: this.operation,
      table: this.table,
      entity: this.entity,
      retryable: this.retryable,
      unprocessedCount: this.unprocessed.length,
      processedCount: this.processed.length,
    };
  }
}

function messageOf(details: BatchIncompleteDetails<unknown>): string {
  const { noun, notDone } = WHAT[details.operation];
  const left = details.unprocessed.length;
  const total = left + details.processed.length;
  const why =
    details.cause === undefined
      ? `DynamoDB still returned some as unprocessed after ${details.maxAttempts} requests of a chunk`
      : `a request failed with ${details.cause.code}`;
  const found =
    details.operation === 'batchFind' ? '; no items are returned' : `; ${total - left} were`;
  return `${details.operation} on ${details.table} (${details.entity}): ${left} of ${total} ${noun} were not ${notDone} (${why})${found}`;
}
