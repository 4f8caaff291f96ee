import { expect } from 'chai';
import { inspect } from 'node:util';
import { Attribute, Entity, PartitionKey, SortKey, entityMetadata } from '../../src';
import { backoffDelay } from '../../src/batch/backoff';
import { chunk } from '../../src/batch/chunk';
import { itemKey } from '../../src/batch/item-key';
import { retryWithBackoff } from '../../src/batch/retry-with-backoff';
import { runChunks } from '../../src/batch/run-chunks';
import { BatchIncompleteError, DynamoDbError, TheoryDbError } from '../../src/errors';

const retry = { maxAttempts: 4, baseDelayMs: 10, maxDelayMs: 50 };
const throttled = () =>
  new DynamoDbError(
    'DYNAMODB_THROTTLED',
    'throttled',
    'ProvisionedThroughputExceededException',
    true,
  );
const refused = () =>
  new DynamoDbError('DYNAMODB_VALIDATION', 'refused', 'ValidationException', false);

@Entity({ table: 'batch-units' })
class Keyed {
  @PartitionKey() pk!: string;
  @SortKey() n!: number;
  @Attribute() label?: string;
}

describe('batch building blocks', () => {
  describe('chunk', () => {
    it('splits in order into chunks of at most the size', () => {
      expect(chunk([1, 2, 3, 4, 5], 2)).to.deep.equal([[1, 2], [3, 4], [5]]);
      expect(chunk([], 25)).to.deep.equal([]);
      expect(
        chunk(
          Array.from({ length: 101 }, (_, i) => i),
          25,
        ).map((c) => c.length),
      ).to.deep.equal([25, 25, 25, 25, 1]);
      expect(() => chunk([1], 0)).to.throw(RangeError);
    });
  });

  describe('backoffDelay (full jitter)', () => {
    it('draws between 0 and min(maxDelayMs, baseDelayMs * 2^retry)', () => {
      const almostOne = () => 0.999999;
      expect(backoffDelay(0, retry, () => 0)).to.equal(0);
      expect(backoffDelay(0, retry, almostOne)).to.be.closeTo(10, 0.001);
      expect(backoffDelay(1, retry, almostOne)).to.be.closeTo(20, 0.001);
      expect(backoffDelay(2, retry, almostOne)).to.be.closeTo(40, 0.001);
      expect(backoffDelay(3, retry, almostOne)).to.be.closeTo(50, 0.001); // capped
      expect(backoffDelay(30, retry, almostOne)).to.be.closeTo(50, 0.001);
      expect(backoffDelay(2, retry, () => 0.5)).to.equal(20);
    });

    it('uses Math.random by default and stays in range', () => {
      for (let i = 0; i < 200; i += 1) {
        const delay = backoffDelay(2, retry);
        expect(delay).to.be.at.least(0).and.below(40);
      }
    });
  });

  describe('retryWithBackoff', () => {
    const sleeps: number[] = [];
    const fake = {
      random: () => 0.999999,
      sleep: (ms: number) => (sleeps.push(ms), Promise.resolve()),
    };
    beforeEach(() => {
      sleeps.length = 0;
    });

    it('resends only what was unprocessed, backing off between requests', async () => {
      const sent: number[][] = [];
      const acked: number[][] = [];
      const outcome = await retryWithBackoff([1, 2, 3, 4, 5], {
        ...fake,
        retry,
        convert: () => throttled(),
        acknowledged: (units) => acked.push([...units]),
        send: (pending) => {
          sent.push([...pending]);
          return Promise.resolve(pending.slice(2)); // two done per request
        },
      });
      expect(sent).to.deep.equal([[1, 2, 3, 4, 5], [3, 4, 5], [5]]);
      expect(acked).to.deep.equal([[1, 2], [3, 4], [5]]);
      expect(outcome).to.deep.equal({ done: [1, 2, 3, 4, 5], left: [] });
      expect(sleeps.map(Math.round)).to.deep.equal([10, 20]);
    });

    it('stops after maxAttempts requests and reports what is left, without a cause', async () => {
      let requests = 0;
      const outcome = await retryWithBackoff(['a', 'b', 'c'], {
        ...fake,
        retry,
        convert: () => throttled(),
        send: (pending) => {
          requests += 1;
          return Promise.resolve(requests === 1 ? pending.slice(1) : pending);
        },
      });
      expect(requests).to.equal(4);
      expect(outcome.done).to.deep.equal(['a']);
      expect(outcome.left).to.deep.equal(['b', 'c']);
      expect(outcome.failure).to.equal(undefined);
      expect(sleeps.map(Math.round)).to.deep.equal([10, 20, 40]);
    });

    it('retries throttled requests within the same bound and keeps the last error', async () => {
      let requests = 0;
      const outcome = await retryWithBackoff(['a'], {
        ...fake,
        retry,
        convert: (error) => error as DynamoDbError,
        send: () => {
          requests += 1;
          return Promise.reject(throttled());
        },
      });
      expect(requests).to.equal(4);
      expect(outcome.left).to.deep.equal(['a']);
      expect((outcome.failure as DynamoDbError).code).to.equal('DYNAMODB_THROTTLED');
    });

    it('recovers from throttling when a later attempt succeeds', async () => {
      let requests = 0;
      const outcome = await retryWithBackoff(['a', 'b'], {
        ...fake,
        retry,
        convert: (error) => error as DynamoDbError,
        send: () => {
          requests += 1;
          return requests < 3 ? Promise.reject(throttled()) : Promise.resolve([]);
        },
      });
      expect(requests).to.equal(3);
      expect(outcome).to.deep.equal({ done: ['a', 'b'], left: [] });
    });

    it('does not retry a failure that is not retryable', async () => {
      let requests = 0;
      const outcome = await retryWithBackoff(['a', 'b'], {
        ...fake,
        retry,
        convert: (error) => error as DynamoDbError,
        send: () => {
          requests += 1;
          return Promise.reject(refused());
        },
      });
      expect(requests).to.equal(1);
      expect(sleeps).to.deep.equal([]);
      expect(outcome.left).to.deep.equal(['a', 'b']);
      expect((outcome.failure as DynamoDbError).code).to.equal('DYNAMODB_VALIDATION');
    });

    it('sends one request and no sleep with maxAttempts 1', async () => {
      let requests = 0;
      const outcome = await retryWithBackoff(['a'], {
        ...fake,
        retry: { ...retry, maxAttempts: 1 },
        convert: () => throttled(),
        send: (pending) => {
          requests += 1;
          return Promise.resolve(pending);
        },
      });
      expect(requests).to.equal(1);
      expect(sleeps).to.deep.equal([]);
      expect(outcome.left).to.deep.equal(['a']);
    });
  });

  describe('runChunks', () => {
    it('runs at most `concurrency` chunks at once and every chunk when all complete', async () => {
      let running = 0;
      let peak = 0;
      const outcomes = await runChunks(
        chunk(
          Array.from({ length: 10 }, (_, i) => i),
          1,
        ),
        3,
        async (units) => {
          running += 1;
          peak = Math.max(peak, running);
          await new Promise((resolve) => setTimeout(resolve, 2));
          running -= 1;
          return { done: units, left: [] };
        },
      );
      expect(peak).to.equal(3);
      expect(outcomes.map((o) => o?.done)).to.deep.equal(Array.from({ length: 10 }, (_, i) => [i]));
    });

    it('starts no chunk after one stopped with units left', async () => {
      const started: number[] = [];
      const outcomes = await runChunks([[0], [1], [2], [3]], 1, (units) => {
        started.push(units[0]);
        return Promise.resolve(
          units[0] === 1 ? { done: [], left: units } : { done: units, left: [] },
        );
      });
      expect(started).to.deep.equal([0, 1]);
      expect(outcomes[2]).to.equal(undefined);
      expect(outcomes[3]).to.equal(undefined);
    });
  });

  describe('itemKey', () => {
    const metadata = entityMetadata(Keyed);
    it('is equal for keys DynamoDB considers equal, numbers in canonical form', () => {
      expect(itemKey(metadata, { pk: { S: 'a' }, n: { N: '1e+21' } })).to.equal(
        itemKey(metadata, {
          pk: { S: 'a' },
          n: { N: '1000000000000000000000' },
          label: { S: 'x' },
        }),
      );
      expect(itemKey(metadata, { pk: { S: 'a' }, n: { N: '1.50' } })).to.equal(
        itemKey(metadata, { pk: { S: 'a' }, n: { N: '1.5' } }),
      );
    });
    it('differs for different keys, without ambiguity between parts', () => {
      expect(itemKey(metadata, { pk: { S: 'a' }, n: { N: '1' } })).not.to.equal(
        itemKey(metadata, { pk: { S: 'a' }, n: { N: '2' } }),
      );
      expect(itemKey(metadata, { pk: { S: 'a","N1' }, n: { N: '1' } })).not.to.equal(
        itemKey(metadata, { pk: { S: 'a' }, n: { N: '1' } }),
      );
    });
  });

  describe('BatchIncompleteError', () => {
    const key = { pk: 'secret-partition-value', n: 7 };
    const error = new BatchIncompleteError({
      operation: 'batchDelete',
      table: 'things',
      entity: 'Thing',
      maxAttempts: 3,
      unprocessed: [key],
      unprocessedIndexes: [1],
      processed: [{ pk: 'other-secret-value', n: 1 }],
      processedIndexes: [0],
    });

    it('has code BATCH_INCOMPLETE, counts in its message and the inputs programmatically', () => {
      expect(error).to.be.instanceOf(TheoryDbError);
      expect(error.code).to.equal('BATCH_INCOMPLETE');
      expect(error.name).to.equal('BatchIncompleteError');
      expect(error.retryable).to.equal(true);
      expect(error.unprocessed[0]).to.equal(key);
      expect(error.unprocessedIndexes).to.deep.equal([1]);
      expect(error.processedIndexes).to.deep.equal([0]);
      expect(error.message).to.equal(
        'batchDelete on things (Thing): 1 of 2 keys were not deleted (DynamoDB still returned some as unprocessed after 3 requests of a chunk); 1 were',
      );
    });

    it('never prints the inputs: message, JSON, inspect (even showHidden) and String', () => {
      const texts = [
        error.message,
        String(error.stack),
        JSON.stringify(error),
        inspect(error, { depth: 10, showHidden: true }),
        String(error),
      ].join('\n');
      expect(texts).not.to.contain('secret-partition-value');
      expect(texts).not.to.contain('other-secret-value');
      expect(JSON.parse(JSON.stringify(error))).to.deep.include({
        unprocessedCount: 1,
        processedCount: 1,
      });
    });

    it('is not retryable when its cause is not', () => {
      const stopped = new BatchIncompleteError({
        operation: 'batchSave',
        table: 't',
        entity: 'E',
        maxAttempts: 3,
        unprocessed: [],
        unprocessedIndexes: [],
        processed: [],
        processedIndexes: [],
        cause: refused(),
      });
      expect(stopped.retryable).to.equal(false);
      expect(stopped.message).to.contain('a request failed with DYNAMODB_VALIDATION');
      expect(stopped.cause).to.be.instanceOf(DynamoDbError);
    });
  });
});
