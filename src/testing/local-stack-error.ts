import { TheoryDbError } from '../errors';

/**
 * A local test server (DynamoDB Local or LocalKms) could not be started or stopped. The message
 * says what is missing and how to install it.
 *
 * @example
 * ```ts
 * // LocalStackError (LOCAL_STACK): DynamoDB Local needs Java 17 or newer ...
 * ```
 */
export class LocalStackError extends TheoryDbError {
  readonly code = 'LOCAL_STACK' as const;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
