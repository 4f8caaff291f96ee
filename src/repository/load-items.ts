import type { DataKeyScope } from '../crypto/data-key-scope';
import type { Item } from '../mapping/entity-mapper';
import type { RepositoryContext } from './repository-context';

/**
 * Turns stored items into entity instances: every item's envelopes checked and opened first, then
 * plain attributes through the mapper and encrypted ones from the envelopes; all of them or none.
 */
export async function loadItems<T extends object>(
  context: RepositoryContext<T>,
  items: readonly Item[],
  scope: DataKeyScope | undefined,
  /** False only for a projection of plain, unsigned properties (see `Projection.verified`). */
  verified = true,
): Promise<T[]> {
  if (!verified) return items.map((item) => context.mapper.fromItem(item));
  // Checked and decrypted before anything is mapped: an altered signed attribute fails with
  // INTEGRITY, not with whatever its altered value would make the mapper say.
  const secrets = items.map((): Record<string, unknown> => ({}));
  await context.encryption.decryptInto(items, secrets, scope);
  const entities = items.map((item) => context.mapper.fromItem(item));
  entities.forEach((entity, i) => Object.assign(entity, secrets[i]));
  return entities;
}
