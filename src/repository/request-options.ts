import { AbortedError, TheoryDbError } from '../errors';

/**
 * The per-call option of every call that sends requests.
 *
 * @example
 * ```ts
 * await users.find({ id: 'u1' }, { abortSignal: AbortSignal.timeout(1_000) });
 * ```
 */
export interface RequestOptions {
  /**
   * Cancels the call: an already aborted signal sends nothing, to DynamoDB or KMS; aborting later
   * stops the call before its next request and abandons the ones in flight (passed to the SDK's
   * `send`), KMS requests included (GenerateDataKey, Decrypt, the Encrypt of `additionalKeys`).
   * The call then rejects at once with `AbortedError` (`ABORTED`, never `KMS_UNAVAILABLE`, never
   * retried), never with a partial result or plaintext.
   *
   * A KMS request shared with other calls is not cancelled for them: with `kms.cache`, concurrent
   * calls needing one data key share one request, and every call shares the DescribeKey that
   * resolves a key id. The aborted call stops waiting at once; the request goes on (within
   * `kms.timeoutMs`) for the others, and its data key is cached if it succeeds.
   */
  abortSignal?: AbortSignal;
}

/**
 * The options of one SDK `send` on behalf of a call with `signal`: refuses to send once the signal
 * is aborted (throws an `AbortError`, which becomes `AbortedError`), and otherwise
 * hands the signal to the SDK.
 */
export function sendOptions(
  signal: AbortSignal | undefined,
): { abortSignal: AbortSignal } | undefined {
  if (signal === undefined) return undefined;
  // Named AbortError whatever the signal's reason (the application's own value, never thrown on).
  if (signal.aborted) throw new DOMException('aborted before sending', 'AbortError');
  return { abortSignal: signal };
}

/**
 * Throws `AbortedError` once `signal` is aborted: for a read that hands out what it already holds
 * item by item (an iteration), so nothing more comes out after the abort.
 */
export function throwIfAborted(
  signal: AbortSignal | undefined,
  where: { operation: string; table: string; entity: string },
): void {
  if (isAborted(signal)) throw abortedError(where);
}

/** Whether the call's signal (if any) has been aborted. */
export function isAborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}

/**
 * The error of a call whose signal was aborted. A theorydb error that the abort caused (a batch
 * write's `BatchIncompleteError`) is kept as `cause`; the signal's reason is not (it is the
 * application's own value, which a log must not be handed).
 */
export function abortedError(
  where: { operation: string; table: string; entity: string },
  error?: unknown,
): AbortedError {
  const cause =
    error instanceof TheoryDbError && !(error instanceof AbortedError) ? error : undefined;
  return new AbortedError(
    `${where.operation} on ${where.table} (${where.entity}): aborted by its abortSignal`,
    where.operation,
    where.entity,
    cause === undefined ? undefined : { cause },
  );
}
