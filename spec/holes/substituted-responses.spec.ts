import { type DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { expect } from 'chai';
import * as theorydb from '../../src';
import {
  Attribute,
  BatchIncompleteError,
  Encrypted,
  Entity,
  Index,
  PartitionKey,
  PrimaryKey,
  SortKey,
  TheoryDb,
  TheoryDbError,
  type TheoryDbLogger,
} from '../../src';
import type { LocalKms } from '../../src/testing/local-kms';
import { expectErrorFreeOf, expectNoPlaintext } from '../support/leak-check';
import { registerSentinel } from '../support/leak-guard';
import { sharedDynamo, sharedKms, uniqueTable } from '../support/stack';
import {
  installResponseReplay,
  type RecordedResponse,
  type ResponseReplay,
} from './support/response-replay';

// Hole 5 of issue 10: the network path to DynamoDB is not trusted. A genuine response for another
// key (same table, same entity, same KMS key) replayed to a read made get/find, query,
// transactFind and update ALL_NEW return another user's item, its secrets decrypted: their
// associated data matches the item's own key, which nobody compared with the key asked for.
// Every read must now refuse such a response with ResponseMismatchError (RESPONSE_MISMATCH),
// before anything is decrypted, naming the attribute that differed but never a value.

const SECRETS = {
  aliceA: 'hole5-secret-ALICE-A-9f2c1e',
  aliceM: 'hole5-secret-ALICE-M-4b7d0a',
  bobA: 'hole5-secret-BOB-A-c3e8f1',
  carol: 'hole5-secret-CAROL-6a1f2b',
} as const;
/** Key values of the items: none may appear in an error or a log record either. */
const OWNERS = {
  alice: 'owner-alice-5d1e7c',
  bob: 'owner-bob-8e2f4a',
  carol: 'owner-carol-1c9b3d',
  dave: 'owner-dave-2a8e6f',
} as const;
const TEAMS = { red: 'team-red-3f7a', blue: 'team-blue-6c2e' } as const;
for (const secret of Object.values(SECRETS)) registerSentinel(secret);

@Entity({ table: uniqueTable('hole-substituted'), name: 'SubstitutedVault' })
class Vault {
  declare [PrimaryKey]?: 'owner' | 'slot';

  @PartitionKey() owner!: string;
  @SortKey() slot!: string;
  @Index('byTeam', { partition: true }) @Attribute() team!: string;
  @Index('byTeam', { sort: true }) @Attribute() rank!: number;
  @Attribute() note?: string;
  @Encrypted() secret!: string;
}

function vault(owner: string, slot: string, team: string, rank: number, secret: string): Vault {
  return Object.assign(new Vault(), { owner, slot, team, rank, secret });
}

const ITEMS = [
  vault(OWNERS.alice, 'a', TEAMS.red, 9, SECRETS.aliceA),
  vault(OWNERS.alice, 'm', TEAMS.red, 10, SECRETS.aliceM),
  vault(OWNERS.bob, 'a', TEAMS.blue, 9.5, SECRETS.bobA),
  // U+E000 sorts after U+1F600 in UTF-16 code units but before it in UTF-8 bytes (DynamoDB's
  // order): a check comparing JavaScript strings would refuse genuine responses here.
  vault(OWNERS.carol, '\uE000', TEAMS.blue, 1, SECRETS.carol),
  vault(OWNERS.carol, '\u{1F600}', TEAMS.blue, 2, SECRETS.carol),
];

const ALL_SECRETS = Object.values(SECRETS);
const ALL_KEY_VALUES = [...Object.values(OWNERS), ...Object.values(TEAMS)];

type Loose = Record<string, unknown>;

describe('hole 5: a substituted DynamoDB response is refused, never decrypted', function () {
  this.timeout(60_000);
  let kms: LocalKms;
  let client: DynamoDBClient;
  let replay: ResponseReplay;
  let db: TheoryDb;
  let records: Loose[];
  /** Rewrites the next parsed output of a command (for responses DynamoDB Local never sends). */
  let alterNext: { command: string; alter: (output: Loose) => Loose } | undefined;

  before(async () => {
    const dynamo = await sharedDynamo();
    kms = await sharedKms();
    const keyId = await kms.createKey();
    client = dynamo.newClient({ maxAttempts: 1 });
    replay = installResponseReplay(client);
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const result = await next(args);
        if (alterNext === undefined || alterNext.command !== context.commandName) return result;
        const { alter } = alterNext;
        alterNext = undefined;
        const output = alter(result.output as unknown as Loose);
        return { ...result, output: output as unknown as typeof result.output };
      },
      { step: 'initialize', name: 'holeSpecAlterOutput' },
    );
    records = [];
    const logger: TheoryDbLogger = {
      debug: (details) => records.push({ level: 'debug', ...details }),
      warn: (details) => records.push({ level: 'warn', ...details }),
    };
    db = new TheoryDb({ dynamodb: client, kms: { client: kms.client(), keyId }, logger });
    await db.createTable(Vault);
    const repo = db.repository(Vault);
    for (const item of ITEMS) await repo.save(item);
  });
  beforeEach(() => {
    records.length = 0;
    kms.resetCalls();
  });

  const repo = () => db.repository(Vault);

  /** The genuine HTTP response DynamoDB sends to `send` (a read of someone else's data). */
  async function genuine(command: string, send: () => Promise<unknown>): Promise<RecordedResponse> {
    return (await replay.record(command, send)).response;
  }

  /**
   * Runs `victim` with its `command`'s response replaced by `response`, and checks that it was
   * refused with RESPONSE_MISMATCH naming `attribute`, that nothing was decrypted (no Decrypt
   * at all), and that no secret or key value reached the error or the logger.
   */
  async function expectRefused(
    command: string,
    response: RecordedResponse,
    victim: () => Promise<unknown>,
    expected: { operation: string; attribute?: string },
  ): Promise<void> {
    const before = replay.replaced;
    kms.resetCalls();
    records.length = 0;
    replay.replayNext(command, response);
    const error = (await refusal(victim())) as Loose;
    expect(replay.replaced - before, 'the response was substituted').to.equal(1);
    expect(error, String(error.name)).to.be.instanceOf(TheoryDbError);
    expect(error.name).to.equal('ResponseMismatchError');
    expect(error.code).to.equal('RESPONSE_MISMATCH');
    expect(error.operation).to.equal(expected.operation);
    expect(error.entity).to.equal('SubstitutedVault');
    expect(error.table).to.equal(repo().metadata.table);
    if (expected.attribute !== undefined) expect(error.attribute).to.equal(expected.attribute);
    const json = JSON.parse(JSON.stringify(error)) as Loose;
    expect(json.code).to.equal('RESPONSE_MISMATCH');
    expect(kms.calls('Decrypt'), 'nothing of the substituted item was decrypted').to.equal(0);
    expectErrorFreeOf(error, [...ALL_SECRETS, ...ALL_KEY_VALUES]);
    const logged = JSON.stringify(records);
    expect(records.map((r) => r.code)).to.deep.equal(['RESPONSE_MISMATCH']);
    for (const value of [...ALL_SECRETS, ...ALL_KEY_VALUES]) {
      expectNoPlaintext(logged, value, 'a log record');
    }
  }

  it('the error class is exported from the main entry', () => {
    const exported = (theorydb as unknown as Loose).ResponseMismatchError as
      (abstract new (...args: never[]) => unknown) | undefined;
    expect(exported, 'ResponseMismatchError').to.be.a('function');
    expect((exported as unknown as { prototype: unknown }).prototype).to.be.instanceOf(
      TheoryDbError,
    );
  });

  it('find: a response for another key is refused', async () => {
    const bob = await genuine('GetItemCommand', () =>
      repo().find({ owner: OWNERS.bob, slot: 'a' }),
    );
    await expectRefused(
      'GetItemCommand',
      bob,
      () => repo().find({ owner: OWNERS.alice, slot: 'a' }),
      { operation: 'find', attribute: 'owner' },
    );
  });

  it('get: a response for another sort key of the same partition is refused', async () => {
    const other = await genuine('GetItemCommand', () =>
      repo().get({ owner: OWNERS.alice, slot: 'm' }),
    );
    await expectRefused(
      'GetItemCommand',
      other,
      () => repo().get({ owner: OWNERS.alice, slot: 'a' }),
      { operation: 'find', attribute: 'slot' },
    );
  });

  it('find: the genuine response is still accepted (control)', async () => {
    const found = await repo().find({ owner: OWNERS.alice, slot: 'a' });
    expect(found?.secret).to.equal(SECRETS.aliceA);
  });

  it('query: a response for another partition is refused', async () => {
    const bob = await genuine('QueryCommand', () => repo().query({ owner: OWNERS.bob }).all());
    await expectRefused('QueryCommand', bob, () => repo().query({ owner: OWNERS.alice }).all(), {
      operation: 'query',
      attribute: 'owner',
    });
  });

  it('query with a projection of plain properties: another partition is refused', async () => {
    const bob = await genuine('QueryCommand', () =>
      repo().query({ owner: OWNERS.bob }).select('team').all(),
    );
    await expectRefused(
      'QueryCommand',
      bob,
      () => repo().query({ owner: OWNERS.alice }).select('team').all(),
      { operation: 'query', attribute: 'owner' },
    );
    // The key attributes fetched for the check are not added to the instances.
    const rows = await repo().query({ owner: OWNERS.alice }).select('team').all();
    expect(rows.map((r) => Object.keys(r))).to.deep.equal([['team'], ['team']]);
  });

  it('query page(): a response for another partition is refused', async () => {
    const bob = await genuine('QueryCommand', () => repo().query({ owner: OWNERS.bob }).page());
    await expectRefused('QueryCommand', bob, () => repo().query({ owner: OWNERS.alice }).page(), {
      operation: 'query',
      attribute: 'owner',
    });
  });

  // Each victim condition excludes slot 'm'; the replayed response is the genuine answer of a
  // query of the same partition for slot 'm'.
  const outside: [string, (q: ReturnType<typeof queryAlice>) => ReturnType<typeof queryAlice>][] = [
    ['eq', (q) => q.sortKey((k) => k.eq('a'))],
    ['lt', (q) => q.sortKey((k) => k.lt('m'))],
    ['lte', (q) => q.sortKey((k) => k.lte('l'))],
    ['gt', (q) => q.sortKey((k) => k.gt('m'))],
    ['gte', (q) => q.sortKey((k) => k.gte('n'))],
    ['between', (q) => q.sortKey((k) => k.between('a', 'l'))],
    ['beginsWith', (q) => q.sortKey((k) => k.beginsWith('a'))],
  ];
  function queryAlice() {
    return repo().query({ owner: OWNERS.alice });
  }
  for (const [kind, condition] of outside) {
    it(`query: a sort key outside ${kind}() is refused`, async () => {
      const slotM = await genuine('QueryCommand', () =>
        queryAlice()
          .sortKey((k) => k.eq('m'))
          .all(),
      );
      await expectRefused('QueryCommand', slotM, () => condition(queryAlice()).all(), {
        operation: 'query',
        attribute: 'slot',
      });
    });
  }

  it('query: genuine responses at the bounds of each condition are accepted (control)', async () => {
    const slots = async (q: ReturnType<typeof queryAlice>) => (await q.all()).map((v) => v.slot);
    expect(await slots(queryAlice().sortKey((k) => k.eq('m')))).to.deep.equal(['m']);
    expect(await slots(queryAlice().sortKey((k) => k.lte('m')))).to.deep.equal(['a', 'm']);
    expect(await slots(queryAlice().sortKey((k) => k.gte('m')))).to.deep.equal(['m']);
    expect(await slots(queryAlice().sortKey((k) => k.lt('m')))).to.deep.equal(['a']);
    expect(await slots(queryAlice().sortKey((k) => k.gt('a')))).to.deep.equal(['m']);
    expect(await slots(queryAlice().sortKey((k) => k.between('a', 'm')))).to.deep.equal(['a', 'm']);
    expect(await slots(queryAlice().sortKey((k) => k.beginsWith('m')))).to.deep.equal(['m']);
    // DynamoDB orders strings by UTF-8 bytes, not UTF-16 code units.
    const carol = repo().query({ owner: OWNERS.carol });
    expect(await slots(carol.sortKey((k) => k.gt('\uE000')))).to.deep.equal(['\u{1F600}']);
    expect(await slots(carol.sortKey((k) => k.lt('\u{1F600}')))).to.deep.equal(['\uE000']);
  });

  it('query on a secondary index: another index partition is refused', async () => {
    const blue = await genuine('QueryCommand', () =>
      repo().query({ team: TEAMS.blue }).index('byTeam').all(),
    );
    await expectRefused(
      'QueryCommand',
      blue,
      () => repo().query({ team: TEAMS.red }).index('byTeam').all(),
      { operation: 'query', attribute: 'team' },
    );
  });

  it('query on a secondary index: an index sort key outside the condition is refused', async () => {
    const rank9 = await genuine('QueryCommand', () =>
      repo()
        .query({ team: TEAMS.red })
        .index('byTeam')
        .sortKey((k) => k.lt(9.5))
        .all(),
    );
    await expectRefused(
      'QueryCommand',
      rank9,
      () =>
        repo()
          .query({ team: TEAMS.red })
          .index('byTeam')
          .sortKey((k) => k.gt(9.5))
          .all(),
      { operation: 'query', attribute: 'rank' },
    );
  });

  it('query on a secondary index: numbers are compared as numbers (control)', async () => {
    const ranks = async (build: (q: ReturnType<typeof byTeam>) => ReturnType<typeof byTeam>) =>
      (await build(byTeam()).all()).map((v) => v.rank);
    function byTeam() {
      return repo().query({ team: TEAMS.red }).index('byTeam');
    }
    expect(await ranks((q) => q.sortKey((k) => k.gt(9)))).to.deep.equal([10]);
    expect(await ranks((q) => q.sortKey((k) => k.lt(10)))).to.deep.equal([9]);
    expect(await ranks((q) => q.sortKey((k) => k.between(9, 10)))).to.deep.equal([9, 10]);
    expect(await ranks((q) => q.sortKey((k) => k.gte(9.0)))).to.deep.equal([9, 10]);
  });

  it('transactFind: a response for another key is refused', async () => {
    const bob = await genuine('TransactGetItemsCommand', () =>
      db.transactFind([[Vault, { owner: OWNERS.bob, slot: 'a' }]]),
    );
    await expectRefused(
      'TransactGetItemsCommand',
      bob,
      () => db.transactFind([[Vault, { owner: OWNERS.alice, slot: 'a' }]]),
      { operation: 'transactFind', attribute: 'owner' },
    );
  });

  it('transactFind: responses swapped between positions are refused', async () => {
    const swapped = await genuine('TransactGetItemsCommand', () =>
      db.transactFind([
        [Vault, { owner: OWNERS.bob, slot: 'a' }],
        [Vault, { owner: OWNERS.alice, slot: 'a' }],
      ]),
    );
    await expectRefused(
      'TransactGetItemsCommand',
      swapped,
      () =>
        db.transactFind([
          [Vault, { owner: OWNERS.alice, slot: 'a' }],
          [Vault, { owner: OWNERS.bob, slot: 'a' }],
        ]),
      { operation: 'transactFind', attribute: 'owner' },
    );
  });

  it('update with ALL_NEW: the returned item of another key is refused', async () => {
    const bob = await genuine('UpdateItemCommand', () =>
      repo().update({ owner: OWNERS.bob, slot: 'a' }, { set: { note: 'from bob' } }),
    );
    await expectRefused(
      'UpdateItemCommand',
      bob,
      () => repo().update({ owner: OWNERS.alice, slot: 'a' }, { set: { note: 'from alice' } }),
      { operation: 'update', attribute: 'owner' },
    );
  });

  it('batchFind: an item it did not ask for is still refused, now with the typed error', async () => {
    const bob = await genuine('BatchGetItemCommand', () =>
      repo().batchFind([{ owner: OWNERS.bob, slot: 'a' }]),
    );
    await expectRefused(
      'BatchGetItemCommand',
      bob,
      () => repo().batchFind([{ owner: OWNERS.alice, slot: 'a' }]),
      { operation: 'batchFind' },
    );
  });

  it('batchSave: an unprocessed request it did not send is refused, typed', async () => {
    // DynamoDB Local never leaves requests unprocessed, so this response is made up: the genuine
    // answer with another user's stored item (its real ciphertext) listed as an unprocessed put.
    const table = repo().metadata.table;
    const stored = await client.send(
      new GetItemCommand({
        TableName: table,
        Key: { owner: { S: OWNERS.bob }, slot: { S: 'a' } },
      }),
    );
    alterNext = {
      command: 'BatchWriteItemCommand',
      alter: (output) => ({
        ...output,
        UnprocessedItems: { [table]: [{ PutRequest: { Item: stored.Item } }] },
      }),
    };
    records.length = 0;
    const error = (await refusal(
      repo().batchSave([vault(OWNERS.dave, 'a', TEAMS.blue, 3, SECRETS.aliceA)]),
    )) as BatchIncompleteError;
    expect(alterNext, 'the response was altered').to.equal(undefined);
    expect(error).to.be.instanceOf(BatchIncompleteError);
    expect(error.unprocessedIndexes).to.deep.equal([0]);
    const cause = error.cause as Loose;
    expect(cause).to.be.instanceOf(TheoryDbError);
    expect(cause.name).to.equal('ResponseMismatchError');
    expect(cause.code).to.equal('RESPONSE_MISMATCH');
    expect(cause.operation).to.equal('batchSave');
    expectErrorFreeOf(error, [...ALL_SECRETS, ...ALL_KEY_VALUES]);
    expectErrorFreeOf(cause, [...ALL_SECRETS, ...ALL_KEY_VALUES]);
    const logged = JSON.stringify(records);
    for (const value of [...ALL_SECRETS, ...ALL_KEY_VALUES]) {
      expectNoPlaintext(logged, value, 'a log record');
    }
  });
});

/**
 * The error `promise` rejects with. When it resolves instead, the failure says whose plaintext
 * the resolved value holds (by label, never the value): the evidence of the hole.
 */
async function refusal(promise: Promise<unknown>): Promise<unknown> {
  let outcome: unknown;
  try {
    outcome = await promise;
  } catch (error) {
    return error;
  }
  const leaked = Object.entries(SECRETS)
    .filter(([, secret]) => plaintextsIn(outcome).includes(secret))
    .map(([label]) => label);
  return expect.fail(
    `expected a rejection, but the operation resolved with ${
      leaked.length === 0 ? 'a value' : `the decrypted secret of ${leaked.join(', ')}`
    }`,
  );
}

/** Every string value reachable from `value` (entities, arrays, results). */
function plaintextsIn(value: unknown, seen = new Set<unknown>()): string[] {
  if (typeof value === 'string') return [value];
  if (typeof value !== 'object' || value === null || seen.has(value)) return [];
  seen.add(value);
  const values = Array.isArray(value) ? value : Object.values(value);
  return values.flatMap((inner) => plaintextsIn(inner, seen));
}
