import { TheoryDbError } from './theorydb-error';

/**
 * A pagination cursor was refused: it was made by another query (another table, entity, index,
 * partition, direction or scan segmentation), by another `TheoryDb` cursor key, was altered in any
 * byte, or is not a theorydb cursor at all. Raised before any request is sent. The message never
 * contains the cursor or anything decoded from it.
 *
 * @example
 * ```ts
 * try {
 *   await repo.query({ customerId: 'c1' }).page({ cursor: request.query.cursor });
 * } catch (err) {
 *   if (err instanceof InvalidCursorError) return badRequest('invalid cursor'); // INVALID_CURSOR
 *   throw err;
 * }
 * ```
 */
export class InvalidCursorError extends TheoryDbError {
  readonly code = 'INVALID_CURSOR' as const;

  constructor(
    message: string,
    /** The entity whose query refused the cursor. */
    readonly entity?: string,
  ) {
    super(message);
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), entity: this.entity };
  }
}
