import type { AttributeOptions } from '../metadata/declarations';
import { roleDecorator, type TheoryDbPropertyDecorator } from './property-decorator';

/**
 * Declares a timestamp set on the first save and kept afterwards. A `Date` by default.
 *
 * @example
 * ```ts
 * @CreatedAt() createdAt?: Date;
 * ```
 */
export function CreatedAt(options?: Omit<AttributeOptions, 'items'>): TheoryDbPropertyDecorator {
  return roleDecorator('createdAt', options);
}
