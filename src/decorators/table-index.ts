import type { IndexOptions } from '../metadata/declarations';
import { metadataStorage } from '../metadata/metadata-storage';
import { propertyName } from './property-decorator';

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
export function Index(name: string, options: IndexOptions): PropertyDecorator {
  return (prototype, property) => {
    metadataStorage.recordIndex(prototype, propertyName(property), name, options);
  };
}
