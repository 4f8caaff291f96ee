import { expect } from 'chai';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import {
  Attribute,
  BatchIncompleteError,
  DynamoDbError,
  Entity,
  PartitionKey,
  TheoryDb,
  UpdatedAt,
} from '../../src';
import type { BatchRetryOptions } from '../../src';
import { uniqueTable } from '../support/stack';
import {
  type CommandLog,
  type ForwardLog,
  forceUnprocessed,
  recordedClient,
  scanAll,
  throttleBatches,
} from './support/batch-clients';

function partClass() {
  @Entity({ table: uniqueTable('batch-unprocessed'), name: 'Part' })
  class Part {
    @PartitionKey() id!: string;
    @Attribute() label?: string;
    @UpdatedAt() updatedAt?: Date;
  }
  return Part;
}
type PartClass = ReturnType<typeof partClass>;
type Part = InstanceType<PartClass>;

const idOf = (item: Record<string, AttributeValue>): string => item.id.S ?? '?';
const sorted = (values: readonly string[]): string[] => [...values].sort();

interface Setup {
  db: TheoryDb;
  Part: PartClass;
  log: CommandLog;
  forward: ForwardLog;
  /** How many requests or keys of each batch request reach DynamoDB (the rest is unprocessed). */
  keep: { value: number };
  /** How many batch requests are still to be refused with a throttling error. */
  throttle: { remaining: number };
  parts: (count: number, prefix?: string) => Part[];
}

async function setup(
  retry: Partial<BatchRetryOptions>,
  options: { keep?: number; throttle?: number; createTable?: boolean } = {},
): Promise<Setup> {
  const { client, log } = await recordedClient();
  const keep = { value: options.keep ?? 3 };
  const forward = forceUnprocessed(client, () => keep.value, idOf);
  const throttle = throttleBatches(client, options.throttle);
  const Part = partClass();
  const db = new TheoryDb({
    dynamodb: client,
    batchRetry: { baseDelayMs: 1, maxDelayMs: 5, ...retry },
  });
  if (options.createTable !== false) await db.createTable(Part);
  log.calls.length = 0;
  return {
    db,
    Part,
    log,
    forward,
    keep,
    throttle,
    parts: (count, prefix = 'p') =>
      Array.from({ length: count }, (_, i) =>
        Object.assign(new Part(), { id: `${prefix}-${i}`, label: `L${i}` }),
      ),
  };
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.fail('expected the call to fail'),
    (error: unknown) => error,
  );
}

describe('batch operations and UnprocessedItems / UnprocessedKeys (DynamoDB Local)', () => {
  describe('forced unprocessed, retried until done', () => {
    it('batchSave of 101 items: 37 BatchWriteItem requests, every item written exactly once', async () => {
      const { db, Part, log, forward, parts } = await setup({ maxAttempts: 9 });
      const entities = parts(101);
      await db.repository(Part).batchSave(entities);
      // 4 chunks of 25 need ceil(25 / 3) = 9 requests each; the chunk of 1 needs 1.
      expect(log.count('BatchWriteItemCommand')).to.equal(37);
      expect(log.calls.length).to.equal(37);
      expect(sorted(forward.forwarded)).to.deep.equal(sorted(entities.map((e) => e.id)));
      const stored = await scanAll(db.repository(Part).metadata.table);
      expect(stored).to.have.length(101);
      expect(new Map(stored.map((item) => [idOf(item), item.label.S]))).to.deep.equal(
        new Map(entities.map((e) => [e.id, e.label])),
      );
      expect(entities.every((e) => e.updatedAt instanceof Date)).to.equal(true);
    });

    it('batchFind of 101 keys: 35 BatchGetItem requests, every key read once, order kept', async () => {
      const { db, Part, log, forward, keep, parts } = await setup({ maxAttempts: 34 });
      const entities = parts(91);
      keep.value = 25;
      await db.repository(Part).batchSave(entities);
      keep.value = 3;
      log.calls.length = 0;
      forward.forwarded.length = 0;
      const keys = [
        ...entities.map((e) => ({ id: e.id })),
        ...parts(10, 'missing').map((e) => ({ id: e.id })),
      ].reverse();
      const found = await db.repository(Part).batchFind(keys);
      // 100 distinct keys need ceil(100 / 3) = 34 requests, the 101st key one more.
      expect(log.calls).to.deep.equal(Array.from({ length: 35 }, () => 'BatchGetItemCommand'));
      expect(sorted(forward.forwarded)).to.deep.equal(sorted(keys.map((k) => k.id)));
      expect(found.map((e) => e?.id)).to.deep.equal(
        keys.map((k) => (k.id.startsWith('missing') ? undefined : k.id)),
      );
    });

    it('batchDelete of 101 keys: 37 BatchWriteItem requests, the table ends empty', async () => {
      const { db, Part, log, forward, keep, parts } = await setup({ maxAttempts: 9 });
      const entities = parts(101);
      keep.value = 25;
      await db.repository(Part).batchSave(entities);
      keep.value = 3;
      log.calls.length = 0;
      forward.forwarded.length = 0;
      await db.repository(Part).batchDelete(entities.map((e) => ({ id: e.id })));
      expect(log.count('BatchWriteItemCommand')).to.equal(37);
      expect(sorted(forward.forwarded)).to.deep.equal(sorted(entities.map((e) => e.id)));
      expect(await scanAll(db.repository(Part).metadata.table)).to.deep.equal([]);
    });
  });

  describe('attempts run out: BatchIncompleteError', () => {
    it('batchSave: lists exactly the unprocessed entities when nothing is ever processed', async () => {
      const { db, Part, log, parts } = await setup({ maxAttempts: 2 }, { keep: 0 });
      const entities = parts(30);
      const error = await failure(db.repository(Part).batchSave(entities));
      expect(error).to.be.instanceOf(BatchIncompleteError);
      const incomplete = error as BatchIncompleteError<Part>;
      expect(incomplete.code).to.equal('BATCH_INCOMPLETE');
      expect(incomplete.operation).to.equal('batchSave');
      expect(incomplete.retryable).to.equal(true);
      expect(incomplete.cause).to.equal(undefined);
      expect(incomplete.unprocessed).to.have.length(30);
      incomplete.unprocessed.forEach((entity, i) => expect(entity).to.equal(entities[i]));
      expect(incomplete.unprocessedIndexes).to.deep.equal(entities.map((_, i) => i));
      expect(incomplete.processed).to.deep.equal([]);
      expect(incomplete.message).to.equal(
        `batchSave on ${db.repository(Part).metadata.table} (Part): 30 of 30 items were not written ` +
          '(DynamoDB still returned some as unprocessed after 2 requests of a chunk); 0 were',
      );
      // Two chunks (25 + 5), two requests each.
      expect(log.count('BatchWriteItemCommand')).to.equal(4);
      expect(await scanAll(db.repository(Part).metadata.table)).to.deep.equal([]);
      expect(entities.every((e) => e.updatedAt === undefined)).to.equal(true);
    });

    it('batchSave: what was acknowledged and what was not add up to the table contents', async () => {
      const { db, Part, log, parts } = await setup({ maxAttempts: 2 }, { keep: 3 });
      const entities = parts(60);
      const error = (await failure(
        db.repository(Part).batchSave(entities),
      )) as BatchIncompleteError<Part>;
      expect(error).to.be.instanceOf(BatchIncompleteError);
      // Chunks of 25, 25 and 10 run together; each gets 2 requests of 3 items through.
      expect(log.count('BatchWriteItemCommand')).to.equal(6);
      expect(error.processed).to.have.length(18);
      expect(error.unprocessed).to.have.length(42);
      const stored = sorted((await scanAll(db.repository(Part).metadata.table)).map(idOf));
      expect(stored).to.deep.equal(sorted(error.processed.map((e) => e.id)));
      expect(
        sorted([...error.processedIndexes, ...error.unprocessedIndexes].map(String)),
      ).to.deep.equal(sorted(entities.map((_, i) => String(i))));
      error.unprocessedIndexes.forEach((index, i) =>
        expect(error.unprocessed[i]).to.equal(entities[index]),
      );
      error.processedIndexes.forEach((index, i) =>
        expect(error.processed[i]).to.equal(entities[index]),
      );
      expect(error.processed.every((e) => e.updatedAt instanceof Date)).to.equal(true);
      expect(error.unprocessed.every((e) => e.updatedAt === undefined)).to.equal(true);
      expect(error.message).to.match(/: 42 of 60 items were not written .*; 18 were$/);
      for (const entity of entities) expect(error.message).not.to.contain(entity.id);
    });

    it('batchDelete: lists exactly the unprocessed key objects', async () => {
      const { db, Part, log, keep, parts } = await setup({ maxAttempts: 2 }, { keep: 25 });
      const entities = parts(30);
      await db.repository(Part).batchSave(entities);
      keep.value = 0;
      log.calls.length = 0;
      const keys = entities.map((e) => ({ id: e.id }));
      const error = (await failure(db.repository(Part).batchDelete(keys))) as BatchIncompleteError;
      expect(error).to.be.instanceOf(BatchIncompleteError);
      expect(error.code).to.equal('BATCH_INCOMPLETE');
      expect(error.unprocessed).to.have.length(30);
      error.unprocessed.forEach((key, i) => expect(key).to.equal(keys[i]));
      expect(error.processed).to.deep.equal([]);
      expect(error.message).to.match(/30 of 30 keys were not deleted/);
      expect(log.count('BatchWriteItemCommand')).to.equal(4);
      expect(await scanAll(db.repository(Part).metadata.table)).to.have.length(30);
    });

    it('batchFind: fails as a whole, listing every position of the unprocessed keys', async () => {
      const { db, Part, log, keep, parts } = await setup({ maxAttempts: 2 }, { keep: 25 });
      await db.repository(Part).batchSave(parts(5));
      keep.value = 0;
      log.calls.length = 0;
      const keys = [{ id: 'p-0' }, { id: 'p-1' }, { id: 'p-0' }, { id: 'absent' }];
      const error = (await failure(db.repository(Part).batchFind(keys))) as BatchIncompleteError;
      expect(error).to.be.instanceOf(BatchIncompleteError);
      expect(error.operation).to.equal('batchFind');
      expect(error.unprocessedIndexes).to.deep.equal([0, 1, 2, 3]);
      error.unprocessed.forEach((key, i) => expect(key).to.equal(keys[i]));
      expect(error.message).to.match(/4 of 4 keys were not read .*; no items are returned$/);
      expect(log.calls).to.deep.equal(['BatchGetItemCommand', 'BatchGetItemCommand']);
    });

    it('batchFind: keys read before the attempts ran out are reported as processed, not returned', async () => {
      const { db, Part, keep, parts } = await setup({ maxAttempts: 2 }, { keep: 25 });
      await db.repository(Part).batchSave(parts(10));
      keep.value = 3;
      const keys = parts(10).map((e) => ({ id: e.id }));
      const error = (await failure(db.repository(Part).batchFind(keys))) as BatchIncompleteError;
      expect(error.processedIndexes).to.deep.equal([0, 1, 2, 3, 4, 5]);
      expect(error.unprocessedIndexes).to.deep.equal([6, 7, 8, 9]);
    });
  });

  describe('throttled requests (ProvisionedThroughputExceededException)', () => {
    it('are retried within the same bound: two throttled requests, then success', async () => {
      const { db, Part, log, throttle, parts } = await setup(
        { maxAttempts: 3 },
        { keep: 100, throttle: 2 },
      );
      const entities = parts(10);
      await db.repository(Part).batchSave(entities);
      expect(log.calls).to.deep.equal(Array.from({ length: 3 }, () => 'BatchWriteItemCommand'));
      expect(await scanAll(db.repository(Part).metadata.table)).to.have.length(10);
      throttle.remaining = 2;
      log.calls.length = 0;
      const found = await db.repository(Part).batchFind(entities.map((e) => ({ id: e.id })));
      expect(log.calls).to.deep.equal(Array.from({ length: 3 }, () => 'BatchGetItemCommand'));
      expect(found.map((e) => e?.id)).to.deep.equal(entities.map((e) => e.id));
    });

    it('end in BatchIncompleteError with the throttling error as cause when the bound is reached', async () => {
      const { db, Part, log, parts } = await setup(
        { maxAttempts: 2 },
        { keep: 100, throttle: Infinity },
      );
      const entities = parts(10);
      const error = (await failure(
        db.repository(Part).batchSave(entities),
      )) as BatchIncompleteError<Part>;
      expect(error).to.be.instanceOf(BatchIncompleteError);
      expect(error.cause).to.be.instanceOf(DynamoDbError);
      expect((error.cause as DynamoDbError).code).to.equal('DYNAMODB_THROTTLED');
      expect(error.retryable).to.equal(true);
      expect(error.unprocessed).to.deep.equal(entities);
      expect(error.message).to.contain('a request failed with DYNAMODB_THROTTLED');
      expect(log.count('BatchWriteItemCommand')).to.equal(2);
      const read = (await failure(
        db.repository(Part).batchFind([{ id: 'p-1' }]),
      )) as BatchIncompleteError;
      expect(read).to.be.instanceOf(BatchIncompleteError);
      expect((read.cause as DynamoDbError).code).to.equal('DYNAMODB_THROTTLED');
      expect(log.count('BatchGetItemCommand')).to.equal(2);
    });
  });

  describe('failures retrying cannot cure', () => {
    it('stop at once: batchSave reports them as incomplete, batchFind throws them as they are', async () => {
      const { db, Part, log, parts } = await setup(
        { maxAttempts: 5 },
        { keep: 100, createTable: false },
      );
      const error = (await failure(
        db.repository(Part).batchSave(parts(10)),
      )) as BatchIncompleteError;
      expect(error).to.be.instanceOf(BatchIncompleteError);
      expect((error.cause as DynamoDbError).code).to.equal('DYNAMODB_TABLE_NOT_FOUND');
      expect(error.retryable).to.equal(false);
      expect(error.unprocessed).to.have.length(10);
      expect(log.calls).to.deep.equal(['BatchWriteItemCommand']);
      log.calls.length = 0;
      const read = await failure(db.repository(Part).batchFind([{ id: 'x' }]));
      expect(read).to.be.instanceOf(DynamoDbError);
      expect((read as DynamoDbError).code).to.equal('DYNAMODB_TABLE_NOT_FOUND');
      expect(log.calls).to.deep.equal(['BatchGetItemCommand']);
    });
  });
});
