import type { Constructor, EntityOptions } from '../metadata/declarations';
import { metadataStorage } from '../metadata/metadata-storage';
import { installRedaction } from '../metadata/redaction';

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
    const entity = target as unknown as Constructor;
    metadataStorage.recordEntity(entity, options);
    // The one thing a decorator does beyond recording: an instance printed before the class is
    // first used by a repository must already be redacted. Property decorators have all run by
    // now, and the class's own toJSON/inspect (if any) is already on its prototype and kept.
    installRedaction(
      entity,
      metadataStorage
        .declarationsOf(entity)
        .properties.filter((p) => p.encrypted !== undefined)
        .map((p) => p.property),
    );
  };
}
