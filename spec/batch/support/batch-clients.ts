import {
  type AttributeValue,
  type DynamoDBClient,
  type KeysAndAttributes,
  ScanCommand,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { sharedDynamo } from '../../support/stack';
import { sendTrimmedBatch } from '../../support/trim-batch';

type Item = Record<string, AttributeValue>;

/** Every command name a client was asked to send, recorded before anything else runs. */
export interface CommandLog {
  readonly calls: string[];
  /** The input of each call, as the library built it. */
  readonly inputs: unknown[];
  count: (name: string) => number;
}

/** A dedicated client on the shared DynamoDB Local (no SDK retries) with a command recorder. */
export async function recordedClient(): Promise<{ client: DynamoDBClient; log: CommandLog }> {
  const client = (await sharedDynamo()).newClient({ maxAttempts: 1 });
  const calls: string[] = [];
  const inputs: unknown[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      calls.push(context.commandName ?? 'unknown');
      inputs.push(args.input);
      return next(args);
    },
    { step: 'initialize', name: 'batchSpecRecorder' },
  );
  return {
    client,
    log: { calls, inputs, count: (name) => calls.filter((c) => c === name).length },
  };
}

/**
 * What a {@link forceUnprocessed} middleware actually forwarded to DynamoDB: for each request, the
 * keys (as JSON of the wire key) of the puts, deletes or gets it let through.
 */
export interface ForwardLog {
  readonly forwarded: string[];
}

/**
 * Makes DynamoDB look overloaded: each BatchWriteItem / BatchGetItem goes to DynamoDB with only its
 * first `keep()` requests or keys, and the rest comes back as UnprocessedItems / UnprocessedKeys.
 * With `keep() === 0` nothing reaches DynamoDB and everything comes back unprocessed.
 * `keyOf` turns a key or item into the string logged in `forwarded`.
 */
export function forceUnprocessed(
  client: DynamoDBClient,
  keep: () => number,
  keyOf: (item: Item) => string,
): ForwardLog {
  const forwarded: string[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as {
        RequestItems?: Record<string, WriteRequest[] | KeysAndAttributes>;
      };
      const name = context.commandName;
      if (name !== 'BatchWriteItemCommand' && name !== 'BatchGetItemCommand') return next(args);
      const trimmed = await sendTrimmedBatch(
        name,
        input.RequestItems ?? {},
        keep(),
        (RequestItems) => next({ ...args, input: { ...input, RequestItems } }),
      );
      for (const sent of trimmed.kept) {
        const write = sent as WriteRequest;
        const item =
          name === 'BatchWriteItemCommand'
            ? (write.PutRequest?.Item ?? write.DeleteRequest?.Key)!
            : (sent as Item);
        forwarded.push(keyOf(item));
      }
      return trimmed.result;
    },
    { step: 'initialize', name: 'batchSpecForceUnprocessed' },
  );
  return { forwarded };
}

/**
 * Fails the next `remaining` batch requests (all, with Infinity) with a throttling error, as
 * DynamoDB does when a table's provisioned throughput is exceeded. Set `remaining` to arm it again.
 */
export function throttleBatches(client: DynamoDBClient, times = 0): { remaining: number } {
  const control = { remaining: times };
  client.middlewareStack.add(
    (next, context) => (args) => {
      const name = context.commandName;
      if (
        (name === 'BatchWriteItemCommand' || name === 'BatchGetItemCommand') &&
        control.remaining > 0
      ) {
        control.remaining -= 1;
        const error = Object.assign(
          new Error('The level of configured provisioned throughput for the table was exceeded.'),
          {
            name: 'ProvisionedThroughputExceededException',
            $fault: 'client',
            $metadata: { httpStatusCode: 400 },
          },
        );
        return Promise.reject(error);
      }
      return next(args);
    },
    { step: 'initialize', name: 'batchSpecThrottle' },
  );
  return control;
}

/** Every item of a table, read with raw Scans on the shared client. */
export async function scanAll(table: string): Promise<Item[]> {
  const { client } = await sharedDynamo();
  const items: Item[] = [];
  let start: Item | undefined;
  do {
    const page = await client.send(
      new ScanCommand({ TableName: table, ConsistentRead: true, ExclusiveStartKey: start }),
    );
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start !== undefined);
  return items;
}
