import type { TheoryDbError } from '../errors';
import type { BatchRetryOptions } from '../repository/repository-context';
import { backoffDelay, sleep } from './backoff';

/** How one chunk ended: what DynamoDB acknowledged, what it did not, and why it stopped. */
export interface ChunkOutcome<U> {
  /** Acknowledged units, in the order they were acknowledged. */
  readonly done: readonly U[];
  /** Units not acknowledged when the chunk stopped; empty when it completed. */
  readonly left: readonly U[];
  /**
   * Why units were left: a request failure (the last one, when retries ran out on it), or
   * undefined when DynamoDB kept returning them as unprocessed.
   */
  readonly failure?: TheoryDbError;
}

/** What the retry loop needs besides the units. */
export interface RetryDriver<U> {
  /** Sends one request for `pending` and returns the units DynamoDB left unprocessed. */
  readonly send: (pending: readonly U[]) => Promise<readonly U[]>;
  /** Called with the units of each request that DynamoDB acknowledged. */
  readonly acknowledged?: (units: readonly U[]) => void;
  /** Converts a thrown error; a `retryable` result is retried, anything else stops the chunk. */
  readonly convert: (error: unknown) => TheoryDbError;
  readonly retry: BatchRetryOptions;
  /** For tests: the jitter's random source and the sleep. */
  readonly random?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/**
 * Sends one chunk until DynamoDB has done all of it, at most `retry.maxAttempts` requests in all.
 * Unprocessed units, and whole requests refused with a retryable error (throttling,
 * unavailability), are sent again after a backoff with full jitter; a non-retryable error stops
 * the chunk at once. Never throws for a DynamoDB failure: the outcome says what was left and why.
 *
 * @example
 * ```ts
 * const outcome = await retryWithBackoff(requests, { send, convert, retry: context.batchRetry });
 * if (outcome.left.length > 0) report(outcome);
 * ```
 */
export async function retryWithBackoff<U>(
  units: readonly U[],
  driver: RetryDriver<U>,
): Promise<ChunkOutcome<U>> {
  const done: U[] = [];
  let pending = units;
  let failure: TheoryDbError | undefined;
  for (let attempt = 1; pending.length > 0; attempt += 1) {
    try {
      const unprocessed = new Set(await driver.send(pending));
      const acknowledged = pending.filter((unit) => !unprocessed.has(unit));
      done.push(...acknowledged);
      if (acknowledged.length > 0) driver.acknowledged?.(acknowledged);
      pending = pending.filter((unit) => unprocessed.has(unit));
      failure = undefined;
    } catch (error) {
      failure = driver.convert(error);
      if (!isRetryable(failure)) return { done, left: pending, failure };
    }
    if (pending.length === 0) break;
    if (attempt >= driver.retry.maxAttempts) {
      return { done, left: pending, ...(failure === undefined ? {} : { failure }) };
    }
    await (driver.sleep ?? sleep)(backoffDelay(attempt - 1, driver.retry, driver.random));
  }
  return { done, left: [] };
}

function isRetryable(error: TheoryDbError): boolean {
  return (error as { retryable?: unknown }).retryable === true;
}
