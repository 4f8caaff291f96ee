import type { IndexOptions } from '../metadata/declarations';
import { propertyDecorator, type TheoryDbPropertyDecorator } from './property-decorator';

/**
 * Declares this property as the partition or sort key of a secondary index. Combine with the
 * property's own decorator (`@Attribute`, `@SortKey`, ...). Encrypted properties cannot be index
 * keys.
 *
 * @example
 * ```ts
 * @Index('byEmail', { partition: true }) @Attribute() email!: string;
 * @Index('byEmail', { sort: true }) @Attribute() createdOn!: string;
 * @Index('byStatus', { sort: true }) @Attribute() status!: string; // an LSI
 * ```
 */
export function Index(name: string, options: IndexOptions): TheoryDbPropertyDecorator {
  return propertyDecorator((declaration) => {
    declaration.indexes.push({ index: name, options: { ...options } });
  });
}
