import type {
  AttributeValue,
  DynamoDBClient,
  KeysAndAttributes,
  WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { sendTrimmedBatch } from '../../support/trim-batch';
import { Tally } from '../../crypto/fixtures/item-envelope-mutations';

type Item = Record<string, AttributeValue>;

/** What the fault-injecting middleware does to each request. */
export interface DynamoFaultPlan {
  /**
   * True to refuse this request, before it is sent, with the error DynamoDB gives when a table's
   * throughput is exceeded (`ProvisionedThroughputExceededException`, recognised by name).
   */
  throttle?: (command: string) => boolean;
  /**
   * For BatchWriteItem and BatchGetItem: how many of the `requested` writes or keys reach
   * DynamoDB; the rest comes back as UnprocessedItems / UnprocessedKeys, as DynamoDB answers
   * when it is overloaded. Undefined or `requested` forwards everything.
   */
  keep?: (command: string, requested: number) => number;
}

/** What the middleware saw and did. */
export interface DynamoFaultLog {
  /** Requests the library asked to send, by command name. */
  readonly requests: Tally;
  /** Requests refused with a throttling error, by command name. */
  readonly throttled: Tally;
  /** Writes or keys of batch requests handed back as unprocessed. */
  unprocessedUnits: number;
  /** For every item key, how many puts or deletes of it reached DynamoDB. */
  readonly forwardedWrites: Map<string, number>;
  /** Turns every fault off (the middleware stays, forwarding everything). */
  disable(): void;
  /** Turns faults back on. */
  enable(): void;
}

const BATCHES = new Set(['BatchWriteItemCommand', 'BatchGetItemCommand']);

function throttlingError(): Error {
  return Object.assign(
    new Error('The level of configured provisioned throughput for the table was exceeded.'),
    {
      name: 'ProvisionedThroughputExceededException',
      $fault: 'client',
      $metadata: { httpStatusCode: 400, attempts: 1 },
    },
  );
}

function writtenKeys(name: string, input: Record<string, unknown>, keyOf: (item: Item) => string) {
  switch (name) {
    case 'PutItemCommand':
      return [keyOf(input.Item as Item)];
    case 'DeleteItemCommand':
    case 'UpdateItemCommand':
      return [keyOf(input.Key as Item)];
    case 'TransactWriteItemsCommand':
      return (
        input.TransactItems as {
          Put?: { Item: Item };
          Delete?: { Key: Item };
          Update?: { Key: Item };
        }[]
      ).flatMap((t) => {
        const key = t.Put?.Item ?? t.Delete?.Key ?? t.Update?.Key;
        return key === undefined ? [] : [keyOf(key)];
      });
    default:
      return [];
  }
}

/**
 * A fault-injecting middleware in front of DynamoDB Local, added to `client` (which must be
 * dedicated to the caller: the middleware stays on it). It runs at the `initialize` step, before
 * the SDK's own retries, so every fault reaches the library; use a client with `maxAttempts: 1`.
 * Requests that are not refused go to the real DynamoDB Local, which answers them.
 *
 * `keyOf` names an item by its key attributes, for {@link DynamoFaultLog.forwardedWrites}.
 *
 * @example
 * ```ts
 * const client = (await sharedDynamo()).newClient({ maxAttempts: 1 });
 * const log = injectDynamoFaults(client, { keep: (_c, n) => rng.int(n + 1) }, (i) => i.id.S!);
 * ```
 */
export function injectDynamoFaults(
  client: DynamoDBClient,
  plan: DynamoFaultPlan,
  keyOf: (item: Item) => string,
): DynamoFaultLog {
  let enabled = true;
  const log: DynamoFaultLog = {
    requests: new Tally(),
    throttled: new Tally(),
    unprocessedUnits: 0,
    forwardedWrites: new Map(),
    disable: () => {
      enabled = false;
    },
    enable: () => {
      enabled = true;
    },
  };
  const forwarded = (key: string) =>
    log.forwardedWrites.set(key, (log.forwardedWrites.get(key) ?? 0) + 1);

  client.middlewareStack.add(
    (next, context) => async (args) => {
      const name = context.commandName ?? 'unknown';
      const input = args.input as Record<string, unknown>;
      log.requests.add(name);
      if (enabled && plan.throttle?.(name) === true) {
        log.throttled.add(name);
        throw throttlingError();
      }
      if (!BATCHES.has(name)) {
        const result = await next(args);
        writtenKeys(name, input, keyOf).forEach(forwarded);
        return result;
      }
      const requestItems = input.RequestItems as Record<string, WriteRequest[] | KeysAndAttributes>;
      const requested = Object.values(requestItems)[0];
      const size = Array.isArray(requested) ? requested.length : (requested?.Keys?.length ?? 0);
      const limit = enabled ? (plan.keep?.(name, size) ?? size) : size;
      const trimmed = await sendTrimmedBatch(
        name as 'BatchWriteItemCommand' | 'BatchGetItemCommand',
        requestItems,
        limit,
        (RequestItems) => next({ ...args, input: { ...input, RequestItems } }),
      );
      log.unprocessedUnits += trimmed.cut;
      if (name === 'BatchWriteItemCommand') {
        // A write counts as forwarded once DynamoDB took it: not when it came back unprocessed.
        const writeKey = (w: WriteRequest) => keyOf((w.PutRequest?.Item ?? w.DeleteRequest?.Key)!);
        const notDone = new Set((trimmed.leftByDynamo as WriteRequest[]).map(writeKey));
        (trimmed.kept as WriteRequest[])
          .map(writeKey)
          .filter((key) => !notDone.has(key))
          .forEach(forwarded);
      }
      return trimmed.result;
    },
    { step: 'initialize', name: 'reliabilityDynamoFaults' },
  );
  return log;
}
