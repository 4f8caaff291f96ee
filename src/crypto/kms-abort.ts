/**
 * What a KMS request made for a call rejects with once the call's `abortSignal` fires: a
 * `DOMException` named `AbortError`, like the SDK's own abort, which the operation turns into
 * `AbortedError` (`ABORTED`). Never a KMS failure code: an abort says nothing about KMS, and a
 * retry policy keyed on `KMS_UNAVAILABLE` must not retry it. The signal's reason is not kept (it
 * is the application's own value).
 *
 * @example
 * ```ts
 * if (signal?.aborted) throw kmsAbortError();
 * ```
 */
export function kmsAbortError(): DOMException {
  return new DOMException('aborted while waiting for KMS', 'AbortError');
}

/**
 * The caller's wait for a KMS request that other calls may share (the data-key cache, key ARN
 * resolution): settles as `shared` does, or rejects with {@link kmsAbortError} as soon as `signal`
 * fires. The shared request itself goes on, for the callers that did not abort; it stays bounded by
 * the provider's deadline. The listener is removed once either happens, so a long-lived signal
 * collects none.
 *
 * @example
 * ```ts
 * const arn = await waitUnlessAborted(pendingArn, abortSignal);
 * ```
 */
export function waitUnlessAborted<T>(
  shared: Promise<T>,
  signal: AbortSignal | undefined,
): Promise<T> {
  if (signal === undefined) return shared;
  // Handled here too: an abandoned shared request that later fails must not surface as unhandled.
  shared.catch(() => undefined);
  if (signal.aborted) return Promise.reject(kmsAbortError());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(kmsAbortError());
    signal.addEventListener('abort', onAbort, { once: true });
    shared.finally(() => signal.removeEventListener('abort', onAbort)).then(resolve, reject);
  });
}

/** Whether `error` is an abort (the SDK's or {@link kmsAbortError}), recognised by name. */
export function isAbortError(error: unknown): boolean {
  return (error as { name?: unknown } | undefined)?.name === 'AbortError';
}
