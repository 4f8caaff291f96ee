/**
 * The error a {@link withDeadline} call rejects with when time is up. Named `TimeoutError` so that
 * anything classifying errors by name treats it as the timeout it is.
 *
 * @example
 * ```ts
 * if (err instanceof DeadlineExceededError) log(`gave up after ${err.timeoutMs} ms`);
 * ```
 */
export class DeadlineExceededError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`no answer within ${timeoutMs} ms`);
    this.name = 'TimeoutError';
  }
}

/**
 * Run `work` with an abort signal that fires after `timeoutMs`, and settle no later than that.
 *
 * The signal cancels the HTTP request inside the SDK; the race guarantees the bound even if some
 * step before the request (credential or endpoint resolution) ignores the signal. The timer is
 * cleared as soon as the work settles, so no timer outlives the call and keeps the process alive.
 *
 * @example
 * ```ts
 * const out = await withDeadline(3000, (abortSignal) => client.send(command, { abortSignal }));
 * ```
 */
export async function withDeadline<T>(
  timeoutMs: number,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new DeadlineExceededError(timeoutMs);
      // Reject first: work that rejects synchronously on abort must not win the race, so a
      // timeout is always reported as one.
      reject(error);
      controller.abort(error);
    }, timeoutMs);
  });
  // Through the executor, so a synchronous throw becomes a rejection and still reaches `finally`.
  const running = new Promise<T>((resolve) => resolve(work(controller.signal)));
  // When the deadline wins, the aborted request still rejects later: that rejection is expected
  // and must not surface as an unhandled rejection.
  running.catch(() => undefined);
  try {
    return await Promise.race([running, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
