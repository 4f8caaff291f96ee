/**
 * Soak test: mixed encrypted operations against DynamoDB Local and LocalKms (both on loopback),
 * with faults injected at a set rate, for a fixed time. Reports throughput, error counts by code,
 * heap growth and a final consistency check of the tables against what was acknowledged, and
 * exits non-zero when anything is inconsistent, untyped or leaked.
 *
 *   npm run soak -- --minutes 10 [--fault-rate 0.05] [--workers 8] [--seed 42]
 *   npx ts-node scripts/soak.ts --minutes 10
 *
 * Faults (each operation draws one with probability --fault-rate): a KMS exception (every mapped
 * name, on GenerateDataKey or Decrypt), a KMS connection reset, KMS latency beyond the client
 * timeout, a DynamoDB throttling error, or a storm of UnprocessedItems / UnprocessedKeys. All of
 * them fail before DynamoDB applies anything, so the expected state is exact: every acknowledged
 * write is in the table, every failed one is not.
 */
/* eslint-disable no-console -- a command-line tool: its report goes to the console. */
import 'reflect-metadata';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import {
  Attribute,
  BatchIncompleteError,
  Encrypted,
  Entity,
  PartitionKey,
  SortKey,
  TheoryDb,
  TheoryDbError,
  Version,
  type Repository,
} from '../src';
import { localStack, type LocalStack } from '../src/testing';
import { injectDynamoFaults } from '../spec/reliability/support/dynamo-faults';
import { Tally } from '../spec/crypto/fixtures/item-envelope-mutations';
import { seededRandom, type Random } from '../spec/reliability/support/random';
import { recordFigures } from '../spec/reliability/support/report';
import { SENTINELS, collectLeaks, installLeakGuard } from '../spec/support/leak-guard';

process.env.AWS_EC2_METADATA_DISABLED = 'true';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

@Entity({ table: 'soak-accounts', name: 'SoakAccount' })
class SoakAccount {
  @PartitionKey() id!: string;
  @Attribute() counter!: number;
  @Encrypted() secret!: string;
  @Version() version?: number;
}

@Entity({ table: 'soak-docs', name: 'SoakDoc' })
class SoakDoc {
  @PartitionKey() owner!: string;
  @SortKey() docId!: string;
  @Attribute() seq!: number;
  @Encrypted() payload!: string;
}

interface Options {
  minutes: number;
  faultRate: number;
  workers: number;
  seed: number;
}

function parseOptions(argv: readonly string[]): Options {
  const options: Options = {
    minutes: 1,
    faultRate: 0.05,
    workers: 8,
    seed: Math.floor(Math.random() * 2 ** 31),
  };
  for (let i = 0; i < argv.length; i += 1) {
    const flag = argv[i];
    const value = Number(argv[i + 1]);
    const need = (ok: boolean, what: string) => {
      if (!ok) throw new RangeError(`soak: ${flag} needs ${what}`);
    };
    switch (flag) {
      case '--minutes':
        need(Number.isFinite(value) && value > 0 && value <= 24 * 60, 'a number of minutes');
        options.minutes = value;
        break;
      case '--fault-rate':
        need(Number.isFinite(value) && value >= 0 && value <= 1, 'a rate between 0 and 1');
        options.faultRate = value;
        break;
      case '--workers':
        need(Number.isSafeInteger(value) && value >= 1 && value <= 64, 'an integer 1..64');
        options.workers = value;
        break;
      case '--seed':
        need(Number.isSafeInteger(value), 'an integer');
        options.seed = value >>> 0;
        break;
      default:
        throw new RangeError(`soak: unknown argument ${flag}`);
    }
    i += 1;
  }
  return options;
}

const ACCOUNTS = 24;
const DOCS_PER_WORKER = 40;
const KMS_TIMEOUT_MS = 250;
/** Every KMS exception name theorydb maps, and one it does not know. */
const KMS_EXCEPTIONS = [
  'AccessDeniedException',
  'NotFoundException',
  'DisabledException',
  'KMSInvalidStateException',
  'InvalidKeyUsageException',
  'ThrottlingException',
  'LimitExceededException',
  'KMSInternalException',
  'DependencyTimeoutException',
  'KeyUnavailableException',
  'IncorrectKeyException',
  'InvalidCiphertextException',
  'SomeFutureKmsException',
];
const KMS_OPERATIONS = ['GenerateDataKey', 'Decrypt'];

const secretFor = (id: string, version: number) => `${SENTINELS.ledger}:${id}:v${version}`;
const payloadFor = (owner: string, docId: string, seq: number) =>
  `${SENTINELS.card}:${owner}/${docId}#${seq}`;

/** What was acknowledged, per account: successful increments and versioned writes. */
interface AccountModel {
  increments: number;
  writes: number;
}

function forceGc(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

function heapMb(gc: () => void): number {
  gc();
  return process.memoryUsage().heapUsed / 1024 / 1024;
}

function codeOf(error: unknown): string {
  if (error instanceof TheoryDbError) return error.code;
  return `UNTYPED:${String((error as { name?: unknown } | null)?.name)}`;
}

class Soak {
  readonly ops = new Tally();
  readonly failedOps = new Tally();
  readonly errors = new Tally();
  readonly faults = new Tally();
  readonly anomalies: string[] = [];
  readonly accounts = new Map<string, AccountModel>();
  readonly docs: Map<string, number>[] = [];
  /** Reads checked against the acknowledged state while the run went on. */
  readsVerified = 0;
  private readonly accountRepo: Repository<SoakAccount>;
  private readonly docRepo: Repository<SoakDoc>;

  constructor(
    readonly options: Options,
    readonly stack: LocalStack,
    readonly db: TheoryDb,
    /** DynamoDB faults still to be applied, read by the fault proxy. */
    readonly pending: { throttles: number; storms: number },
  ) {
    this.accountRepo = db.repository(SoakAccount);
    this.docRepo = db.repository(SoakDoc);
  }

  anomaly(what: string): void {
    if (this.anomalies.length < 50) this.anomalies.push(what);
    else if (this.anomalies.length === 50) this.anomalies.push('... more anomalies left out');
  }

  injectFault(rng: Random): void {
    if (!rng.chance(this.options.faultRate)) return;
    const kms = this.stack.kms;
    const operation = rng.pick(KMS_OPERATIONS);
    switch (rng.int(5)) {
      case 0: {
        const name = rng.pick(KMS_EXCEPTIONS);
        kms.failNext(1, name, { operation });
        this.faults.add(`kms:${name}`);
        break;
      }
      case 1:
        kms.resetConnections(1, { operation });
        this.faults.add('kms:connectionReset');
        break;
      case 2:
        kms.setLatency(KMS_TIMEOUT_MS * 3, { operation });
        setTimeout(() => kms.setLatency(0, { operation }), 30);
        this.faults.add('kms:latencyBeyondTimeout');
        break;
      case 3:
        this.pending.throttles += rng.range(1, 3);
        this.faults.add('dynamodb:throttling');
        break;
      default:
        this.pending.storms += rng.range(1, 6);
        this.faults.add('dynamodb:unprocessedStorm');
        break;
    }
  }

  private model(id: string): AccountModel {
    let model = this.accounts.get(id);
    if (model === undefined) {
      model = { increments: 0, writes: 0 };
      this.accounts.set(id, model);
    }
    return model;
  }

  private async loadAccount(id: string): Promise<SoakAccount> {
    const account = await this.accountRepo.find({ id }, { consistent: true });
    if (account === undefined) {
      this.anomaly(`account ${id} is missing`);
      throw new Error('missing account');
    }
    this.readsVerified += 1;
    if (account.secret !== secretFor(id, account.version ?? 0)) {
      this.anomaly(`account ${id} v${account.version} holds another secret than its version's`);
    }
    return account;
  }

  async readModifyWrite(rng: Random): Promise<void> {
    const id = `a${rng.int(ACCOUNTS)}`;
    const account = await this.loadAccount(id);
    account.counter += 1;
    account.secret = secretFor(id, (account.version ?? 0) + 1);
    await this.accountRepo.save(account);
    const model = this.model(id);
    model.increments += 1;
    model.writes += 1;
  }

  async update(rng: Random): Promise<void> {
    const id = `a${rng.int(ACCOUNTS)}`;
    const { version = 0 } = await this.loadAccount(id);
    await this.accountRepo.update(
      { id },
      { set: { secret: secretFor(id, version + 1) }, add: { counter: 1 } },
      { expectedVersion: version, returnValues: 'none' },
    );
    const model = this.model(id);
    model.increments += 1;
    model.writes += 1;
  }

  async transaction(rng: Random): Promise<void> {
    const first = rng.int(ACCOUNTS);
    const ids = [`a${first}`, `a${(first + 1 + rng.int(ACCOUNTS - 1)) % ACCOUNTS}`];
    const accounts = await Promise.all(ids.map((id) => this.loadAccount(id)));
    await this.db.transaction((tx) => {
      for (const account of accounts) {
        account.counter += 1;
        account.secret = secretFor(account.id, (account.version ?? 0) + 1);
        tx.save(account);
      }
    });
    for (const id of ids) {
      const model = this.model(id);
      model.increments += 1;
      model.writes += 1;
    }
  }

  private docKeys(rng: Random, count: number): string[] {
    const ids = new Set<string>();
    while (ids.size < count) ids.add(`d${String(rng.int(DOCS_PER_WORKER)).padStart(2, '0')}`);
    return [...ids];
  }

  async batchSave(worker: number, rng: Random, nextSeq: () => number): Promise<void> {
    const owner = `w${worker}`;
    const docs = this.docKeys(rng, rng.range(1, 30)).map((docId) => {
      const seq = nextSeq();
      return Object.assign(new SoakDoc(), {
        owner,
        docId,
        seq,
        payload: payloadFor(owner, docId, seq),
      });
    });
    const model = this.docs[worker];
    try {
      await this.docRepo.batchSave(docs);
      for (const doc of docs) model.set(doc.docId, doc.seq);
    } catch (error) {
      if (error instanceof BatchIncompleteError) {
        for (const doc of (error as BatchIncompleteError<SoakDoc>).processed) {
          model.set(doc.docId, doc.seq);
        }
      }
      throw error;
    }
  }

  async batchDelete(worker: number, rng: Random): Promise<void> {
    const owner = `w${worker}`;
    const keys = this.docKeys(rng, rng.range(1, 10)).map((docId) => ({ owner, docId }));
    const model = this.docs[worker];
    try {
      await this.docRepo.batchDelete(keys);
      for (const key of keys) model.delete(key.docId);
    } catch (error) {
      if (error instanceof BatchIncompleteError) {
        for (const key of (error as BatchIncompleteError<{ docId: string }>).processed) {
          model.delete(key.docId);
        }
      }
      throw error;
    }
  }

  private checkDoc(worker: number, docId: string, found: SoakDoc | undefined, via: string): void {
    const expected = this.docs[worker].get(docId);
    this.readsVerified += 1;
    if (expected === undefined) {
      if (found !== undefined) this.anomaly(`${via}: w${worker}/${docId} was deleted but read`);
      return;
    }
    if (found === undefined) {
      this.anomaly(`${via}: w${worker}/${docId} seq ${expected} is missing`);
    } else if (
      found.seq !== expected ||
      found.payload !== payloadFor(`w${worker}`, docId, expected)
    ) {
      this.anomaly(`${via}: w${worker}/${docId} read seq ${found.seq}, expected ${expected}`);
    }
  }

  async batchFind(worker: number, rng: Random): Promise<void> {
    const owner = `w${worker}`;
    const ids = this.docKeys(rng, rng.range(1, 40));
    const found = await this.docRepo.batchFind(ids.map((docId) => ({ owner, docId })));
    ids.forEach((docId, i) => this.checkDoc(worker, docId, found[i], 'batchFind'));
  }

  async query(worker: number): Promise<void> {
    const owner = `w${worker}`;
    const found = await this.docRepo.query({ owner }).all();
    const byId = new Map(found.map((doc) => [doc.docId, doc]));
    if (byId.size !== found.length) this.anomaly(`query: w${worker} returned a doc twice`);
    for (let i = 0; i < DOCS_PER_WORKER; i += 1) {
      const docId = `d${String(i).padStart(2, '0')}`;
      this.checkDoc(worker, docId, byId.get(docId), 'query');
    }
  }

  async find(worker: number, rng: Random): Promise<void> {
    const [docId] = this.docKeys(rng, 1);
    this.checkDoc(worker, docId, await this.docRepo.find({ owner: `w${worker}`, docId }), 'find');
  }

  async worker(index: number, deadline: number): Promise<void> {
    const rng = seededRandom((this.options.seed + index * 7919) >>> 0);
    let seq = 0;
    const nextSeq = () => (seq += 1);
    const weighted: [string, number][] = [
      ['readModifyWrite', 18],
      ['update', 12],
      ['transaction', 8],
      ['batchSave', 14],
      ['batchDelete', 6],
      ['batchFind', 14],
      ['query', 10],
      ['find', 18],
    ];
    const totalWeight = weighted.reduce((sum, [, w]) => sum + w, 0);
    while (Date.now() < deadline) {
      this.injectFault(rng);
      let pick = rng.int(totalWeight);
      const [op] = weighted.find(([, w]) => (pick -= w) < 0) ?? weighted[0];
      try {
        switch (op) {
          case 'readModifyWrite':
            await this.readModifyWrite(rng);
            break;
          case 'update':
            await this.update(rng);
            break;
          case 'transaction':
            await this.transaction(rng);
            break;
          case 'batchSave':
            await this.batchSave(index, rng, nextSeq);
            break;
          case 'batchDelete':
            await this.batchDelete(index, rng);
            break;
          case 'batchFind':
            await this.batchFind(index, rng);
            break;
          case 'query':
            await this.query(index);
            break;
          default:
            await this.find(index, rng);
        }
        this.ops.add(op);
      } catch (error) {
        this.failedOps.add(op);
        this.errors.add(codeOf(error));
      }
    }
  }

  /** Compares the tables, read without faults, with what was acknowledged. */
  async consistency(clean: TheoryDb): Promise<Record<string, number>> {
    let accountsCompared = 0;
    let accountMismatches = 0;
    const accounts = clean.repository(SoakAccount);
    for (let i = 0; i < ACCOUNTS; i += 1) {
      const id = `a${i}`;
      const model = this.accounts.get(id) ?? { increments: 0, writes: 0 };
      const stored = await accounts.get({ id }, { consistent: true });
      accountsCompared += 1;
      if (
        stored.counter !== model.increments ||
        stored.version !== 1 + model.writes ||
        stored.secret !== secretFor(id, stored.version ?? 0)
      ) {
        accountMismatches += 1;
        this.anomaly(
          `final: ${id} counter ${stored.counter} v${stored.version}, acknowledged ` +
            `${model.increments} increments and ${model.writes} writes`,
        );
      }
    }
    const docs = await clean.repository(SoakDoc).scan().all();
    const seen = new Set<string>();
    let duplicated = 0;
    let unexpected = 0;
    let docMismatches = 0;
    for (const doc of docs) {
      const key = `${doc.owner}/${doc.docId}`;
      if (seen.has(key)) duplicated += 1;
      seen.add(key);
      const worker = Number(doc.owner.slice(1));
      const expected = this.docs[worker]?.get(doc.docId);
      if (expected === undefined) {
        unexpected += 1;
        this.anomaly(`final: ${key} is stored but was deleted or never acknowledged`);
      } else if (
        doc.seq !== expected ||
        doc.payload !== payloadFor(doc.owner, doc.docId, expected)
      ) {
        docMismatches += 1;
        this.anomaly(`final: ${key} holds seq ${doc.seq}, acknowledged ${expected}`);
      }
    }
    let lost = 0;
    let acknowledgedDocs = 0;
    this.docs.forEach((model, worker) => {
      for (const docId of model.keys()) {
        acknowledgedDocs += 1;
        if (!seen.has(`w${worker}/${docId}`)) {
          lost += 1;
          this.anomaly(`final: w${worker}/${docId} was acknowledged but is missing`);
        }
      }
    });
    const totalIncrements = [...this.accounts.values()].reduce((s, m) => s + m.increments, 0);
    return {
      accountsCompared,
      accountMismatches,
      acknowledgedIncrements: totalIncrements,
      docsStored: docs.length,
      docsAcknowledged: acknowledgedDocs,
      docsLost: lost,
      docsDuplicated: duplicated,
      docsUnexpected: unexpected,
      docMismatches,
    };
  }
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const runMs = options.minutes * 60_000;
  // The run stops by itself; this only guards against a hang in the final steps.
  const watchdog = setTimeout(
    () => {
      console.error('soak: watchdog fired, the run did not finish in time');
      process.exit(3);
    },
    runMs + 10 * 60_000,
  );
  watchdog.unref();
  installLeakGuard({ retainErrorForms: false });
  const gc = forceGc();

  console.log(
    `soak: ${options.minutes} min, fault rate ${options.faultRate}, ${options.workers} workers, ` +
      `seed ${options.seed}; starting DynamoDB Local and LocalKms on loopback`,
  );
  const stack = await localStack();
  try {
    const keyArn = await stack.kms.createKey({ alias: 'alias/soak' });
    const clean = new TheoryDb({
      dynamodb: stack.dynamo.client,
      kms: { client: stack.kms.client({ maxAttempts: 3 }), keyId: keyArn, timeoutMs: 10_000 },
    });
    await clean.createTable(SoakAccount);
    await clean.createTable(SoakDoc);
    for (let i = 0; i < ACCOUNTS; i += 1) {
      const id = `a${i}`;
      await clean
        .repository(SoakAccount)
        .save(Object.assign(new SoakAccount(), { id, counter: 0, secret: secretFor(id, 1) }));
    }

    const rng = seededRandom(options.seed);
    const client = stack.dynamo.newClient({ maxAttempts: 1 });
    const pending = { throttles: 0, storms: 0 };
    const faults = injectDynamoFaults(
      client,
      {
        throttle: () => {
          if (pending.throttles === 0) return false;
          pending.throttles -= 1;
          return true;
        },
        keep: (_command, requested) => {
          if (pending.storms === 0) return requested;
          pending.storms -= 1;
          return rng.int(requested);
        },
      },
      (item) => `${item.id?.S ?? item.owner?.S}/${item.docId?.S ?? ''}`,
    );
    const db = new TheoryDb({
      dynamodb: client,
      kms: {
        client: stack.kms.client({ maxAttempts: 1 }),
        keyId: keyArn,
        timeoutMs: KMS_TIMEOUT_MS,
      },
      batchRetry: { maxAttempts: 6, baseDelayMs: 2, maxDelayMs: 40 },
    });
    const soak = new Soak(options, stack, db, pending);
    for (let i = 0; i < options.workers; i += 1) soak.docs.push(new Map());

    // Warm up (the key ARN is resolved, the JIT settles) before the heap baseline.
    await db.repository(SoakAccount).find({ id: 'a0' });
    const heapStart = heapMb(gc);
    const heapSamples: { minute: number; mb: number }[] = [{ minute: 0, mb: heapStart }];
    const started = Date.now();
    const deadline = started + runMs;
    const sampler = setInterval(() => {
      const minute = (Date.now() - started) / 60_000;
      const mb = heapMb(gc);
      heapSamples.push({ minute, mb });
      const done = soak.ops.total() + soak.failedOps.total();
      console.log(
        `soak: ${minute.toFixed(1)} min, ${done} ops (${(done / ((Date.now() - started) / 1000)).toFixed(0)}/s), ` +
          `${soak.failedOps.total()} failed, heap ${mb.toFixed(1)} MB`,
      );
    }, 30_000);

    await Promise.all(Array.from({ length: options.workers }, (_, i) => soak.worker(i, deadline)));
    clearInterval(sampler);
    const seconds = (Date.now() - started) / 1000;
    faults.disable();
    stack.kms.clearFaults();
    const heapEnd = heapMb(gc);

    const consistency = await soak.consistency(clean);
    const leaks = collectLeaks();
    const completed = soak.ops.total();
    const failed = soak.failedOps.total();
    const untyped = Object.entries(soak.errors.toJSON())
      .filter(([code]) => code.startsWith('UNTYPED'))
      .reduce((sum, [, n]) => sum + n, 0);
    // The slope of the heap after the first minute, by least squares, in MB per minute.
    const later = heapSamples.filter((s) => s.minute >= 1);
    let slope = 0;
    if (later.length >= 2) {
      const mx = later.reduce((s, p) => s + p.minute, 0) / later.length;
      const my = later.reduce((s, p) => s + p.mb, 0) / later.length;
      const num = later.reduce((s, p) => s + (p.minute - mx) * (p.mb - my), 0);
      const den = later.reduce((s, p) => s + (p.minute - mx) ** 2, 0);
      slope = den === 0 ? 0 : num / den;
    }
    const report = {
      minutes: options.minutes,
      seconds,
      workers: options.workers,
      faultRate: options.faultRate,
      seed: options.seed,
      operations: completed + failed,
      succeeded: completed,
      failed,
      throughputPerSecond: Number(((completed + failed) / seconds).toFixed(1)),
      succeededPerSecond: Number((completed / seconds).toFixed(1)),
      operationsByKind: soak.ops.toJSON(),
      failedByKind: soak.failedOps.toJSON(),
      errorsByCode: soak.errors.toJSON(),
      faultsInjected: soak.faults.total(),
      faultsByKind: soak.faults.toJSON(),
      dynamoRequests: faults.requests.total(),
      dynamoThrottled: faults.throttled.total(),
      dynamoUnprocessedUnits: faults.unprocessedUnits,
      kmsRequests: stack.kms.calls(),
      heapStartMb: Number(heapStart.toFixed(1)),
      heapEndMb: Number(heapEnd.toFixed(1)),
      heapGrowthMb: Number((heapEnd - heapStart).toFixed(1)),
      heapSlopeMbPerMinute: Number(slope.toFixed(2)),
      heapSamplesMb: heapSamples.map((s) => Number(s.mb.toFixed(1))),
      readsVerifiedDuringRun: soak.readsVerified,
      consistency,
      untypedErrors: untyped,
      anomalies: soak.anomalies,
      leaksFound: leaks.length,
      leaks,
    };
    const ok =
      soak.anomalies.length === 0 &&
      untyped === 0 &&
      leaks.length === 0 &&
      consistency.accountMismatches === 0 &&
      consistency.docsLost === 0 &&
      consistency.docsDuplicated === 0 &&
      consistency.docsUnexpected === 0 &&
      consistency.docMismatches === 0;
    recordFigures('soak', { ...report, ok });
    console.log(`soak report:\n${JSON.stringify(report, null, 2)}`);
    console.log(
      `soak: ${ok ? 'PASSED' : 'FAILED'}: ${completed + failed} operations in ${seconds.toFixed(0)} s ` +
        `(${report.throughputPerSecond}/s), ${report.faultsInjected} faults injected, ` +
        `${consistency.accountsCompared} accounts and ${consistency.docsStored} docs compared, ` +
        `${consistency.docsLost} lost, ${consistency.docsDuplicated} duplicated, ` +
        `${untyped} untyped errors, ${leaks.length} leaks, heap ${report.heapGrowthMb >= 0 ? '+' : ''}${report.heapGrowthMb} MB`,
    );
    process.exitCode = ok ? 0 : 1;
  } finally {
    await stack.stop();
  }
}

main().catch((error: unknown) => {
  console.error('soak: failed to run:', error);
  process.exitCode = 2;
});
