import { EncryptionError, type EncryptionErrorCode } from '../errors';

/**
 * What {@link toEncryptionError} knows about the failed call. Names only, never values.
 *
 * @example
 * ```ts
 * toEncryptionError(err, { keyArn, operation: 'GenerateDataKey' });
 * ```
 */
export interface KmsErrorContext {
  /** The KMS key the call was about. */
  keyArn?: string;
  /** The KMS operation, such as `Decrypt`; named in the message. */
  operation?: string;
}

/** The codes a KMS failure can map to. */
type KmsFailureCode = Extract<
  EncryptionErrorCode,
  | 'KMS_ACCESS_DENIED'
  | 'KMS_KEY_NOT_FOUND'
  | 'KMS_KEY_DISABLED'
  | 'KMS_KEY_STATE'
  | 'KMS_THROTTLED'
  | 'KMS_UNAVAILABLE'
  | 'KEY_NOT_ALLOWED'
  | 'INTEGRITY'
  | 'KMS_ERROR'
>;

/**
 * KMS (and AWS-wide) exception names, recognised by `name` and never by `instanceof`: an
 * application may load a second copy of the SDK whose classes are not ours.
 *
 * Choices worth stating:
 * - Authentication failures (bad signature, unknown or expired credentials, invalid grant token)
 *   are `KMS_ACCESS_DENIED`: like an IAM denial, they need an operator, not a retry.
 * - `InvalidKeyUsageException` (a key not made for ENCRYPT_DECRYPT) is `KMS_KEY_STATE`: the key
 *   exists but cannot serve this purpose until someone changes the binding.
 * - `KeyUnavailableException` is `KMS_UNAVAILABLE`, not `KMS_KEY_STATE`: KMS documents it as a
 *   transient failure of the key's backing store that may be retried.
 */
const BY_NAME: ReadonlyMap<string, KmsFailureCode> = new Map<string, KmsFailureCode>([
  ['AccessDeniedException', 'KMS_ACCESS_DENIED'],
  ['UnrecognizedClientException', 'KMS_ACCESS_DENIED'],
  ['InvalidSignatureException', 'KMS_ACCESS_DENIED'],
  ['IncompleteSignatureException', 'KMS_ACCESS_DENIED'],
  ['MissingAuthenticationTokenException', 'KMS_ACCESS_DENIED'],
  ['InvalidClientTokenId', 'KMS_ACCESS_DENIED'],
  ['ExpiredTokenException', 'KMS_ACCESS_DENIED'],
  ['InvalidGrantTokenException', 'KMS_ACCESS_DENIED'],
  ['NotFoundException', 'KMS_KEY_NOT_FOUND'],
  ['DisabledException', 'KMS_KEY_DISABLED'],
  ['KMSInvalidStateException', 'KMS_KEY_STATE'],
  ['InvalidKeyUsageException', 'KMS_KEY_STATE'],
  ['ThrottlingException', 'KMS_THROTTLED'],
  ['LimitExceededException', 'KMS_THROTTLED'],
  ['TooManyRequestsException', 'KMS_THROTTLED'],
  ['RequestLimitExceeded', 'KMS_THROTTLED'],
  ['ThrottledException', 'KMS_THROTTLED'],
  ['RequestThrottledException', 'KMS_THROTTLED'],
  ['KMSInternalException', 'KMS_UNAVAILABLE'],
  ['DependencyTimeoutException', 'KMS_UNAVAILABLE'],
  ['KeyUnavailableException', 'KMS_UNAVAILABLE'],
  ['ServiceUnavailableException', 'KMS_UNAVAILABLE'],
  ['InternalFailure', 'KMS_UNAVAILABLE'],
  ['RequestTimeoutException', 'KMS_UNAVAILABLE'],
  // The SDK's HTTP handler: AbortError when an abort signal fires, TimeoutError for its own
  // timeouts and for connection resets it reclassifies (ECONNRESET, EPIPE, ETIMEDOUT).
  ['AbortError', 'KMS_UNAVAILABLE'],
  ['TimeoutError', 'KMS_UNAVAILABLE'],
  ['IncorrectKeyException', 'KEY_NOT_ALLOWED'],
  ['InvalidCiphertextException', 'INTEGRITY'],
]);

/** Node network error codes: KMS could not be reached or the connection broke. */
const NETWORK_CODES: ReadonlySet<string> = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
]);

const PROBLEMS: Record<KmsFailureCode, string> = {
  KMS_ACCESS_DENIED: 'access to the KMS key was denied',
  KMS_KEY_NOT_FOUND: 'the KMS key does not exist',
  KMS_KEY_DISABLED: 'the KMS key is disabled',
  KMS_KEY_STATE: 'the KMS key is not in a state that allows this operation',
  KMS_THROTTLED: 'KMS throttled the request',
  KMS_UNAVAILABLE: 'KMS could not be reached or did not answer',
  KEY_NOT_ALLOWED: 'the data key was not wrapped by the expected KMS key',
  INTEGRITY: 'the wrapped data key is invalid or does not match its encryption context',
  KMS_ERROR: 'KMS failed with an unrecognised error',
};

/**
 * The one place a KMS failure becomes an {@link EncryptionError}. Recognises exceptions by `name`,
 * then HTTP status (429 throttled, 5xx unavailable), then Node network error codes; anything else is
 * `KMS_ERROR`, which is not retryable. An `EncryptionError` passes through with `keyArn` filled in.
 *
 * The message names the operation, the problem and the exception name; the KMS message is kept
 * only in the (sanitised) `cause`.
 *
 * @example
 * ```ts
 * try {
 *   await client.send(new DecryptCommand(input));
 * } catch (err) {
 *   throw toEncryptionError(err, { keyArn, operation: 'Decrypt' });
 *   // e.g. EncryptionError KMS_KEY_DISABLED: "KMS Decrypt failed: the KMS key is disabled (DisabledException)"
 * }
 * ```
 */
export function toEncryptionError(err: unknown, context: KmsErrorContext = {}): EncryptionError {
  if (err instanceof EncryptionError) {
    return context.keyArn === undefined ? err : err.withContext({ keyArn: context.keyArn });
  }
  const name = nameOf(err);
  const code = classify(err, name);
  const operation = context.operation === undefined ? 'request' : context.operation;
  return new EncryptionError(
    code,
    `KMS ${operation} failed: ${PROBLEMS[code]} (${name})`,
    context.keyArn === undefined ? {} : { keyArn: context.keyArn },
    err,
  );
}

function classify(err: unknown, name: string): KmsFailureCode {
  const byName = BY_NAME.get(name);
  if (byName !== undefined) return byName;
  const status = httpStatus(err);
  if (status === 429) return 'KMS_THROTTLED';
  if (status !== undefined && status >= 500) return 'KMS_UNAVAILABLE';
  if (isNetworkFailure(err) || isNetworkFailure(field(err, 'cause'))) return 'KMS_UNAVAILABLE';
  return 'KMS_ERROR';
}

function isNetworkFailure(err: unknown): boolean {
  const code = field(err, 'code');
  if (typeof code === 'string' && NETWORK_CODES.has(code)) return true;
  const message = field(err, 'message');
  return typeof message === 'string' && message.includes('socket hang up');
}

function httpStatus(err: unknown): number | undefined {
  const status = field(field(err, '$metadata'), 'httpStatusCode');
  return typeof status === 'number' ? status : undefined;
}

function nameOf(err: unknown): string {
  const name = field(err, 'name');
  return typeof name === 'string' && name.length > 0 ? name : 'Error';
}

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null
    ? (value as Record<string, unknown>)[key]
    : undefined;
}
