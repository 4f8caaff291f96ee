import { TheoryDbError } from './theorydb-error';

/**
 * A call was cancelled by the `abortSignal` it was given: before anything was sent (no request at
 * all), between the requests of a batch, query or scan (no further request), or during a request
 * (the SDK abandoned it). An aborted call never resolves with a partial result. As with any
 * abandoned request, a write in flight when the signal fired may or may not have been applied.
 * For a batch write, `cause` is the `BatchIncompleteError` listing what was and was not written.
 *
 * @example
 * ```ts
 * const controller = new AbortController();
 * setTimeout(() => controller.abort(), 2_000);
 * try {
 *   await orders.query({ customerId: 'c1' }).abortSignal(controller.signal).all();
 * } catch (err) {
 *   if (err instanceof AbortedError) console.log('gave up on', err.operation); // ABORTED
 * }
 * ```
 */
export class AbortedError extends TheoryDbError {
  readonly code = 'ABORTED' as const;

  constructor(
    message: string,
    /** The operation that was aborted (`save`, `query`, `batchFind`, `transaction`, ...). */
    readonly operation: string,
    readonly entity: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), operation: this.operation, entity: this.entity };
  }
}
