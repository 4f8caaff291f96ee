import { ValidationError } from '../errors';
import type {
  EntityMetadata,
  IndexMetadata,
  KeyAttributeMetadata,
} from '../metadata/entity-metadata';

/** The table or secondary index a query or scan reads, with its key schema. */
export interface ReadTarget {
  /** The index name, or undefined for the table. */
  readonly indexName: string | undefined;
  readonly kind: 'table' | 'global' | 'local';
  readonly partitionKey: KeyAttributeMetadata;
  readonly sortKey: KeyAttributeMetadata | undefined;
  /**
   * The attributes of a `LastEvaluatedKey` on this target: the table's keys, plus the index's
   * keys for an index. A cursor must hold exactly these.
   */
  readonly positionKeys: readonly KeyAttributeMetadata[];
}

/** The index declared with `@Index(name)`, or a ValidationError listing the declared ones. */
export function findIndex(metadata: EntityMetadata, name: unknown): IndexMetadata {
  const found = metadata.indexes.find((index) => index.name === name);
  if (found === undefined) {
    const known = metadata.indexes.map((index) => `'${index.name}'`).join(', ');
    throw new ValidationError(
      `${metadata.className} has no index ${typeof name === 'string' ? `'${name}'` : 'with that name'}; ` +
        (known === '' ? 'it declares no @Index' : `declared: ${known}`),
      metadata.className,
    );
  }
  return found;
}

/** The key schema a read of the table (`index` undefined) or of `index` works with. */
export function readTarget(metadata: EntityMetadata, index: IndexMetadata | undefined): ReadTarget {
  if (index === undefined) {
    return {
      indexName: undefined,
      kind: 'table',
      partitionKey: metadata.partitionKey,
      sortKey: metadata.sortKey,
      positionKeys: metadata.keyAttributes,
    };
  }
  const positionKeys = [...metadata.keyAttributes];
  for (const key of [index.partitionKey, index.sortKey]) {
    if (key !== undefined && !positionKeys.some((k) => k.attribute === key.attribute)) {
      positionKeys.push(key);
    }
  }
  return {
    indexName: index.name,
    kind: index.kind,
    partitionKey: index.partitionKey,
    sortKey: index.sortKey,
    positionKeys,
  };
}

/** "the table" / "index 'byEmail'", for messages. */
export function describeTarget(target: ReadTarget): string {
  return target.indexName === undefined ? 'the table' : `index '${target.indexName}'`;
}
