import type { ChunkOutcome } from './retry-with-backoff';

/**
 * Runs `run` over the chunks, at most `concurrency` at a time, in order of start. Once a chunk
 * ends with units left, no further chunk is started (the ones in flight finish): a batch that
 * cannot complete stops sending as soon as it knows. If `run` throws, the same happens and, once
 * the chunks in flight have settled, the first error is thrown. Chunks never started are `undefined` in the
 * result, so the caller can report their units as not done.
 *
 * @example
 * ```ts
 * const outcomes = await runChunks(chunks, 4, (units) => retryWithBackoff(units, driver));
 * ```
 */
export async function runChunks<U>(
  chunks: readonly (readonly U[])[],
  concurrency: number,
  run: (units: readonly U[]) => Promise<ChunkOutcome<U>>,
): Promise<(ChunkOutcome<U> | undefined)[]> {
  const outcomes: (ChunkOutcome<U> | undefined)[] = chunks.map(() => undefined);
  let next = 0;
  let stopped = false;
  const worker = async (): Promise<void> => {
    while (!stopped && next < chunks.length) {
      const index = next;
      next += 1;
      try {
        const outcome = await run(chunks[index]);
        outcomes[index] = outcome;
        if (outcome.left.length > 0) stopped = true;
      } catch (error) {
        stopped = true;
        throw error;
      }
    }
  };
  const workers = Math.max(1, Math.min(concurrency, chunks.length));
  // Settle every worker before failing, so no request of this call is still in flight afterwards.
  const settled = await Promise.allSettled(Array.from({ length: workers }, worker));
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
  return outcomes;
}
