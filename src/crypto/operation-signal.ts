import { setMaxListeners } from 'node:events';

/** A signal of theorydb's own that follows the caller's, and the way to stop following it. */
export interface OperationSignal {
  /** Aborted when (or already, if) the caller's signal is. */
  readonly signal: AbortSignal;
  /** Stops following the caller's signal: its one listener is removed. Idempotent. */
  end(): void;
}

/**
 * The caller's `abortSignal` as one operation hands it to its KMS requests. A page or a batch can
 * have hundreds of requests and waits pending at once, each listening for the abort; they listen
 * on this signal, which is ours and so may take any number of listeners, and the caller's signal
 * gets a single one. The operation calls `end()` when it is over, so an application that passes
 * one long-lived signal to every call does not collect a listener per call (nor Node's
 * `MaxListenersExceededWarning`).
 *
 * @example
 * ```ts
 * const linked = followSignal(abortSignal);
 * try {
 *   await provider.decryptDataKey(keyArn, wrappedKey, table, linked.signal);
 * } finally {
 *   linked.end();
 * }
 * ```
 */
export function followSignal(caller: AbortSignal): OperationSignal {
  const controller = new AbortController();
  // Every listener on it is removed as its request settles; the bound would only produce warnings.
  setMaxListeners(Infinity, controller.signal);
  if (caller.aborted) {
    controller.abort();
    return { signal: controller.signal, end: () => undefined };
  }
  // The caller's reason is not passed on: it is the application's own value.
  const onAbort = () => controller.abort();
  caller.addEventListener('abort', onAbort, { once: true });
  return {
    signal: controller.signal,
    end: () => caller.removeEventListener('abort', onAbort),
  };
}
