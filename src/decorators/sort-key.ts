import type { AttributeOptions } from '../metadata/declarations';
import { roleDecorator } from './property-decorator';

/**
 * Declares the table's sort (range) key.
 *
 * @example
 * ```ts
 * @SortKey({ name: 'SK' }) createdOn!: string;
 * ```
 */
export function SortKey(options?: AttributeOptions): PropertyDecorator {
  return roleDecorator('sortKey', options);
}
