import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { expect } from 'chai';
import {
  Attribute,
  Encrypted,
  Entity,
  Index,
  PartitionKey,
  PrimaryKey,
  SortKey,
  TheoryDbError,
} from '../../src';
import { uniqueTable } from '../support/stack';

/** Orders of two customers, with a global index on status/total and a local one on placedAt. */
@Entity({ table: uniqueTable('query-orders'), name: 'QOrder' })
export class Order {
  declare [PrimaryKey]?: 'customer' | 'orderId';

  @PartitionKey() customer!: string;
  @SortKey() orderId!: string;
  @Attribute() seq!: number;
  @Index('byStatus', { partition: true }) @Attribute() status!: string;
  @Index('byStatus', { sort: true }) @Attribute() total!: number;
  @Index('byPlaced', { sort: true }) @Attribute() placedAt!: Date;
  @Attribute() name?: string;
  @Attribute() data?: string;
  @Attribute({ items: String }) tags?: Set<string>;
  @Attribute() note?: string;
}

/** Customer c1: 12 orders O#00..O#11. Customer c2: 3 open orders. */
export function orderFixtures(): Order[] {
  const c1 = Array.from({ length: 12 }, (_, i) =>
    Object.assign(new Order(), {
      customer: 'c1',
      orderId: `O#${String(i).padStart(2, '0')}`,
      seq: i,
      status: i % 2 === 0 ? 'open' : 'closed',
      total: i * 10,
      // Decreasing with i, so the local index orders the partition the other way round.
      placedAt: new Date(Date.UTC(2026, 0, 20 - i)),
      name: `order-${i}`,
      data: i < 5 ? 'alpha' : 'beta',
      tags: i % 3 === 0 ? new Set(['vip', 'gift']) : new Set(['std']),
      ...(i % 4 === 0 ? { note: `note ${i}` } : {}),
    }),
  );
  const c2 = [5, 15, 25].map((total, i) =>
    Object.assign(new Order(), {
      customer: 'c2',
      orderId: `O#${String(i).padStart(2, '0')}`,
      seq: 100 + i,
      status: 'open',
      total,
      placedAt: new Date(Date.UTC(2026, 1, 1 + i)),
      name: `c2-${i}`,
    }),
  );
  return [...c1, ...c2];
}

/** A credential-like entity with two encrypted fields and a global index on a plain label. */
@Entity({ table: uniqueTable('query-secrets'), name: 'QSecret' })
export class Secret {
  declare [PrimaryKey]?: 'owner' | 'id';

  @PartitionKey() owner!: string;
  @SortKey() id!: string;
  @Index('byLabel', { partition: true }) @Attribute() label!: string;
  @Attribute() kind?: string;
  @Encrypted() token!: string;
  @Encrypted() pin?: number;
}

/** Numbered events in partitions, for pagination. */
@Entity({ table: uniqueTable('query-events'), name: 'QEvent' })
export class Event {
  declare [PrimaryKey]?: 'stream' | 'n';

  @PartitionKey() stream!: string;
  @SortKey() n!: number;
  @Attribute() hit!: boolean;
  @Attribute() status?: string;
}

/** Rows of a table with a partition key only, for scans. */
@Entity({ table: uniqueTable('query-rows'), name: 'QRow' })
export class Row {
  @PartitionKey() id!: string;
  @Attribute() n!: number;
  @Attribute() group!: string;
}

/** The rejection of `run`, failing the test when it resolves. */
export async function rejection(run: () => Promise<unknown>): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  expect.fail('expected a rejection');
}

/** Asserts `error` is an instance of `type` with `code`. */
export function expectCode(
  error: unknown,
  type: abstract new (...args: never[]) => TheoryDbError,
  code: string,
): void {
  expect(error).to.be.instanceOf(type);
  expect((error as TheoryDbError).code).to.equal(code);
}

/**
 * Counts the requests in flight on `client` and remembers the highest count, for concurrency
 * bounds.
 */
export function concurrencyProbe(client: DynamoDBClient): {
  readonly max: () => number;
  readonly reset: () => void;
} {
  let active = 0;
  let max = 0;
  client.middlewareStack.add(
    (next) => async (args) => {
      active += 1;
      max = Math.max(max, active);
      try {
        return await next(args);
      } finally {
        active -= 1;
      }
    },
    { step: 'initialize', name: 'querySpecConcurrency' },
  );
  return {
    max: () => max,
    reset: () => {
      max = active;
    },
  };
}

/** `Object.keys`, sorted. */
export function keysOf(value: object): string[] {
  return Object.keys(value).sort();
}
