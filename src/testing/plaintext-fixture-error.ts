import { TheoryDbError } from '../errors';

/**
 * `plaintextFixture` refused to run: a named field is not an `@Encrypted` property of the class,
 * or the DynamoDB client points somewhere other than a loopback address.
 *
 * @example
 * ```ts
 * // PlaintextFixtureError (PLAINTEXT_FIXTURE_REFUSED): plaintextFixture only runs against a
 * // loopback DynamoDB endpoint ...
 * ```
 */
export class PlaintextFixtureError extends TheoryDbError {
  readonly code = 'PLAINTEXT_FIXTURE_REFUSED' as const;

  constructor(message: string) {
    super(message);
  }
}
