import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { loadItems } from './load-items';
import { assertReturnedKey, exactKeyCheck } from './returned-key-check';
import type { RepositoryContext } from './repository-context';
import { type RequestOptions, sendOptions } from './request-options';
import { runOperation } from './run-operation';

/** Options of `Repository.find` and `Repository.get`. */
export interface FindOptions extends RequestOptions {
  /** A strongly consistent read. Default: eventually consistent, as DynamoDB's default. */
  consistent?: boolean;
}

/**
 * GetItem by key, decrypting the result; undefined when there is no item. An item of another key
 * (a substituted response) is refused with `RESPONSE_MISMATCH` before it is decrypted.
 */
export async function findEntity<T extends object>(
  context: RepositoryContext<T>,
  key: unknown,
  options: FindOptions = {},
): Promise<T | undefined> {
  const { metadata, mapper } = context;
  const keyItem = mapper.key(key);
  return runOperation(
    context,
    'find',
    async (scope) => {
      const output = await context.client.send(
        new GetItemCommand({
          TableName: metadata.table,
          Key: keyItem,
          ...(options.consistent === true ? { ConsistentRead: true } : {}),
        }),
        sendOptions(options.abortSignal),
      );
      if (output.Item === undefined) return undefined;
      assertReturnedKey(exactKeyCheck(metadata, 'find', keyItem), output.Item);
      const [entity] = await loadItems(context, [output.Item], scope);
      return entity;
    },
    { abortSignal: options.abortSignal },
  );
}
