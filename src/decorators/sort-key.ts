import type { AttributeOptions } from '../metadata/declarations';
import { roleDecorator, type TheoryDbPropertyDecorator } from './property-decorator';

/**
 * Declares the table's sort (range) key.
 *
 * @example
 * ```ts
 * @SortKey({ name: 'SK' }) createdOn!: string;
 * ```
 */
export function SortKey(options?: AttributeOptions): TheoryDbPropertyDecorator {
  return roleDecorator('sortKey', options);
}
