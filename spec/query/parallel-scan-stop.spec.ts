import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { KMSClient } from '@aws-sdk/client-kms';
import { expect } from 'chai';
import {
  Attribute,
  DynamoDbError,
  Encrypted,
  Entity,
  PartitionKey,
  type Repository,
  TheoryDb,
} from '../../src';
import { sharedDynamo, sharedKms, uniqueTable } from '../support/stack';
import { expectCode, rejection } from './fixtures';

@Entity({ table: uniqueTable('scan-stop'), name: 'StopRow' })
class StopRow {
  @PartitionKey() id!: string;
  @Attribute() n!: number;
}

@Entity({ table: uniqueTable('scan-stop-secrets'), name: 'StopSecret' })
class StopSecret {
  @PartitionKey() id!: string;
  @Encrypted() token!: string;
}

/** One request as the slow-down middleware saw it. */
interface SentRequest {
  readonly segment: number | undefined;
  /** The abort signal the library passed fired while the request was running. */
  aborted: boolean;
  /** `performance.now()` when the request settled; undefined while it runs. */
  settledAt: number | undefined;
  /** 'ok', or the `name` of the error it failed with. */
  outcome: string;
}

/** What the middleware does to the `nth` request (0-based) of its kind. */
type RequestPlan = (request: { segment: number | undefined; nth: number }) => {
  /** Wait before sending; an abort during the wait ends it (after {@link TEARDOWN_MS}). */
  readonly delayMs?: number;
  /** Wait after the answer, ignoring any abort: an answer already on its way. */
  readonly lateMs?: number;
  /** Refuse the request with a throttling error, retries exhausted. */
  readonly throttle?: boolean;
};

/**
 * How long an aborted request takes to settle. The SDK's handler rejects at once; a little lag
 * (a socket closing) is what lets a test tell "aborted and awaited" from "aborted and left
 * running": without the wait, the loop would exit first.
 */
const TEARDOWN_MS = 40;
/** Long enough that no test can pass by waiting for a slow request to finish on its own. */
const SLOW_MS = 5_000;

function throttlingError(): Error {
  return Object.assign(new Error('The level of configured provisioned throughput was exceeded.'), {
    name: 'ProvisionedThroughputExceededException',
    $fault: 'client',
    $metadata: { httpStatusCode: 400, attempts: 1 },
  });
}

function abortError(): Error {
  return Object.assign(new Error('Request aborted'), { name: 'AbortError' });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves after `ms`, or rejects with an AbortError {@link TEARDOWN_MS} after `signal` fires. */
function slow(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    function onAbort() {
      clearTimeout(timer);
      setTimeout(() => reject(abortError()), TEARDOWN_MS);
    }
    if (signal?.aborted === true) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * A middleware on `client` (dedicated to the test) that records every request of `command`,
 * whether the abort signal the library passed to `send` fired, and when the request settled, and
 * that delays or fails requests as `plan` says. At the `initialize` step: it sees the whole
 * `send`, retries included.
 */
function watchRequests(
  client: DynamoDBClient | KMSClient,
  command: string,
): { readonly sent: SentRequest[]; plan: RequestPlan } {
  const watch = { sent: [] as SentRequest[], plan: (() => ({})) as RequestPlan };
  // Both clients take the same middleware; only their command types differ, which it ignores.
  (client as DynamoDBClient).middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== command) return next(args);
      const segment = (args.input as { Segment?: number }).Segment;
      const step = watch.plan({ segment, nth: watch.sent.length });
      const request: SentRequest = { segment, aborted: false, settledAt: undefined, outcome: '' };
      watch.sent.push(request);
      const signal = context.__smithy_context?.abortSignal as AbortSignal | undefined;
      const onAbort = () => {
        request.aborted = true;
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      try {
        await slow(step.delayMs ?? 0, signal);
        if (step.throttle === true) throw throttlingError();
        const result = await next(args);
        await sleep(step.lateMs ?? 0);
        request.outcome = 'ok';
        return result;
      } catch (error) {
        request.outcome = (error as Error).name;
        throw error;
      } finally {
        request.settledAt = performance.now();
        signal?.removeEventListener('abort', onAbort);
      }
    },
    { step: 'initialize', name: `scanStopSpecWatch${command}` },
  );
  return watch;
}

describe('a parallel scan stopped early (DynamoDB Local)', () => {
  let scans: ReturnType<typeof watchRequests>;
  let rows: Repository<StopRow>;
  const ROWS = 40;
  const allIds = Array.from({ length: ROWS }, (_, i) => `r${String(i).padStart(2, '0')}`);
  const unhandled: unknown[] = [];
  /** The error codes of the operations logged as failed. */
  const failedCodes: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);

  before(async () => {
    const client = (await sharedDynamo()).newClient({ maxAttempts: 1 });
    scans = watchRequests(client, 'ScanCommand');
    const logger = { warn: (details: Record<string, unknown>) => failedCodes.push(details.code) };
    const db = new TheoryDb({ dynamodb: client, logger });
    await db.createTable(StopRow, { ifNotExists: true });
    rows = db.repository(StopRow);
    await Promise.all(allIds.map((id, n) => rows.save(Object.assign(new StopRow(), { id, n }))));
    process.on('unhandledRejection', onUnhandled);
  });

  after(() => {
    process.off('unhandledRejection', onUnhandled);
  });

  beforeEach(() => {
    scans.sent.length = 0;
    scans.plan = () => ({});
    unhandled.length = 0;
    failedCodes.length = 0;
  });

  /** Segment 0's requests answer at once, every other request is slow. */
  const onlySegmentZeroAnswers: RequestPlan = ({ segment }) =>
    segment === 0 ? {} : { delayMs: SLOW_MS };

  /**
   * Asserts that, when the caller got control back at `exitedAt`, nothing was running, exactly
   * `aborted` requests had been aborted (and failed with AbortError), nothing leaked out as an
   * unhandled rejection, and only the real `failures` were logged (an abort is no outage); then
   * that a plain scan still reads every row.
   */
  async function expectStoppedCleanly(
    exitedAt: number,
    aborted: number,
    running: number,
    failures: string[] = [],
  ) {
    expect(running, 'requests still running when the loop exited').to.equal(0);
    const late = scans.sent.filter((r) => r.settledAt === undefined || r.settledAt > exitedAt);
    expect(late, 'requests settled after the loop exited').to.have.length(0);
    const abortedRequests = scans.sent.filter((r) => r.aborted);
    expect(abortedRequests).to.have.length(aborted);
    expect(abortedRequests.every((r) => r.outcome === 'AbortError')).to.equal(true);
    await sleep(TEARDOWN_MS * 2);
    expect(unhandled).to.deep.equal([]);
    expect(failedCodes).to.deep.equal(failures);
    scans.plan = () => ({});
    const all = await rows.scan().segments(4).pageSize(2).all();
    expect(all.map((r) => r.id).sort()).to.deep.equal(allIds);
  }

  const stillRunning = () => scans.sent.filter((r) => r.settledAt === undefined).length;

  it('break after the first item aborts the other in-flight requests and waits for them', async () => {
    scans.plan = onlySegmentZeroAnswers;
    const started = performance.now();
    const seen: StopRow[] = [];
    for await (const row of rows.scan().segments(4, { concurrency: 4 }).pageSize(2)) {
      seen.push(row);
      break;
    }
    const exitedAt = performance.now();
    const running = stillRunning();
    expect(seen).to.have.length(1);
    expect(exitedAt - started).to.be.below(SLOW_MS / 2);
    // One request per segment was in flight; segment 0's answered, the other 3 were aborted.
    expect(scans.sent.map((r) => r.segment).sort()).to.deep.equal([0, 1, 2, 3]);
    await expectStoppedCleanly(exitedAt, 3, running);
  });

  it('a limit reached mid-page stops like a break', async () => {
    scans.plan = onlySegmentZeroAnswers;
    const limited = await rows.scan().segments(4, { concurrency: 4 }).pageSize(5).limit(3).all();
    const exitedAt = performance.now();
    const running = stillRunning();
    expect(limited).to.have.length(3);
    expect(scans.sent).to.have.length(4);
    await expectStoppedCleanly(exitedAt, 3, running);
  });

  it('an error thrown by the consumer reaches it unchanged, the others aborted and awaited', async () => {
    scans.plan = onlySegmentZeroAnswers;
    const mine = new Error('consumer failure');
    const error = await rejection(async () => {
      for await (const _row of rows.scan().segments(3, { concurrency: 3 }).pageSize(2)) throw mine;
    });
    const exitedAt = performance.now();
    const running = stillRunning();
    expect(error).to.equal(mine);
    await expectStoppedCleanly(exitedAt, 2, running);
  });

  it('a failing segment gives the consumer its typed error, not an abort, and stops the others', async () => {
    scans.plan = ({ segment }) => (segment === 2 ? { throttle: true } : { delayMs: SLOW_MS });
    const error = await rejection(async () => {
      for await (const _row of rows.scan().segments(4, { concurrency: 4 }).pageSize(2)) {
        expect.fail('no segment answered');
      }
    });
    const exitedAt = performance.now();
    const running = stillRunning();
    expectCode(error, DynamoDbError, 'DYNAMODB_THROTTLED');
    expect((error as DynamoDbError).awsName).to.equal('ProvisionedThroughputExceededException');
    expect(scans.sent.find((r) => r.segment === 2)?.outcome).to.equal(
      'ProvisionedThroughputExceededException',
    );
    await expectStoppedCleanly(exitedAt, 3, running, ['DYNAMODB_THROTTLED']);
  });

  it('count() stops at its limit, and on a failing segment, leaving nothing running', async () => {
    scans.plan = onlySegmentZeroAnswers;
    const counted = await rows.scan().segments(4, { concurrency: 4 }).pageSize(2).limit(3).count();
    let exitedAt = performance.now();
    let running = stillRunning();
    expect(counted).to.equal(3);
    await expectStoppedCleanly(exitedAt, 3, running);

    scans.sent.length = 0;
    failedCodes.length = 0;
    scans.plan = ({ segment }) => (segment === 1 ? { throttle: true } : { delayMs: SLOW_MS });
    const error = await rejection(() => rows.scan().segments(4, { concurrency: 4 }).count());
    exitedAt = performance.now();
    running = stillRunning();
    expectCode(error, DynamoDbError, 'DYNAMODB_THROTTLED');
    await expectStoppedCleanly(exitedAt, 3, running, ['DYNAMODB_THROTTLED']);
  });

  it('page() with a failing segment gives its typed error and leaves nothing running', async () => {
    scans.plan = ({ segment }) => (segment === 3 ? { throttle: true } : { delayMs: SLOW_MS });
    const error = await rejection(() =>
      rows.scan().segments(4, { concurrency: 4 }).page({ size: 2 }),
    );
    const exitedAt = performance.now();
    const running = stillRunning();
    expectCode(error, DynamoDbError, 'DYNAMODB_THROTTLED');
    await expectStoppedCleanly(exitedAt, 3, running, ['DYNAMODB_THROTTLED']);
  });
});

describe('a parallel scan of encrypted items stopped early (DynamoDB Local + LocalKms)', () => {
  let scans: ReturnType<typeof watchRequests>;
  let decrypts: ReturnType<typeof watchRequests>;
  let secrets: Repository<StopSecret>;
  // Long enough that the orderings below hold with wide margins on a loaded machine.
  const DECRYPT_MS = 1000;

  before(async () => {
    const kms = await sharedKms();
    const alias = `alias/scan-stop-spec-${process.pid}`;
    await kms.createKey({ alias });
    const kmsClient = kms.client();
    decrypts = watchRequests(kmsClient, 'DecryptCommand');
    const client = (await sharedDynamo()).newClient({ maxAttempts: 1 });
    scans = watchRequests(client, 'ScanCommand');
    const db = new TheoryDb({ dynamodb: client, kms: { client: kmsClient, keyId: alias } });
    await db.createTable(StopSecret, { ifNotExists: true });
    secrets = db.repository(StopSecret);
    await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        secrets.save(Object.assign(new StopSecret(), { id: `s${i}`, token: `tok-${i}` })),
      ),
    );
  });

  beforeEach(() => {
    scans.sent.length = 0;
    decrypts.sent.length = 0;
    decrypts.plan = () => ({ delayMs: DECRYPT_MS });
  });

  it('waits for a page still being decrypted when the consumer breaks', async () => {
    // Segment 1's page arrives while segment 0's is being decrypted, so it is being decrypted
    // itself when the consumer breaks: it cannot be aborted, only awaited.
    scans.plan = ({ segment }) => (segment === 0 ? {} : { delayMs: DECRYPT_MS / 4 });
    for await (const secret of secrets.scan().segments(2, { concurrency: 2 }).pageSize(1)) {
      expect(secret.token).to.match(/^tok-/);
      break;
    }
    const exitedAt = performance.now();
    expect(scans.sent.map((r) => [r.segment, r.outcome])).to.deep.equal([
      [0, 'ok'],
      [1, 'ok'],
    ]);
    expect(decrypts.sent).to.have.length(2);
    const late = decrypts.sent.filter((r) => r.settledAt === undefined || r.settledAt > exitedAt);
    expect(late, 'decryptions still running when the loop exited').to.have.length(0);
  });

  it('does not decrypt a page whose answer arrives after the stop', async () => {
    // Segment 1's answer was already on its way when the scan stopped: the SDK delivers it, but
    // nobody will read it, so no key is unwrapped for it.
    scans.plan = ({ segment }) => (segment === 0 ? {} : { lateMs: DECRYPT_MS * 2 });
    for await (const _secret of secrets.scan().segments(2, { concurrency: 2 }).pageSize(1)) break;
    const exitedAt = performance.now();
    expect(scans.sent.every((r) => r.settledAt !== undefined && r.settledAt <= exitedAt)).to.equal(
      true,
    );
    expect(scans.sent.find((r) => r.segment === 1)?.aborted).to.equal(true);
    expect(decrypts.sent).to.have.length(1);
  });
});
