import type { AttributeOptions } from '../metadata/declarations';
import { roleDecorator, type TheoryDbPropertyDecorator } from './property-decorator';

/**
 * Declares the optimistic-locking version (a number). A new instance is saved as version 1 only
 * if no item exists; a loaded instance with version n is saved as n + 1 only if the stored
 * version is still n, otherwise the save fails with `VersionConflictError`.
 *
 * @example
 * ```ts
 * @Version() version?: number;
 * ```
 */
export function Version(options?: Pick<AttributeOptions, 'name'>): TheoryDbPropertyDecorator {
  return roleDecorator('version', options);
}
