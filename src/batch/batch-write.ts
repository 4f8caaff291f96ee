import { BatchWriteItemCommand, type WriteRequest } from '@aws-sdk/client-dynamodb';
import { convertDynamoError } from '../repository/dynamo-error-converter';
import type { RepositoryContext } from '../repository/repository-context';
import { sendOptions } from '../repository/request-options';
import { returnedBatchKey, unrequestedKey } from '../repository/returned-key-check';
import { CHUNK_CONCURRENCY, MAX_WRITE_REQUESTS } from './batch-limits';
import { chunk } from './chunk';
import { reportIncomplete } from './report-incomplete';
import { retryWithBackoff } from './retry-with-backoff';
import { runChunks } from './run-chunks';

/** One put or delete of a batch write, with the caller's input it came from. */
export interface WriteUnit<S> {
  /** The position of `source` in the caller's input. */
  readonly position: number;
  /** The canonical key of the request (see `itemKey`), unique within the call. */
  readonly key: string;
  readonly request: WriteRequest;
  /** The caller's input: the entity instance (save) or the key object (delete). */
  readonly source: S;
}

/**
 * Sends prepared puts and deletes with BatchWriteItem, 25 a request, retrying what DynamoDB
 * leaves unprocessed (see `retryWithBackoff`). Resolves once DynamoDB acknowledged every unit;
 * otherwise throws `BatchIncompleteError` listing, as the caller's inputs, what was and was
 * not acknowledged. `acknowledged` is called with the units of each successful response.
 */
export async function writeBatch<T extends object, U extends WriteUnit<unknown>>(
  context: RepositoryContext<T>,
  operation: 'batchSave' | 'batchDelete',
  units: readonly U[],
  acknowledged?: (units: readonly U[]) => void,
  abortSignal?: AbortSignal,
): Promise<void> {
  const { metadata, client, batchRetry } = context;
  const table = metadata.table;
  const failure = { operation, table, entity: metadata.entityName };
  const send = async (pending: readonly U[]): Promise<U[]> => {
    const output = await client.send(
      new BatchWriteItemCommand({ RequestItems: { [table]: pending.map((unit) => unit.request) } }),
      sendOptions(abortSignal),
    );
    const byKey = new Map(pending.map((unit) => [unit.key, unit]));
    return (output.UnprocessedItems?.[table] ?? []).map((request) => {
      const key = request.PutRequest?.Item ?? request.DeleteRequest?.Key;
      if (key === undefined) throw unrequestedKey(metadata, operation);
      const unit = byKey.get(returnedBatchKey(metadata, operation, key));
      if (unit === undefined) throw unrequestedKey(metadata, operation);
      return unit;
    });
  };
  const outcomes = await runChunks(chunk(units, MAX_WRITE_REQUESTS), CHUNK_CONCURRENCY, (pending) =>
    retryWithBackoff(pending, {
      send,
      acknowledged,
      convert: (error) => convertDynamoError(error, failure),
      retry: batchRetry,
    }),
  );
  reportIncomplete(context, operation, units, outcomes, (unit) => [unit]);
}
