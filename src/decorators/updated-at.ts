import type { AttributeOptions } from '../metadata/declarations';
import { roleDecorator, type TheoryDbPropertyDecorator } from './property-decorator';

/**
 * Declares a timestamp set on every save. A `Date` by default.
 *
 * @example
 * ```ts
 * @UpdatedAt() updatedAt?: Date;
 * ```
 */
export function UpdatedAt(options?: Omit<AttributeOptions, 'items'>): TheoryDbPropertyDecorator {
  return roleDecorator('updatedAt', options);
}
