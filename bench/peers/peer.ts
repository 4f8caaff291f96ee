import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { LocalDynamo } from '../../src/testing';

/**
 * One library in the end-to-end comparison. Each stores the same order (eleven attributes) in its
 * own table on the same DynamoDB Local, modelled and called the way its documentation shows.
 */
export interface Peer {
  readonly name: string;
  /** Creates the peer's table (through the raw SDK where the library does not create tables). */
  setup(): Promise<void>;
  /** Writes order `n` of `customerId` (a new item each time). */
  put(customerId: string, n: number): Promise<void>;
  /** Reads order `n` of `customerId`; returns its `total` (so nothing is optimised away). */
  get(customerId: string, n: number): Promise<number>;
  /** Reads every order of `customerId` (one partition); returns how many. */
  query(customerId: string): Promise<number>;
  close(): void;
}

/** A client of DynamoDB Local configured as every peer gets it: same endpoint, region, credentials. */
export function localClient(dynamo: LocalDynamo): DynamoDBClient {
  return new DynamoDBClient({
    region: dynamo.region,
    endpoint: dynamo.endpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
}

/** The order id of order `n`, as `orderFields` makes it. */
export function orderId(n: number): string {
  return `order-${String(n).padStart(6, '0')}`;
}
