import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { expect } from 'chai';
import { getEventListeners } from 'node:events';
import {
  AbortedError,
  Attribute,
  Encrypted,
  Entity,
  PartitionKey,
  PrimaryKey,
  SortKey,
  TheoryDb,
} from '../../src';
import type { LocalKms } from '../../src/testing/local-kms';
import { type DynamoRecorder, recordCommands } from '../support/dynamo-recorder';
import { expectErrorFreeOf, rejectionOf } from '../support/leak-check';
import { registerSentinel } from '../support/leak-guard';
import { sharedDynamo, sharedKms, uniqueTable } from '../support/stack';

// Issue 14, item 4 (abortSignal), KMS half: the call's signal also cancels the KMS requests made
// on its behalf, and a KMS request shared with other calls (data-key cache, DescribeKey) stops
// only the aborted caller's wait.

const SECRET = 'abort-kms-secret-Qw8r1v';
registerSentinel(SECRET);

const TABLE = uniqueTable('abortkms');
/** The KMS answer delay; an abort must win well before it. */
const LATENCY = 1_500;
/** How soon after the abort the call must have rejected. */
const PROMPT = 300;

@Entity({ table: TABLE, name: 'AbortKmsRow' })
class Row {
  declare [PrimaryKey]?: 'group' | 'n';

  @PartitionKey() group!: string;
  @SortKey() n!: number;
  @Attribute() label?: string;
  @Encrypted() secret?: string;
}

const row = (group: string, n: number) =>
  Object.assign(new Row(), { group, n, label: `row-${n}`, secret: SECRET });

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('abortSignal cancels the KMS requests of the call', function () {
  this.timeout(60_000);
  let kms: LocalKms;
  let keyId: string;
  let client: DynamoDBClient;
  let recorder: DynamoRecorder;
  let db: TheoryDb;
  let cached: TheoryDb;
  let nextGroup = 0;

  before(async () => {
    const dynamo = await sharedDynamo();
    kms = await sharedKms();
    keyId = await kms.createKey();
    client = dynamo.newClient({ maxAttempts: 1 });
    recorder = recordCommands(client);
    db = new TheoryDb({ dynamodb: client, kms: { client: kms.client(), keyId } });
    cached = new TheoryDb({
      dynamodb: client,
      kms: { client: kms.client(), keyId, cache: { maxAgeMs: 60_000, maxUses: 1000 } },
    });
    await db.createTable(Row);
    // Resolves both clients' key ARN, so the tests below meet KMS at the data-key request.
    await db.repository(Row).save(row('warm', 0));
    await cached.repository(Row).find({ group: 'warm', n: 0 });
  });
  afterEach(() => kms.setLatency(0));

  /** A group of rows saved by the uncached client: their data key is new to the cache. */
  async function freshRows(count: number): Promise<string> {
    const group = `g${nextGroup++}`;
    await db.repository(Row).batchSave(Array.from({ length: count }, (_, n) => row(group, n)));
    return group;
  }

  function expectAborted(error: unknown, operation: string): void {
    expect(error, String(error)).to.be.instanceOf(AbortedError);
    expect((error as AbortedError).code).to.equal('ABORTED');
    expect((error as AbortedError).operation).to.equal(operation);
    expectErrorFreeOf(error, [SECRET]);
  }

  async function until(condition: () => boolean): Promise<void> {
    const started = performance.now();
    while (!condition()) {
      if (performance.now() - started > LATENCY) throw new Error('condition not reached');
      await pause(5);
    }
  }

  /**
   * Starts `call`, aborts it once LocalKms has received its `kmsOperation` request (delayed by
   * LATENCY), and returns the rejection, how long it took after the abort, and the DynamoDB
   * commands sent before the abort.
   */
  async function abortDuring(
    kmsOperation: string,
    call: (signal: AbortSignal) => Promise<unknown>,
  ): Promise<{ error: unknown; afterAbortMs: number; sentBefore: string[] }> {
    kms.setLatency(LATENCY, { operation: kmsOperation });
    kms.resetCalls();
    recorder.clear();
    const controller = new AbortController();
    const pending = call(controller.signal);
    pending.catch(() => undefined);
    await until(() => kms.calls(kmsOperation) > 0);
    const sentBefore = recorder.names();
    const aborted = performance.now();
    controller.abort();
    const error = await rejectionOf(pending);
    return { error, afterAbortMs: performance.now() - aborted, sentBefore };
  }

  it('save aborted during GenerateDataKey: ABORTED at once, no PutItem, not retried', async () => {
    const item = row('save', 1);
    const { error, afterAbortMs, sentBefore } = await abortDuring(
      'GenerateDataKey',
      (abortSignal) => db.repository(Row).save(item, { abortSignal }),
    );
    expectAborted(error, 'save');
    expect(afterAbortMs).to.be.lessThan(PROMPT);
    expect(sentBefore).to.deep.equal([]);
    // The delayed answer would have come by now: still nothing sent, nothing retried.
    await pause(LATENCY);
    expect(recorder.names()).to.deep.equal([]);
    expect(kms.calls('GenerateDataKey')).to.equal(1);
    kms.setLatency(0);
    expect(await db.repository(Row).find({ group: 'save', n: 1 })).to.equal(undefined);
  });

  it('find aborted during Decrypt: ABORTED at once, no entity, not retried', async () => {
    const group = await freshRows(1);
    const { error, afterAbortMs, sentBefore } = await abortDuring('Decrypt', (abortSignal) =>
      db.repository(Row).find({ group, n: 0 }, { abortSignal }),
    );
    expectAborted(error, 'find');
    expect(afterAbortMs).to.be.lessThan(PROMPT);
    expect(sentBefore).to.deep.equal(['GetItemCommand']);
    await pause(LATENCY);
    expect(recorder.names()).to.deep.equal(['GetItemCommand']);
    expect(kms.calls('Decrypt')).to.equal(1);
  });

  it('query aborted during the Decrypt of its first page: ABORTED, no further page', async () => {
    const group = await freshRows(6);
    const { error, afterAbortMs, sentBefore } = await abortDuring('Decrypt', (abortSignal) =>
      db.repository(Row).query({ group }).pageSize(3).abortSignal(abortSignal).all(),
    );
    expectAborted(error, 'query');
    expect(afterAbortMs).to.be.lessThan(PROMPT);
    expect(sentBefore).to.deep.equal(['QueryCommand']);
    await pause(LATENCY);
    expect(recorder.names()).to.deep.equal(['QueryCommand']);
    expect(kms.calls('Decrypt')).to.equal(1);
  });

  it('after an aborted save, the next save and find work and are sealed as ever', async () => {
    for (const theory of [db, cached]) {
      const item = row('again', theory === db ? 1 : 2);
      const { error } = await abortDuring('GenerateDataKey', (abortSignal) =>
        theory.repository(Row).save(item, { abortSignal }),
      );
      expectAborted(error, 'save');
      kms.setLatency(0);
      await theory.repository(Row).save(item);
      const found = await db.repository(Row).find({ group: 'again', n: item.n });
      expect(found?.secret).to.equal(SECRET);
    }
  });

  it('cache on: two finds share one Decrypt; aborting one does not fail the other', async () => {
    const group = await freshRows(1);
    kms.setLatency(LATENCY, { operation: 'Decrypt' });
    kms.resetCalls();
    const controller = new AbortController();
    const repo = cached.repository(Row);
    const aborted = repo.find({ group, n: 0 }, { abortSignal: controller.signal });
    aborted.catch(() => undefined);
    const other = repo.find({ group, n: 0 });
    await until(() => kms.calls('Decrypt') > 0);
    const abortedAt = performance.now();
    controller.abort();
    expectAborted(await rejectionOf(aborted), 'find');
    expect(performance.now() - abortedAt).to.be.lessThan(PROMPT);
    expect((await other)?.secret).to.equal(SECRET);
    expect(kms.calls('Decrypt')).to.equal(1);
    // The shared answer is cached for later calls like any other.
    expect((await repo.find({ group, n: 0 }))?.secret).to.equal(SECRET);
    expect(kms.calls('Decrypt')).to.equal(1);
  });

  it('cache on: a find aborted alone stops waiting; its Decrypt still serves the next find', async () => {
    const group = await freshRows(1);
    const repo = cached.repository(Row);
    const { error, afterAbortMs } = await abortDuring('Decrypt', (abortSignal) =>
      repo.find({ group, n: 0 }, { abortSignal }),
    );
    expectAborted(error, 'find');
    expect(afterAbortMs).to.be.lessThan(PROMPT);
    expect((await repo.find({ group, n: 0 }))?.secret).to.equal(SECRET);
    expect(kms.calls('Decrypt')).to.equal(1);
  });

  it('DescribeKey is shared: one caller aborting while the ARN resolves does not fail another', async () => {
    const group = await freshRows(1);
    // A new client: its provider has no ARN resolved yet.
    const fresh = new TheoryDb({ dynamodb: client, kms: { client: kms.client(), keyId } });
    kms.setLatency(LATENCY, { operation: 'DescribeKey' });
    kms.resetCalls();
    const controller = new AbortController();
    const repo = fresh.repository(Row);
    const aborted = repo.find({ group, n: 0 }, { abortSignal: controller.signal });
    aborted.catch(() => undefined);
    const other = repo.find({ group, n: 0 });
    await until(() => kms.calls('DescribeKey') > 0);
    const abortedAt = performance.now();
    controller.abort();
    expectAborted(await rejectionOf(aborted), 'find');
    expect(performance.now() - abortedAt).to.be.lessThan(PROMPT);
    expect((await other)?.secret).to.equal(SECRET);
    expect(kms.calls('DescribeKey')).to.equal(1);
    expect(kms.calls('Decrypt')).to.equal(1);
  });

  it('one long-lived signal for many calls: no listener left on it, no MaxListeners warning', async () => {
    const { signal } = new AbortController();
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.name);
    process.on('warning', onWarning);
    try {
      for (const theory of [db, cached]) {
        const repo = theory.repository(Row);
        const group = `long${nextGroup++}`;
        // One save each: 30 data keys, 30 Decrypts in one query page.
        for (let n = 0; n < 30; n += 1) await repo.save(row(group, n), { abortSignal: signal });
        await repo.batchSave(
          Array.from({ length: 30 }, (_, n) => row(group, 100 + n)),
          { abortSignal: signal },
        );
        const all = await repo.query({ group }).abortSignal(signal).all();
        expect(all).to.have.length(60);
        expect(all.every((r) => r.secret === SECRET)).to.equal(true);
      }
      await pause(10);
    } finally {
      process.off('warning', onWarning);
    }
    expect(getEventListeners(signal, 'abort')).to.have.length(0);
    expect(warnings).to.deep.equal([]);
  });

  it('an already aborted signal makes 0 KMS requests, with or without the cache', async () => {
    const group = await freshRows(1);
    const abortSignal = AbortSignal.abort();
    const unresolved = new TheoryDb({ dynamodb: client, kms: { client: kms.client(), keyId } });
    kms.resetCalls();
    recorder.clear();
    for (const theory of [db, cached, unresolved]) {
      const repo = theory.repository(Row);
      expectAborted(await rejectionOf(repo.find({ group, n: 0 }, { abortSignal })), 'find');
      expectAborted(await rejectionOf(repo.save(row(group, 9), { abortSignal })), 'save');
    }
    expect(kms.calls()).to.equal(0);
    expect(recorder.names()).to.deep.equal([]);
  });
});
