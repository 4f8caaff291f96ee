import { ValidationError } from '../errors';
import type { Item } from '../mapping/entity-mapper';
import type { EntityMetadata } from '../metadata/entity-metadata';

/** An item a transaction action touches: its table and key. */
export interface ItemTarget {
  readonly metadata: EntityMetadata;
  readonly key: Item;
}

/**
 * Refuses two actions on one item (DynamoDB refuses them too, with a less helpful message), before
 * anything is encrypted or sent. The message names the positions and the entity, never the key.
 */
export function assertDistinctItems(targets: readonly ItemTarget[], operation: string): void {
  const seen = new Map<string, number>();
  targets.forEach((target, index) => {
    const identity = identityOf(target);
    const first = seen.get(identity);
    if (first !== undefined) {
      throw new ValidationError(
        `${operation}: actions ${first} and ${index} touch the same ${target.metadata.className} item; ` +
          'DynamoDB allows one action per item in a transaction',
        target.metadata.className,
      );
    }
    seen.set(identity, index);
  });
}

function identityOf({ metadata, key }: ItemTarget): string {
  const parts = metadata.keyAttributes.map((a) => {
    const value = key[a.attribute];
    if (value?.B !== undefined) return ['B', Buffer.from(value.B).toString('base64')];
    if (value?.N !== undefined) return ['N', value.N];
    return ['S', value?.S ?? ''];
  });
  return JSON.stringify([metadata.table, parts]);
}
