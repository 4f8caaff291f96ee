import { TheoryDbError } from './theorydb-error';

/** Codes of {@link DynamoDbError}. */
export type DynamoDbErrorCode =
  | 'DYNAMODB_THROTTLED'
  | 'DYNAMODB_TABLE_NOT_FOUND'
  | 'DYNAMODB_VALIDATION'
  | 'DYNAMODB_UNAVAILABLE'
  | 'DYNAMODB_ERROR';

/**
 * DynamoDB (or the network in front of it) failed a request for a reason that is not a failed
 * condition. The SDK error is kept as `cause`; `awsName` is its `name`, recognised by name so a
 * second copy of the SDK in the application is handled the same way.
 *
 * @example
 * ```ts
 * catch (err) {
 *   if (err instanceof DynamoDbError && err.retryable) scheduleRetry();
 * }
 * ```
 */
export class DynamoDbError extends TheoryDbError {
  constructor(
    readonly code: DynamoDbErrorCode,
    message: string,
    /** The `name` of the underlying SDK or network error. */
    readonly awsName: string,
    /** True for throttling and unavailability, where the same request may succeed later. */
    readonly retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), awsName: this.awsName, retryable: this.retryable };
  }
}
