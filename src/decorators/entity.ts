import type { Constructor, EntityOptions } from '../metadata/declarations';
import { metadataStorage } from '../metadata/metadata-storage';

/**
 * Declares a class as an entity stored in a DynamoDB table.
 *
 * @example
 * ```ts
 * @Entity({ table: 'users', name: 'User' })
 * class User {
 *   @PartitionKey() id!: string;
 *   @Attribute() email!: string;
 * }
 * ```
 */
export function Entity(options: EntityOptions): ClassDecorator {
  return (target) => {
    metadataStorage.recordEntity(target as unknown as Constructor, options);
  };
}
