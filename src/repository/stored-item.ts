import type { Item } from '../mapping/entity-mapper';
import type { StoredItemReader } from './condition-failure';
import { loadItems } from './load-items';
import type { RepositoryContext } from './repository-context';
import { assertReturnedKey, exactKeyCheck } from './returned-key-check';
import { runOperation } from './run-operation';

/**
 * The reader of the item a failed conditional write of `keyItem` returned
 * (`returnOnConditionFailure`). Its loader reads through the normal fail-closed read path, as its
 * own operation (`<operation>StoredItem`, with its own data-key scope) each time it is called:
 * the item's key must be the key written (`RESPONSE_MISMATCH` otherwise, before decryption), and
 * its encrypted fields decrypt under the key binding's checks or the loader rejects with the
 * `EncryptionError`. Nothing decrypted is kept.
 */
export function storedItemReader<T extends object>(
  context: RepositoryContext<T>,
  operation: string,
  keyItem: Item,
): StoredItemReader {
  return (item) => () => {
    if (item === undefined) return Promise.resolve(undefined);
    return runOperation(context, `${operation}StoredItem`, async (scope) => {
      assertReturnedKey(exactKeyCheck(context.metadata, operation, keyItem), item);
      const [entity] = await loadItems(context, [item], scope);
      return entity;
    });
  };
}
