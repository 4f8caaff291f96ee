import type { AttributeOptions } from '../metadata/declarations';
import { roleDecorator, type TheoryDbPropertyDecorator } from './property-decorator';

/**
 * Declares the table's partition (hash) key. Its type must be a string, number, bigint, binary
 * or `Date` (stored as a string).
 *
 * @example
 * ```ts
 * @PartitionKey({ name: 'PK' }) id!: string;
 * ```
 */
export function PartitionKey(options?: AttributeOptions): TheoryDbPropertyDecorator {
  return roleDecorator('partitionKey', options);
}
