import { TheoryDbError } from './theorydb-error';

/**
 * An optimistic-locking save lost: the stored `@Version` is no longer the one this instance was
 * loaded with (or, for a new instance, an item already exists). Reload and retry.
 *
 * @example
 * ```ts
 * try {
 *   await repo.save(staleCopy);
 * } catch (err) {
 *   if (err instanceof VersionConflictError) {
 *     const fresh = await repo.get(key);
 *     // re-apply the change to `fresh` and save again
 *   }
 * }
 * ```
 */
export class VersionConflictError extends TheoryDbError {
  readonly code = 'VERSION_CONFLICT' as const;

  constructor(
    message: string,
    readonly entity: string,
    /** The version this save expected to find stored; `undefined` for a new instance. */
    readonly expectedVersion: number | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), entity: this.entity, expectedVersion: this.expectedVersion };
  }
}
