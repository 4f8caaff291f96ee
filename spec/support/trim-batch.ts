import type { AttributeValue, KeysAndAttributes, WriteRequest } from '@aws-sdk/client-dynamodb';

type Item = Record<string, AttributeValue>;
type RequestItems = Record<string, WriteRequest[] | KeysAndAttributes>;

/** A batch request cut short, as an overloaded DynamoDB answers it. */
export interface TrimmedBatch<R> {
  /** DynamoDB's answer, with the cut-off part merged into UnprocessedItems / UnprocessedKeys. */
  readonly result: R;
  readonly table: string;
  /** The writes (BatchWriteItem) or keys (BatchGetItem) that were sent. */
  readonly kept: readonly (WriteRequest | Item)[];
  /** How many were cut off. */
  readonly cut: number;
  /** What came back unprocessed from DynamoDB itself (before the cut-off part was merged in). */
  readonly leftByDynamo: readonly (WriteRequest | Item)[];
}

/**
 * Sends a one-table BatchWriteItem or BatchGetItem with only its first `limit` writes or keys, and
 * answers the rest as unprocessed, after whatever DynamoDB itself left unprocessed. With nothing
 * kept, nothing is sent. Shared by the test middlewares that simulate unprocessed-item storms.
 */
export async function sendTrimmedBatch<R extends { output: unknown }>(
  command: 'BatchWriteItemCommand' | 'BatchGetItemCommand',
  requestItems: RequestItems,
  limit: number,
  send: (requestItems: RequestItems) => Promise<R>,
): Promise<TrimmedBatch<R>> {
  const tables = Object.keys(requestItems);
  if (tables.length !== 1) throw new Error('trim-batch: one table per batch request only');
  const [table] = tables;
  if (command === 'BatchWriteItemCommand') {
    const writes = requestItems[table] as WriteRequest[];
    const kept = writes.slice(0, limit);
    const rest = writes.slice(limit);
    const result =
      kept.length === 0
        ? ({ output: { $metadata: {} }, response: undefined } as unknown as R)
        : await send({ [table]: kept });
    const output = result.output as { UnprocessedItems?: Record<string, WriteRequest[]> };
    const leftByDynamo = output.UnprocessedItems?.[table] ?? [];
    if (leftByDynamo.length + rest.length > 0) {
      output.UnprocessedItems = { [table]: [...leftByDynamo, ...rest] };
    }
    return { result, table, kept, cut: rest.length, leftByDynamo };
  }
  const gets = requestItems[table] as KeysAndAttributes;
  const keys = gets.Keys ?? [];
  const kept = keys.slice(0, limit);
  const rest = keys.slice(limit);
  const result =
    kept.length === 0
      ? ({
          output: { Responses: { [table]: [] }, $metadata: {} },
          response: undefined,
        } as unknown as R)
      : await send({ [table]: { ...gets, Keys: kept } });
  const output = result.output as { UnprocessedKeys?: Record<string, KeysAndAttributes> };
  const leftByDynamo = output.UnprocessedKeys?.[table]?.Keys ?? [];
  if (leftByDynamo.length + rest.length > 0) {
    output.UnprocessedKeys = { [table]: { ...gets, Keys: [...leftByDynamo, ...rest] } };
  }
  return { result, table, kept, cut: rest.length, leftByDynamo };
}
