import { TheoryDbError } from './theorydb-error';

/**
 * `repo.get(key)` found no item. `repo.find(key)` resolves to `undefined` instead.
 *
 * @example
 * ```ts
 * const user = await repo.get({ id: 'u1' }); // NotFoundError (NOT_FOUND) when absent
 * ```
 */
export class NotFoundError extends TheoryDbError {
  readonly code = 'NOT_FOUND' as const;

  constructor(
    message: string,
    readonly entity: string,
  ) {
    super(message);
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), entity: this.entity };
  }
}
