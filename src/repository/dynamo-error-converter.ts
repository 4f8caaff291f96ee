import type { StoredItemLoader } from '../errors/stored-item-slot';
import { abortedError } from './request-options';
import {
  ConditionFailedError,
  DynamoDbError,
  type DynamoDbErrorCode,
  TheoryDbError,
  VersionConflictError,
} from '../errors';

/** What a failed request was doing, for the converted error. */
export interface DynamoFailureContext {
  readonly operation: string;
  readonly table: string;
  readonly entity: string;
  /**
   * How a failed condition is reported: a version check or a plain condition, with the loader of
   * the stored item when the caller asked for it (`returnOnConditionFailure`).
   */
  readonly condition?: (
    | { readonly kind: 'version'; readonly expected: number | undefined }
    | { readonly kind: 'condition' }
  ) & { readonly storedItem?: StoredItemLoader };
}

const THROTTLING = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'Throttling',
]);
const UNAVAILABLE = new Set([
  'InternalServerError',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
]);
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNABORTED',
  'EHOSTUNREACH',
]);

/**
 * Turns whatever a DynamoDB call threw into a theorydb error. SDK errors are recognised by `name`
 * (an application may hold a second copy of the SDK, so `instanceof` is not enough) and kept as
 * `cause`. Messages name the operation, table and entity, never an item's values.
 */
export function convertDynamoError(error: unknown, context: DynamoFailureContext): TheoryDbError {
  if (error instanceof TheoryDbError) return error;
  const name = nameOf(error);
  const where = `${context.operation} on ${context.table} (${context.entity})`;
  if (name === 'ConditionalCheckFailedException') {
    const storedItem = context.condition?.storedItem;
    if (context.condition?.kind === 'version') {
      const expected = context.condition.expected;
      const detail =
        expected === undefined
          ? 'an item with this key already exists'
          : `the stored version is no longer ${expected}`;
      return new VersionConflictError(
        `${where}: version conflict, ${detail}`,
        context.entity,
        expected,
        { cause: error, storedItem },
      );
    }
    return new ConditionFailedError(`${where}: the condition was not met`, context.entity, {
      cause: error,
      storedItem,
    });
  }
  // The SDK abandoned the request because the call's abortSignal fired: never retried.
  if (name === 'AbortError') return abortedError(context);
  const [code, retryable] = classify(name, error);
  return new DynamoDbError(code, `${where} failed: ${name}`, name, retryable, { cause: error });
}

function classify(name: string, error: unknown): [DynamoDbErrorCode, boolean] {
  if (THROTTLING.has(name)) return ['DYNAMODB_THROTTLED', true];
  if (name === 'ResourceNotFoundException') return ['DYNAMODB_TABLE_NOT_FOUND', false];
  if (name === 'ValidationException' || name === 'SerializationException') {
    return ['DYNAMODB_VALIDATION', false];
  }
  const status = (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata
    ?.httpStatusCode;
  const code = (error as { code?: unknown } | undefined)?.code;
  if (
    UNAVAILABLE.has(name) ||
    (typeof status === 'number' && status >= 500) ||
    (typeof code === 'string' && NETWORK_CODES.has(code))
  ) {
    return ['DYNAMODB_UNAVAILABLE', true];
  }
  return ['DYNAMODB_ERROR', false];
}

function nameOf(error: unknown): string {
  const name = (error as { name?: unknown } | undefined)?.name;
  return typeof name === 'string' && name.length > 0 ? name : 'Error';
}
