import type { AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { expect } from 'chai';
import {
  Attribute,
  BatchIncompleteError,
  DynamoDbError,
  Encrypted,
  Entity,
  PartitionKey,
  SortKey,
  TheoryDb,
  TheoryDbError,
  Version,
  type Repository,
} from '../../src';
import type { LocalKms } from '../../src/testing';
import { scanAll } from '../batch/support/batch-clients';
import { recordCommands, type DynamoRecorder } from '../support/dynamo-recorder';
import { SENTINELS } from '../support/leak-guard';
import { expectNoPlaintext } from '../support/leak-check';
import { sharedDynamo, sharedKms, uniqueTable } from '../support/stack';
import { injectDynamoFaults, type DynamoFaultLog } from './support/dynamo-faults';
import { Tally } from '../crypto/fixtures/item-envelope-mutations';
import { fuzzSeed, seededRandom, type Random } from './support/random';
import { recordFigures } from './support/report';
import { SETTINGS, timeoutFor } from './support/settings';

// DynamoDB faults: a fault-injecting middleware in front of the real DynamoDB Local refuses
// requests with ProvisionedThroughputExceededException and answers batches with storms of
// UnprocessedItems / UnprocessedKeys. After every run the table (raw Scan) is compared with what
// the library acknowledged: zero lost, zero duplicated or resurrected items, every acknowledged
// write sent exactly once, and the number of requests within the configured retry bound.

type Item = Record<string, AttributeValue>;

@Entity({ table: uniqueTable('rel-dynamo-parts'), name: 'StormPart' })
class StormPart {
  @PartitionKey() batch!: string;
  @SortKey() id!: string;
  @Attribute() seq!: number;
  @Encrypted() secret!: string;
}

@Entity({ table: uniqueTable('rel-dynamo-counters'), name: 'StormCounter' })
class StormCounter {
  @PartitionKey() id!: string;
  @Attribute() value!: number;
  @Encrypted() note!: string;
  @Version() version?: number;
}

const RETRY = { maxAttempts: 8, baseDelayMs: 1, maxDelayMs: 4 };
const keyOf = (item: Item): string => `${item.batch?.S ?? item.id?.S}/${item.id?.S ?? ''}`;
const secretOf = (id: string, seq: number) => `${SENTINELS.card}:${id}:${seq}`;

interface Harness {
  db: TheoryDb;
  parts: Repository<StormPart>;
  counters: Repository<StormCounter>;
  faults: DynamoFaultLog;
  rec: DynamoRecorder;
  client: DynamoDBClient;
}

describe('reliability: DynamoDB throttling and UnprocessedItems storms (fault proxy + DynamoDB Local)', function () {
  const rounds = SETTINGS.stormRounds;
  this.timeout(timeoutFor(rounds, 3_000));

  let kms: LocalKms;
  let keyArn: string;
  let clean: TheoryDb;
  const harnesses: Harness[] = [];
  const figures = {
    rounds: 0,
    batchRequests: 0,
    throttledRequests: 0,
    unprocessedUnits: 0,
    itemsCompared: 0,
    acknowledged: 0,
    notAcknowledged: 0,
    lost: 0,
    duplicated: 0,
    outcomes: new Tally(),
  };

  /** A db on a dedicated client (no SDK retries) with the fault proxy and a recorder on it. */
  async function harness(
    throttle: (command: string) => boolean,
    keep: (command: string, requested: number) => number,
  ): Promise<Harness> {
    const client = (await sharedDynamo()).newClient({ maxAttempts: 1 });
    const rec = recordCommands(client);
    const faults = injectDynamoFaults(client, { throttle, keep }, keyOf);
    const db = new TheoryDb({
      dynamodb: client,
      kms: { client: kms.client(), keyId: keyArn },
      batchRetry: RETRY,
    });
    const h = {
      db,
      parts: db.repository(StormPart),
      counters: db.repository(StormCounter),
      faults,
      rec,
      client,
    };
    harnesses.push(h);
    return h;
  }

  /** Every stored part of `batch`, by id, with its seq (decrypted secrets checked too). */
  async function storedParts(batch: string): Promise<Map<string, number>> {
    const raw = (await scanAll(clean.repository(StormPart).metadata.table)).filter(
      (item) => item.batch.S === batch,
    );
    const ids = raw.map((item) => item.id.S!);
    expect(new Set(ids).size, 'an item stored twice').to.equal(ids.length);
    const loaded = await clean.repository(StormPart).batchFind(
      ids.map((id) => ({ batch, id })),
      { consistent: true },
    );
    const stored = new Map<string, number>();
    loaded.forEach((part, i) => {
      expect(part, ids[i]).not.to.equal(undefined);
      expect(part!.secret).to.equal(secretOf(part!.id, part!.seq));
      stored.set(part!.id, part!.seq);
    });
    return stored;
  }

  before(async () => {
    kms = await sharedKms();
    keyArn = await kms.createKey({ alias: `alias/${uniqueTable('rel-dynamo')}` });
    clean = new TheoryDb({
      dynamodb: (await sharedDynamo()).client,
      kms: { client: kms.client(), keyId: keyArn },
    });
    await clean.createTable(StormPart);
    await clean.createTable(StormCounter);
  });

  after(() => {
    for (const h of harnesses) {
      expectNoPlaintext(h.rec.bodies(), SENTINELS.card, 'a DynamoDB request body');
      h.client.destroy();
    }
    recordFigures('dynamo-faults', { ...figures, outcomes: figures.outcomes.toJSON() });
  });

  /**
   * Counts, before the assertions do, acknowledged items missing from the table (lost), items in
   * the table that were not acknowledged, and writes sent more than once (duplicated).
   */
  function tallyDifferences(
    stored: ReadonlyMap<string, number>,
    expected: ReadonlyMap<string, number>,
    written: readonly string[],
    faults: DynamoFaultLog,
  ): void {
    for (const [id, seq] of expected) if (stored.get(id) !== seq) figures.lost += 1;
    for (const id of stored.keys()) if (!expected.has(id)) figures.duplicated += 1;
    for (const key of written)
      if ((faults.forwardedWrites.get(key) ?? 0) > 1) figures.duplicated += 1;
  }

  /** Throttles with probability `p`, and trims batches to a random size with probability `q`. */
  function storm(rng: Random, p: number, q: number) {
    return {
      throttle: (command: string) => command.startsWith('Batch') && rng.chance(p),
      keep: (_command: string, requested: number) =>
        rng.chance(q) ? rng.int(requested + 1) : requested,
    };
  }

  it(`batchSave under ${rounds} rounds of storms: the table holds exactly what was acknowledged`, async () => {
    const seed = fuzzSeed();
    const rng = seededRandom(seed);
    for (let round = 0; round < rounds; round += 1) {
      const plan = storm(rng, rng.pick([0, 0.1, 0.3, 0.6]), rng.pick([0.3, 0.8, 1]));
      const h = await harness(plan.throttle, plan.keep);
      const batch = `save-${seed}-${round}`;
      const count = rng.range(1, 130);
      const entities = Array.from({ length: count }, (_, i) =>
        Object.assign(new StormPart(), {
          batch,
          id: `p${i}`,
          seq: i,
          secret: secretOf(`p${i}`, i),
        }),
      );
      let acknowledged: StormPart[];
      try {
        await h.parts.batchSave(entities);
        acknowledged = entities;
        figures.outcomes.add('batchSave:complete');
      } catch (error) {
        expect(error, `round ${round}, seed ${seed}`).to.be.instanceOf(BatchIncompleteError);
        const incomplete = error as BatchIncompleteError<StormPart>;
        expect(incomplete.processed.length + incomplete.unprocessed.length).to.equal(count);
        acknowledged = [...incomplete.processed];
        figures.outcomes.add('batchSave:BATCH_INCOMPLETE');
      }
      const stored = await storedParts(batch);
      const expected = new Map(acknowledged.map((e) => [e.id, e.seq]));
      tallyDifferences(
        stored,
        expected,
        entities.map((e) => `${batch}/${e.id}`),
        h.faults,
      );
      expect(stored, `round ${round}, seed ${seed}: table vs acknowledged`).to.deep.equal(expected);
      for (const entity of entities) {
        const sent = h.faults.forwardedWrites.get(`${batch}/${entity.id}`) ?? 0;
        expect(sent, `${entity.id} sent to DynamoDB`).to.equal(expected.has(entity.id) ? 1 : 0);
      }
      const requests = h.faults.requests.get('BatchWriteItemCommand');
      expect(requests, 'bounded retries').to.be.at.most(Math.ceil(count / 25) * RETRY.maxAttempts);
      figures.rounds += 1;
      figures.batchRequests += requests;
      figures.throttledRequests += h.faults.throttled.total();
      figures.unprocessedUnits += h.faults.unprocessedUnits;
      figures.itemsCompared += count;
      figures.acknowledged += acknowledged.length;
      figures.notAcknowledged += count - acknowledged.length;
    }
  });

  it(`batchDelete under ${rounds} rounds of storms: exactly the acknowledged deletes are gone`, async () => {
    const seed = fuzzSeed();
    const rng = seededRandom(seed);
    for (let round = 0; round < rounds; round += 1) {
      const batch = `delete-${seed}-${round}`;
      const count = rng.range(1, 120);
      const entities = Array.from({ length: count }, (_, i) =>
        Object.assign(new StormPart(), {
          batch,
          id: `p${i}`,
          seq: i,
          secret: secretOf(`p${i}`, i),
        }),
      );
      await clean.repository(StormPart).batchSave(entities);
      const plan = storm(rng, rng.pick([0, 0.2, 0.5]), rng.pick([0.3, 0.8, 1]));
      const h = await harness(plan.throttle, plan.keep);
      const doomed = entities.filter(() => rng.chance(0.7)).map((e) => ({ batch, id: e.id }));
      let deleted: { id: string }[];
      try {
        await h.parts.batchDelete(doomed);
        deleted = doomed;
        figures.outcomes.add('batchDelete:complete');
      } catch (error) {
        expect(error, `round ${round}, seed ${seed}`).to.be.instanceOf(BatchIncompleteError);
        deleted = [...(error as BatchIncompleteError<{ id: string }>).processed];
        figures.outcomes.add('batchDelete:BATCH_INCOMPLETE');
      }
      const gone = new Set(deleted.map((k) => k.id));
      const expected = new Map(entities.filter((e) => !gone.has(e.id)).map((e) => [e.id, e.seq]));
      const stored = await storedParts(batch);
      tallyDifferences(
        stored,
        expected,
        doomed.map((k) => `${batch}/${k.id}`),
        h.faults,
      );
      expect(stored, `round ${round}, seed ${seed}`).to.deep.equal(expected);
      for (const key of doomed) {
        expect(h.faults.forwardedWrites.get(`${batch}/${key.id}`) ?? 0).to.equal(
          gone.has(key.id) ? 1 : 0,
        );
      }
      figures.itemsCompared += count;
      figures.acknowledged += deleted.length;
      figures.notAcknowledged += doomed.length - deleted.length;
      figures.throttledRequests += h.faults.throttled.total();
      figures.unprocessedUnits += h.faults.unprocessedUnits;
      figures.batchRequests += h.faults.requests.get('BatchWriteItemCommand');
    }
  });

  it(`batchFind under ${rounds} rounds of storms: all of the keys or nothing, never a wrong item`, async () => {
    const seed = fuzzSeed();
    const rng = seededRandom(seed);
    const batch = `find-${seed}`;
    const entities = Array.from({ length: 150 }, (_, i) =>
      Object.assign(new StormPart(), { batch, id: `p${i}`, seq: i, secret: secretOf(`p${i}`, i) }),
    );
    await clean.repository(StormPart).batchSave(entities);
    for (let round = 0; round < rounds; round += 1) {
      const plan = storm(rng, rng.pick([0, 0.2, 0.5]), rng.pick([0.3, 0.8, 1]));
      const h = await harness(plan.throttle, plan.keep);
      const keys = Array.from({ length: rng.range(1, 220) }, () => ({
        batch,
        id: `p${rng.int(170)}`,
      }));
      try {
        const found = await h.parts.batchFind(keys);
        expect(found).to.have.length(keys.length);
        found.forEach((part, i) => {
          const seq = Number(keys[i].id.slice(1));
          if (seq >= 150) expect(part, keys[i].id).to.equal(undefined);
          else
            expect([part?.id, part?.seq, part?.secret]).to.deep.equal([
              keys[i].id,
              seq,
              secretOf(keys[i].id, seq),
            ]);
        });
        figures.outcomes.add('batchFind:complete');
      } catch (error) {
        expect(error, `round ${round}, seed ${seed}`).to.be.instanceOf(BatchIncompleteError);
        figures.outcomes.add('batchFind:BATCH_INCOMPLETE');
      }
      const distinct = new Set(keys.map((k) => k.id)).size;
      expect(h.faults.requests.get('BatchGetItemCommand')).to.be.at.most(
        Math.ceil(distinct / 100) * RETRY.maxAttempts,
      );
      figures.throttledRequests += h.faults.throttled.total();
      figures.unprocessedUnits += h.faults.unprocessedUnits;
      figures.batchRequests += h.faults.requests.get('BatchGetItemCommand');
    }
  });

  it('single operations throttled: DYNAMODB_THROTTLED (retryable), nothing applied; bounded retries end in exactly the acknowledged state', async () => {
    const seed = fuzzSeed();
    const rng = seededRandom(seed);
    const throttleRate = 0.4;
    const h = await harness(
      () => rng.chance(throttleRate),
      (_c, n) => n,
    );
    const ids = ['c0', 'c1', 'c2', 'c3'];
    for (const id of ids) {
      await clean
        .repository(StormCounter)
        .save(Object.assign(new StormCounter(), { id, value: 0, note: SENTINELS.card }));
    }
    const acked = new Map(ids.map((id) => [id, 0]));
    let throttled = 0;
    /** Runs `op` until it succeeds, at most 12 attempts, retrying only DYNAMODB_THROTTLED. */
    async function withRetry<R>(op: () => Promise<R>): Promise<R | undefined> {
      for (let attempt = 1; attempt <= 12; attempt += 1) {
        try {
          return await op();
        } catch (error) {
          expect(error, `seed ${seed}`).to.be.instanceOf(TheoryDbError);
          const code = (error as TheoryDbError).code;
          if (code === 'VERSION_CONFLICT') return undefined;
          expect(error).to.be.instanceOf(DynamoDbError);
          expect(code).to.equal('DYNAMODB_THROTTLED');
          expect((error as DynamoDbError).retryable).to.equal(true);
          throttled += 1;
        }
      }
      return undefined;
    }
    const operations = 120;
    for (let n = 0; n < operations; n += 1) {
      const id = rng.pick(ids);
      const loaded = await withRetry(() => h.counters.find({ id }, { consistent: true }));
      if (loaded === undefined) continue;
      switch (rng.int(3)) {
        case 0: {
          loaded.value += 1;
          if ((await withRetry(() => h.counters.save(loaded))) !== undefined) {
            acked.set(id, acked.get(id)! + 1);
          }
          break;
        }
        case 1: {
          const done = await withRetry(() =>
            h.counters
              .update(
                { id },
                { add: { value: 1 } },
                { expectedVersion: loaded.version, returnValues: 'none' },
              )
              .then(() => true),
          );
          if (done === true) acked.set(id, acked.get(id)! + 1);
          break;
        }
        default: {
          const other = ids[(ids.indexOf(id) + 1) % ids.length];
          const second = await withRetry(() =>
            h.counters.find({ id: other }, { consistent: true }),
          );
          if (second === undefined) break;
          loaded.value += 1;
          second.value += 1;
          const done = await withRetry(() =>
            h.db
              .transaction((tx) => {
                tx.save(loaded);
                tx.save(second);
              })
              .then(() => true),
          );
          if (done === true) {
            acked.set(id, acked.get(id)! + 1);
            acked.set(other, acked.get(other)! + 1);
          }
        }
      }
    }
    const counters = await clean.repository(StormCounter).batchFind(
      ids.map((id) => ({ id })),
      { consistent: true },
    );
    expect(
      new Map(counters.map((c) => [c!.id, c!.value])),
      `seed ${seed}: stored counters vs acknowledged increments`,
    ).to.deep.equal(acked);
    expect(counters.every((c) => c!.note === SENTINELS.card)).to.equal(true);
    expect(throttled, 'throttling errors seen').to.be.above(10);
    figures.throttledRequests += h.faults.throttled.total();
    figures.itemsCompared += ids.length;
    figures.outcomes.add('single:DYNAMODB_THROTTLED', throttled);
  });
});
