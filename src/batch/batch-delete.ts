import type { RepositoryContext } from '../repository/repository-context';
import type { RequestOptions } from '../repository/request-options';
import { runOperation } from '../repository/run-operation';
import { atPosition, checkedInput, type InputSite, refuseDuplicateKeys } from './batch-input';
import { type WriteUnit, writeBatch } from './batch-write';
import { itemKey } from './item-key';

/**
 * Deletes by key with BatchWriteItem (see `Repository.batchDelete`): the preflight, every key
 * checked and duplicates refused before the first request, then 25 deletes a request. Deleting
 * an absent item succeeds, as DeleteItem without a condition does.
 */
export async function batchDeleteKeys<T extends object>(
  context: RepositoryContext<T>,
  keys: readonly unknown[],
  options: RequestOptions = {},
): Promise<void> {
  const { metadata, mapper } = context;
  const site: InputSite = {
    className: metadata.className,
    operation: 'batchDelete',
    input: 'keys',
  };
  return runOperation(
    context,
    'batchDelete',
    async () => {
      const input = checkedInput(keys, site);
      const keyItems = input.map((key, index) => atPosition(site, index, () => mapper.key(key)));
      const canonical = keyItems.map((keyItem) => itemKey(metadata, keyItem));
      refuseDuplicateKeys(canonical, site);
      const units = keyItems.map((Key, position): WriteUnit<unknown> => ({
        position,
        key: canonical[position],
        request: { DeleteRequest: { Key } },
        source: input[position],
      }));
      await writeBatch(context, 'batchDelete', units, undefined, options.abortSignal);
    },
    { abortSignal: options.abortSignal },
  );
}
