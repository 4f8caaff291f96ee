import type { DataKeyScope } from '../crypto/data-key-scope';
import type { Item } from '../mapping/entity-mapper';
import type { RepositoryContext } from './repository-context';

/**
 * Turns stored items into entity instances: plain attributes through the mapper, encrypted ones
 * through the item encryption, all of them or none.
 */
export async function loadItems<T extends object>(
  context: RepositoryContext<T>,
  items: readonly Item[],
  scope: DataKeyScope | undefined,
): Promise<T[]> {
  const entities = items.map((item) => context.mapper.fromItem(item));
  await context.encryption.decryptInto(
    items,
    entities as unknown as Record<string, unknown>[],
    scope,
  );
  return entities;
}
