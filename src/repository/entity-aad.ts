import { itemAadEncoder } from '../crypto/associated-data';
import type { KeyPart } from '../crypto/value-context';
import { EncryptionError } from '../errors';
import type { Item } from '../mapping/entity-mapper';
import type { EntityMetadata } from '../metadata/entity-metadata';

/**
 * The item part of the associated data of one entity's encrypted values (table, entity, key names
 * and the item's key values), for the write and the read path alike. What every item of the
 * entity shares is encoded once, when the repository is built; an item costs its key values.
 */
export class EntityAad {
  private readonly encode: ReturnType<typeof itemAadEncoder>;

  constructor(private readonly metadata: EntityMetadata) {
    this.encode = itemAadEncoder({
      table: metadata.table,
      entity: metadata.entityName,
      partitionKey: metadata.partitionKey.attribute,
      ...(metadata.sortKey === undefined ? {} : { sortKey: metadata.sortKey.attribute }),
    });
  }

  /**
   * The item part for `item`, a stored (or about to be stored) item holding its key attributes.
   * The key values are copied: a later change to `item` does not change the result.
   *
   * @throws EncryptionError `INTEGRITY` when a key attribute is missing or not an S, N or B value.
   */
  itemPart(item: Item): Buffer {
    const { partitionKey, sortKey } = this.metadata;
    return this.encode(
      keyValue(partitionKey.attribute, item),
      sortKey === undefined ? undefined : keyValue(sortKey.attribute, item),
    );
  }
}

function keyValue(attribute: string, item: Item): KeyPart['value'] {
  const value = Object.hasOwn(item, attribute) ? item[attribute] : undefined;
  if (value?.S !== undefined) return { S: value.S };
  if (value?.N !== undefined) return { N: value.N };
  if (value?.B !== undefined) return { B: value.B };
  // The mapper guarantees keys on write; a read of an item without its key cannot be bound.
  throw new EncryptionError('INTEGRITY', `the item has no usable key attribute "${attribute}"`);
}
