import type { BatchRetryOptions } from '../repository/repository-context';

/**
 * The delay before retry number `retry` (0 for the first retry): exponential backoff with full
 * jitter, a random delay between 0 and `min(maxDelayMs, baseDelayMs * 2^retry)`. Full jitter
 * spreads the retries of many clients that were throttled at the same moment, instead of
 * sending them back together.
 *
 * @example
 * ```ts
 * backoffDelay(3, { maxAttempts: 8, baseDelayMs: 25, maxDelayMs: 2000 }); // in [0, 200)
 * ```
 */
export function backoffDelay(
  retry: number,
  options: Pick<BatchRetryOptions, 'baseDelayMs' | 'maxDelayMs'>,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** retry);
  return random() * ceiling;
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
