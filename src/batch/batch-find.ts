import { BatchGetItemCommand } from '@aws-sdk/client-dynamodb';
import type { Item } from '../mapping/entity-mapper';
import { convertDynamoError } from '../repository/dynamo-error-converter';
import { loadItems } from '../repository/load-items';
import type { RepositoryContext } from '../repository/repository-context';
import { returnedBatchKey, unrequestedKey } from '../repository/returned-key-check';
import { type RequestOptions, sendOptions } from '../repository/request-options';
import { runOperation } from '../repository/run-operation';
import { atPosition, checkedInput, type InputSite } from './batch-input';
import { CHUNK_CONCURRENCY, MAX_GET_KEYS } from './batch-limits';
import { chunk } from './chunk';
import { itemKey } from './item-key';
import { reportIncomplete, type TracedInput } from './report-incomplete';
import { retryWithBackoff } from './retry-with-backoff';
import { runChunks } from './run-chunks';

/** Options of `Repository.batchFind`. */
export interface BatchFindOptions extends RequestOptions {
  /** Strongly consistent reads. Default: eventually consistent, as DynamoDB's default. */
  consistent?: boolean;
}

/** One distinct key of a batchFind, and the positions of the input that asked for it. */
interface GetUnit {
  readonly key: string;
  readonly keyItem: Item;
  readonly inputs: TracedInput<unknown>[];
}

/**
 * Loads entities by key with BatchGetItem (see `Repository.batchFind`): keys checked and
 * deduplicated, 100 distinct keys a request, unprocessed keys retried; then, once every key has
 * been read, all items mapped and decrypted with the operation's one data-key scope. The result
 * follows the order of the keys, `undefined` where there is no item; a key given twice gets its
 * entity at both positions, as two instances.
 */
export async function batchFindEntities<T extends object>(
  context: RepositoryContext<T>,
  keys: readonly unknown[],
  options: BatchFindOptions = {},
): Promise<(T | undefined)[]> {
  const { metadata, mapper, client, batchRetry } = context;
  const table = metadata.table;
  const site: InputSite = { className: metadata.className, operation: 'batchFind', input: 'keys' };
  return runOperation(
    context,
    'batchFind',
    async (scope) => {
      const input = checkedInput(keys, site);
      const distinct = new Map<string, GetUnit>();
      input.forEach((source, position) => {
        const keyItem = atPosition(site, position, () => mapper.key(source));
        const key = itemKey(metadata, keyItem);
        let unit = distinct.get(key);
        if (unit === undefined) {
          unit = { key, keyItem, inputs: [] };
          distinct.set(key, unit);
        }
        unit.inputs.push({ position, source });
      });
      const units = [...distinct.values()];
      const found = new Map<string, Item>();
      const send = async (pending: readonly GetUnit[]): Promise<GetUnit[]> => {
        const output = await client.send(
          new BatchGetItemCommand({
            RequestItems: {
              [table]: {
                Keys: pending.map((unit) => unit.keyItem),
                ...(options.consistent === true ? { ConsistentRead: true } : {}),
              },
            },
          }),
          sendOptions(options.abortSignal),
        );
        const byKey = new Map(pending.map((unit) => [unit.key, unit]));
        const requested = (item: Item): GetUnit => {
          // Only keys of this request are accepted: a substituted response is refused, typed.
          const unit = byKey.get(returnedBatchKey(metadata, 'batchFind', item));
          if (unit === undefined) throw unrequestedKey(metadata, 'batchFind');
          return unit;
        };
        for (const item of output.Responses?.[table] ?? []) found.set(requested(item).key, item);
        return (output.UnprocessedKeys?.[table]?.Keys ?? []).map(requested);
      };
      const failure = { operation: 'batchFind', table, entity: metadata.entityName };
      const outcomes = await runChunks(chunk(units, MAX_GET_KEYS), CHUNK_CONCURRENCY, (pending) =>
        retryWithBackoff(pending, {
          send,
          convert: (error) => convertDynamoError(error, failure),
          retry: batchRetry,
        }),
      );
      // A read has nothing partial to report: a failure retrying cannot cure is thrown as it is.
      const fatal = outcomes.find((o) => o?.failure !== undefined && !isRetryable(o.failure));
      if (fatal?.failure !== undefined) throw fatal.failure;
      reportIncomplete(context, 'batchFind', units, outcomes, (unit) => unit.inputs);
      const present: { position: number; item: Item }[] = [];
      for (const unit of units) {
        const item = found.get(unit.key);
        if (item !== undefined)
          unit.inputs.forEach(({ position }) => present.push({ position, item }));
      }
      const entities = await loadItems(
        context,
        present.map(({ item }) => item),
        scope,
      );
      const result: (T | undefined)[] = input.map(() => undefined);
      present.forEach(({ position }, i) => {
        result[position] = entities[i];
      });
      return result;
    },
    { abortSignal: options.abortSignal },
  );
}

function isRetryable(error: unknown): boolean {
  return (error as { retryable?: unknown }).retryable === true;
}
