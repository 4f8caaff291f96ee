import { TheoryDbError } from './theorydb-error';

/**
 * A conditional write was refused by DynamoDB: `ifNotExists` found an item, `ifExists` found
 * none, or a custom condition did not hold. The original SDK error is the `cause`.
 *
 * @example
 * ```ts
 * await repo.save(user, { ifNotExists: true }); // ConditionFailedError (CONDITION_FAILED)
 * ```
 */
export class ConditionFailedError extends TheoryDbError {
  readonly code = 'CONDITION_FAILED' as const;

  constructor(
    message: string,
    readonly entity: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), entity: this.entity };
  }
}
