import { kmsAbortError } from './kms-abort';

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
 * Run `work` with an abort signal that fires after `timeoutMs`, or as soon as the caller's
 * `callerSignal` does, and settle no later than either.
 *
 * The signal cancels the HTTP request inside the SDK; the race guarantees the bound even if some
 * step before the request (credential or endpoint resolution) ignores the signal. On the deadline
 * the call rejects with {@link DeadlineExceededError}; on the caller's abort with an `AbortError`
 * (see `kmsAbortError`), at once. Neither the timer nor the listener on `callerSignal` outlives the
 * call, so nothing keeps the process alive or accumulates on a long-lived signal.
 *
 * The two signals are joined by hand rather than with `AbortSignal.any`, which Node added in 20.3:
 * the listener is removed here when the call settles, which `AbortSignal.any` leaves to the GC.
 *
 * @example
 * ```ts
 * const out = await withDeadline(3000, (abortSignal) => client.send(command, { abortSignal }), signal);
 * ```
 */
export async function withDeadline<T>(
  timeoutMs: number,
  work: (signal: AbortSignal) => Promise<T>,
  callerSignal?: AbortSignal,
): Promise<T> {
  if (callerSignal?.aborted) throw kmsAbortError();
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new DeadlineExceededError(timeoutMs);
      // Reject first: work that rejects synchronously on abort must not win the race, so a
      // timeout is always reported as one.
      reject(error);
      controller.abort(error);
    }, timeoutMs);
    if (callerSignal !== undefined) {
      onAbort = () => {
        const error = kmsAbortError();
        reject(error);
        controller.abort(error);
      };
      callerSignal.addEventListener('abort', onAbort, { once: true });
    }
  });
  // Through the executor, so a synchronous throw becomes a rejection and still reaches `finally`.
  const running = new Promise<T>((resolve) => resolve(work(controller.signal)));
  // When the deadline or the caller's abort wins, the aborted request still rejects later: that
  // rejection is expected and must not surface as an unhandled rejection.
  running.catch(() => undefined);
  try {
    return await Promise.race([running, deadline]);
  } finally {
    clearTimeout(timer);
    if (onAbort !== undefined) callerSignal?.removeEventListener('abort', onAbort);
  }
}
