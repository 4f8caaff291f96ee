import { expect } from 'chai';
import {
  Attribute,
  Encrypted,
  Entity,
  PartitionKey,
  Signed,
  TheoryDb,
  TheoryDbError,
  Version,
  type Repository,
} from '../../src';
import { parseEnvelope } from '../../src/crypto/envelope';
import type { LocalKms } from '../../src/testing';
import { recordingDynamo, type DynamoRecorder } from '../support/dynamo-recorder';
import { SENTINELS } from '../support/leak-guard';
import { expectNoPlaintext } from '../support/leak-check';
import { sharedDynamo, sharedKms, uniqueTable } from '../support/stack';
import { Tally } from '../crypto/fixtures/item-envelope-mutations';
import { fuzzSeed, seededRandom, type Random } from './support/random';
import { recordFigures } from './support/report';
import { SETTINGS, timeoutFor } from './support/settings';

// Concurrency: many writers doing read-modify-write on a few versioned items, a re-sealing
// update() racing a save, and the opt-in data-key cache under concurrent load, against DynamoDB
// Local and LocalKms.

@Entity({ table: uniqueTable('rel-rmw'), name: 'RmwCounter' })
class RmwCounter {
  @PartitionKey() id!: string;
  @Attribute() value!: number;
  /** Written in the same PutItem as `value`: it must always describe the stored value. */
  @Encrypted() ledger!: string;
  @Version() version?: number;
}

@Entity({ table: uniqueTable('rel-cache'), name: 'CacheItem' })
class CacheItem {
  @PartitionKey() id!: string;
  @Encrypted() secret!: string;
}

/**
 * An entity whose update of `secret` re-seals the item's one envelope (format v2): `pin` is
 * sealed in the same envelope and `label` is bound by it, so an update that re-sealed a stale
 * read would silently put back the old `pin` (or bind the old `label`).
 */
@Entity({ table: uniqueTable('rel-race'), name: 'RaceAccount' })
class RaceAccount {
  @PartitionKey() id!: string;
  @Attribute() note?: string;
  @Signed() label?: string;
  @Encrypted() secret?: string;
  @Encrypted() pin?: string;
}

const ledgerFor = (id: string, value: number) => `${SENTINELS.ledger}:${id}=${value}`;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The envelopes' wrapped data keys (base64) in the PutItem bodies a recorder saw. */
function wrappedKeysSent(rec: DynamoRecorder, attribute: string): string[] {
  return rec.commands
    .filter((c) => c.name === 'PutItemCommand')
    .map((c) => {
      const item = (c.input as { Item: Record<string, { B?: Uint8Array }> }).Item;
      const [entry] = parseEnvelope(item[attribute].B!).entries;
      return entry.wrappedKey.toString('base64');
    });
}

function countBy(values: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return counts;
}

describe('reliability: concurrency (DynamoDB Local + LocalKms)', function () {
  const writers = SETTINGS.writers;
  const perWriter = SETTINGS.operationsPerWriter;
  this.timeout(timeoutFor(writers * perWriter, 40));

  let kms: LocalKms;
  let keyArn: string;

  before(async () => {
    kms = await sharedKms();
    keyArn = await kms.createKey({ alias: `alias/${uniqueTable('rel-conc')}` });
    const setup = new TheoryDb({ dynamodb: (await sharedDynamo()).client });
    await setup.createTable(RmwCounter);
    await setup.createTable(CacheItem);
    await setup.createTable(RaceAccount);
  });

  it(`${writers} writers x ${perWriter} read-modify-writes on versioned items: no lost update`, async () => {
    const seed = fuzzSeed();
    const items = Array.from({ length: 8 }, (_, i) => `k${i}`);
    const dynamo = await sharedDynamo();
    const client = dynamo.newClient({ maxAttempts: 1 });
    const db = new TheoryDb({
      dynamodb: client,
      kms: {
        client: kms.client(),
        keyId: keyArn,
        cache: { maxAgeMs: 10 * 60_000, maxUses: 500 },
      },
    });
    const repo: Repository<RmwCounter> = db.repository(RmwCounter);
    for (const id of items) {
      await repo.save(Object.assign(new RmwCounter(), { id, value: 0, ledger: ledgerFor(id, 0) }));
    }
    const acknowledged = new Map(items.map((id) => [id, 0]));
    const errors = new Tally();
    let conflicts = 0;
    let maxAttempts = 0;

    /** One increment, retried on VERSION_CONFLICT after a jittered, growing delay. */
    async function increment(rng: Random, id: string): Promise<void> {
      for (let attempt = 1; ; attempt += 1) {
        const current = await repo.get({ id }, { consistent: true });
        expect(current.ledger, 'the ledger describes the stored value').to.equal(
          ledgerFor(id, current.value),
        );
        current.value += 1;
        current.ledger = ledgerFor(id, current.value);
        try {
          await repo.save(current);
          acknowledged.set(id, acknowledged.get(id)! + 1);
          maxAttempts = Math.max(maxAttempts, attempt);
          return;
        } catch (error) {
          const code = error instanceof TheoryDbError ? error.code : 'UNTYPED';
          errors.add(code);
          if (code !== 'VERSION_CONFLICT') throw error;
          conflicts += 1;
          await sleep(rng.int(2 ** Math.min(attempt, 4)) + 1);
        }
      }
    }

    const startedAt = Date.now();
    await Promise.all(
      Array.from({ length: writers }, async (_, w) => {
        const rng = seededRandom((seed + w * 104_729) >>> 0);
        for (let n = 0; n < perWriter; n += 1) await increment(rng, rng.pick(items));
      }),
    );
    const seconds = (Date.now() - startedAt) / 1000;

    const stored = await Promise.all(items.map((id) => repo.get({ id }, { consistent: true })));
    const total = [...acknowledged.values()].reduce((a, b) => a + b, 0);
    expect(total, 'every operation was acknowledged').to.equal(writers * perWriter);
    for (const item of stored) {
      expect(item.value, `${item.id}: stored value vs acknowledged increments`).to.equal(
        acknowledged.get(item.id),
      );
      expect(item.version, `${item.id}: one version per acknowledged write`).to.equal(
        1 + acknowledged.get(item.id)!,
      );
      expect(item.ledger).to.equal(ledgerFor(item.id, item.value));
    }
    expect(Object.keys(errors.toJSON())).to.deep.equal(conflicts > 0 ? ['VERSION_CONFLICT'] : []);
    client.destroy();
    recordFigures('concurrency-rmw', {
      seed,
      writers,
      operationsPerWriter: perWriter,
      acknowledgedIncrements: total,
      finalSum: stored.reduce((sum, item) => sum + item.value, 0),
      itemsCompared: items.length,
      versionConflictsRetried: conflicts,
      maxAttemptsForOneIncrement: maxAttempts,
      lostUpdates: total - stored.reduce((sum, item) => sum + item.value, 0),
      seconds,
      incrementsPerSecond: Number((total / seconds).toFixed(1)),
    });
  });

  describe('an encrypted update() racing a save', () => {
    const rounds = 24;
    type Stored = Pick<RaceAccount, 'note' | 'label' | 'secret' | 'pin'>;
    const initial: Stored = { note: 'n0', label: 'l0', secret: 's0', pin: 'p0' };
    /**
     * The save's entity: read before the race, with its plain and sealed fields changed, and in
     * even rounds its signed one (odd rounds show a lost sealed value, even ones a stale binding).
     */
    const saved = (round: number): Stored => ({
      note: `n${round}`,
      label: round % 2 === 0 ? `l${round}` : initial.label,
      secret: 's0',
      pin: `${SENTINELS.ledger}:p${round}`,
    });
    /** Each serial order of the two writes: the only final states that lose neither write. */
    const serialOutcomes = (round: number): Record<string, Stored> => ({
      'update, then save': saved(round),
      'save, then update': { ...saved(round), secret: `${SENTINELS.token}:u${round}` },
    });

    let repo: Repository<RaceAccount>;
    let rec: DynamoRecorder;
    /** Run (once) just before the next UpdateItem is sent: forces a write into the race window. */
    let beforeNextUpdate: (() => Promise<unknown>) | undefined;

    before(async () => {
      rec = await recordingDynamo();
      rec.client.middlewareStack.add(
        (next, context) => async (args) => {
          const hook = beforeNextUpdate;
          if (context.commandName === 'UpdateItemCommand' && hook !== undefined) {
            beforeNextUpdate = undefined;
            await hook();
          }
          return next(args);
        },
        { step: 'initialize', priority: 'high', name: 'raceWindow' },
      );
      const db = new TheoryDb({
        dynamodb: rec.client,
        kms: { client: kms.client(), keyId: keyArn, cache: { maxAgeMs: 60_000, maxUses: 1000 } },
      });
      repo = db.repository(RaceAccount);
    });
    after(() => rec.client.destroy());

    async function finalState(id: string): Promise<Stored> {
      const { note, label, secret, pin } = await repo.get({ id }, { consistent: true });
      return { note, label, secret, pin };
    }

    function expectSerial(round: number, state: Stored): string {
      const outcomes = serialOutcomes(round);
      const match = Object.entries(outcomes).find(
        ([, outcome]) => JSON.stringify(outcome) === JSON.stringify(state),
      );
      expect(match, `round ${round}: a lost write (${JSON.stringify(state)})`).to.not.equal(
        undefined,
      );
      return match![0];
    }

    it('a save landing between the update’s read and its write: the update re-reads, re-seals and keeps both', async () => {
      const orders = new Tally();
      for (let round = 1; round <= 4; round += 1) {
        const id = `forced-${round}`;
        await repo.save(Object.assign(new RaceAccount(), { id, ...initial }));
        // The update reads the item, then (before its UpdateItem) the save replaces the item.
        beforeNextUpdate = () =>
          repo.save(Object.assign(new RaceAccount(), { id, ...saved(round) }));
        rec.clear();
        await repo.update({ id }, { set: { secret: `${SENTINELS.token}:u${round}` } });
        expect(beforeNextUpdate, 'the save ran inside the window').to.equal(undefined);
        const sent = rec.names();
        const state = await finalState(id);
        expect(state).to.deep.equal(serialOutcomes(round)['save, then update']);
        // Read, (save), conditional write refused, read again, write.
        expect(sent).to.deep.equal([
          'GetItemCommand',
          'PutItemCommand',
          'UpdateItemCommand',
          'GetItemCommand',
          'UpdateItemCommand',
        ]);
        orders.add(expectSerial(round, state));
        expectNoPlaintext(rec.bodies(), SENTINELS.token, 'a request body');
        expectNoPlaintext(rec.bodies(), SENTINELS.ledger, 'a request body');
      }
      expect(orders.get('save, then update')).to.equal(4);
    });

    it(`${rounds} rounds of Promise.all([update, save]): the final item is one of the two serial orders`, async () => {
      const rng = seededRandom(fuzzSeed());
      const orders = new Tally();
      let retries = 0;
      for (let round = 1; round <= rounds; round += 1) {
        const id = `race-${round}`;
        await repo.save(Object.assign(new RaceAccount(), { id, ...initial }));
        rec.clear();
        const delay = rng.int(4);
        const [updated, savedOk] = await Promise.allSettled([
          repo.update({ id }, { set: { secret: `${SENTINELS.token}:u${round}` } }),
          sleep(delay).then(() =>
            repo.save(Object.assign(new RaceAccount(), { id, ...saved(round) })),
          ),
        ]);
        expect(updated.status, `round ${round}: update`).to.equal('fulfilled');
        expect(savedOk.status, `round ${round}: save`).to.equal('fulfilled');
        retries += rec.count('GetItemCommand') - 1;
        orders.add(expectSerial(round, await finalState(id)));
      }
      expect(orders.total()).to.equal(rounds);
      recordFigures('concurrency-update-vs-save', {
        rounds,
        ...orders.toJSON(),
        updateRereadsAfterAConcurrentSave: retries,
      });
    });
  });

  describe('the data-key cache under concurrent load', () => {
    const saves = 400;
    const concurrency = 50;
    const maxUses = 25;

    async function saveConcurrently(repo: Repository<CacheItem>, prefix: string): Promise<void> {
      let next = 0;
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (next < saves) {
            const i = next;
            next += 1;
            await repo.save(
              Object.assign(new CacheItem(), { id: `${prefix}-${i}`, secret: SENTINELS.token }),
            );
          }
        }),
      );
    }

    it(`${saves} saves, ${concurrency} at a time: misses share one GenerateDataKey, no key serves more than maxUses`, async () => {
      const rec = await recordingDynamo();
      const db = new TheoryDb({
        dynamodb: rec.client,
        kms: { client: kms.client(), keyId: keyArn, cache: { maxAgeMs: 60_000, maxUses } },
      });
      const repo = db.repository(CacheItem);
      await repo.find({ id: 'warm-up' }); // resolves the key ARN
      kms.resetCalls();
      await saveConcurrently(repo, 'enc');
      const uses = countBy(wrappedKeysSent(rec, '__td'));
      const generated = kms.calls('GenerateDataKey');
      expect(generated, 'one GenerateDataKey per data key used').to.equal(uses.size);
      expect(uses.size, 'the fewest data keys maxUses allows').to.equal(Math.ceil(saves / maxUses));
      expect(Math.max(...uses.values())).to.equal(maxUses);
      expect([...uses.values()].reduce((a, b) => a + b, 0)).to.equal(saves);
      expectNoPlaintext(rec.bodies(), SENTINELS.token, 'a PutItem body');

      // Reading them back with cold caches, concurrently: one Decrypt per wrapped key when
      // maxUses covers its values, and ceil(values / maxUses) when it does not.
      const figures: Record<string, number> = {
        saves,
        concurrency,
        maxUses,
        generateDataKeyCalls: generated,
        dataKeysUsed: uses.size,
        maxValuesPerDataKey: Math.max(...uses.values()),
      };
      for (const readMaxUses of [maxUses, 10]) {
        const reader = new TheoryDb({
          dynamodb: rec.client,
          kms: {
            client: kms.client(),
            keyId: keyArn,
            cache: { maxAgeMs: 60_000, maxUses: readMaxUses },
          },
        }).repository(CacheItem);
        await reader.find({ id: 'warm-up' });
        kms.resetCalls();
        const found = await Promise.all(
          Array.from({ length: saves }, (_, i) => reader.get({ id: `enc-${i}` })),
        );
        expect(found.every((item) => item.secret === SENTINELS.token)).to.equal(true);
        const expectedDecrypts = [...uses.values()].reduce(
          (sum, n) => sum + Math.ceil(n / readMaxUses),
          0,
        );
        expect(kms.calls('Decrypt'), `Decrypt calls with maxUses ${readMaxUses}`).to.equal(
          expectedDecrypts,
        );
        figures[`decryptCallsWithMaxUses${readMaxUses}`] = kms.calls('Decrypt');
      }
      rec.client.destroy();
      recordFigures('concurrency-data-key-cache', figures);
    });
  });
});
