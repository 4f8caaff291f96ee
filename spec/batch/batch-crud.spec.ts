import { expect } from 'chai';
import { type DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import {
  Attribute,
  CreatedAt,
  Entity,
  PartitionKey,
  SortKey,
  TheoryDb,
  UpdatedAt,
  ValidationError,
  Version,
} from '../../src';
import { sharedDynamo, uniqueTable } from '../support/stack';
import { type CommandLog, recordedClient } from './support/batch-clients';

@Entity({ table: uniqueTable('batch-crud') })
class Row {
  @PartitionKey() group!: string;
  @SortKey() n!: number;
  @Attribute() label?: string;
  @CreatedAt() createdAt?: Date;
  @UpdatedAt() updatedAt?: Date;
}

@Entity({ table: uniqueTable('batch-versioned') })
class Versioned {
  @PartitionKey() id!: string;
  @Version() version?: number;
}

const SIZES = [1, 25, 26, 100, 101, 1000];

const row = (group: string, n: number, label = `label-${n}`): Row =>
  Object.assign(new Row(), { group, n, label });

/** A deterministic permutation of 0..size-1. */
function shuffled(size: number): number[] {
  const order = Array.from({ length: size }, (_, i) => i);
  let seed = 12345;
  for (let i = size - 1; i > 0; i -= 1) {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    const j = seed % (i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

const times = (count: number, name: string): string[] => Array.from({ length: count }, () => name);

async function storedCount(group: string): Promise<number> {
  const { client } = await sharedDynamo();
  let count = 0;
  let start: Record<string, never> | undefined;
  do {
    const page = await client.send(
      new QueryCommand({
        TableName: tableOf(),
        KeyConditionExpression: '#g = :g',
        ExpressionAttributeNames: { '#g': 'group' },
        ExpressionAttributeValues: { ':g': { S: group } },
        Select: 'COUNT',
        ConsistentRead: true,
        ExclusiveStartKey: start,
      }),
    );
    count += page.Count ?? 0;
    start = page.LastEvaluatedKey as Record<string, never> | undefined;
  } while (start !== undefined);
  return count;
}

let db: TheoryDb;
const tableOf = () => db.repository(Row).metadata.table;

describe('batchSave / batchFind / batchDelete (DynamoDB Local)', () => {
  let client: DynamoDBClient;
  let log: CommandLog;
  let clock: Date;

  before(async () => {
    ({ client, log } = await recordedClient());
    clock = new Date('2026-03-04T05:06:07.000Z');
    db = new TheoryDb({ dynamodb: client, now: () => clock });
    await db.createTable(Row);
    await db.createTable(Versioned);
  });
  beforeEach(() => {
    log.calls.length = 0;
    log.inputs.length = 0;
  });

  for (const size of SIZES) {
    it(`saves, finds and deletes ${size} items: ${Math.ceil(size / 25)} writes, ${Math.ceil(size / 100)} reads`, async () => {
      const repo = db.repository(Row);
      const group = `size-${size}`;
      const rows = Array.from({ length: size }, (_, i) => row(group, i));

      const saved = await repo.batchSave(rows);
      expect(log.calls).to.deep.equal(times(Math.ceil(size / 25), 'BatchWriteItemCommand'));
      expect(saved).to.have.length(size);
      saved.forEach((entity, i) => expect(entity).to.equal(rows[i]));
      expect(await storedCount(group)).to.equal(size);

      // Shuffled keys, with every tenth position (from 3) asking for an item that does not exist.
      const keys = shuffled(size).map((n, position) =>
        position % 10 === 3 ? { group, n: size + position } : { group, n },
      );
      log.calls.length = 0;
      const found = await repo.batchFind(keys);
      expect(log.calls).to.deep.equal(times(Math.ceil(size / 100), 'BatchGetItemCommand'));
      expect(found).to.have.length(size);
      found.forEach((entity, position) => {
        if (keys[position].n >= size) {
          expect(entity, `position ${position}`).to.equal(undefined);
        } else {
          expect(entity).to.be.instanceOf(Row);
          expect(entity?.n).to.equal(keys[position].n);
          expect(entity?.label).to.equal(`label-${keys[position].n}`);
        }
      });

      log.calls.length = 0;
      await repo.batchDelete(rows.map(({ n }) => ({ group, n })));
      expect(log.calls).to.deep.equal(times(Math.ceil(size / 25), 'BatchWriteItemCommand'));
      expect(await storedCount(group)).to.equal(0);
    });
  }

  it('gives a key asked twice its entity at both positions, read once, as two instances', async () => {
    const repo = db.repository(Row);
    await repo.batchSave([row('dup-find', 1), row('dup-find', 2)]);
    log.calls.length = 0;
    log.inputs.length = 0;
    const keys = [
      { group: 'dup-find', n: 1 },
      { group: 'dup-find', n: 2 },
      { group: 'dup-find', n: 1 },
      { group: 'dup-find', n: 99 },
      { group: 'dup-find', n: 1 },
    ];
    const found = await repo.batchFind(keys, { consistent: true });
    expect(log.calls).to.deep.equal(['BatchGetItemCommand']);
    const request = log.inputs[0] as {
      RequestItems: Record<string, { Keys: unknown[]; ConsistentRead?: boolean }>;
    };
    expect(request.RequestItems[tableOf()].Keys).to.have.length(3);
    expect(request.RequestItems[tableOf()].ConsistentRead).to.equal(true);
    expect(found.map((e) => e?.n)).to.deep.equal([1, 2, 1, undefined, 1]);
    expect(found[0]).not.to.equal(found[2]);
    expect(found[0]).to.deep.equal(found[2]);
  });

  it('counts requests by distinct keys: 101 keys with one duplicate is one BatchGetItem', async () => {
    const repo = db.repository(Row);
    const keys = Array.from({ length: 100 }, (_, n) => ({ group: 'distinct', n }));
    keys.push({ group: 'distinct', n: 42 });
    const found = await repo.batchFind(keys);
    expect(log.calls).to.deep.equal(['BatchGetItemCommand']);
    expect(found).to.have.length(101);
    expect(found.every((e) => e === undefined)).to.equal(true);
  });

  it('matches numbers DynamoDB normalises (1e21, 1.50) back to their keys', async () => {
    const repo = db.repository(Row);
    await repo.batchSave([row('numbers', 1e21), row('numbers', 1.5), row('numbers', -0.25)]);
    const found = await repo.batchFind([
      { group: 'numbers', n: -0.25 },
      { group: 'numbers', n: 1e21 },
      { group: 'numbers', n: 1.5 },
    ]);
    expect(found.map((e) => e?.n)).to.deep.equal([-0.25, 1e21, 1.5]);
    await repo.batchDelete([
      { group: 'numbers', n: 1e21 },
      { group: 'numbers', n: 1.5 },
      { group: 'numbers', n: -0.25 },
    ]);
    expect(await storedCount('numbers')).to.equal(0);
  });

  it('sets @CreatedAt and @UpdatedAt with one timestamp, keeping a createdAt already set', async () => {
    const repo = db.repository(Row);
    clock = new Date('2026-05-06T07:08:09.010Z');
    const older = new Date('2020-01-01T00:00:00.000Z');
    const fresh = row('stamps', 1);
    const existing = Object.assign(row('stamps', 2), { createdAt: older });
    await repo.batchSave([fresh, existing]);
    expect(fresh.createdAt?.toISOString()).to.equal(clock.toISOString());
    expect(fresh.updatedAt?.toISOString()).to.equal(clock.toISOString());
    expect(existing.createdAt).to.equal(older);
    expect(existing.updatedAt?.toISOString()).to.equal(clock.toISOString());
    const [a, b] = await repo.batchFind([
      { group: 'stamps', n: 1 },
      { group: 'stamps', n: 2 },
    ]);
    expect(a?.createdAt?.toISOString()).to.equal(clock.toISOString());
    expect(b?.createdAt?.toISOString()).to.equal(older.toISOString());
    expect(b?.updatedAt?.toISOString()).to.equal(clock.toISOString());
  });

  it('refuses the same key twice in batchSave and batchDelete, naming positions, not values', async () => {
    const repo = db.repository(Row);
    const save = await repo
      .batchSave([
        row('dup-secret-group', 1),
        row('dup-secret-group', 2),
        row('dup-secret-group', 1),
      ])
      .catch((e: unknown) => e);
    expect(save).to.be.instanceOf(ValidationError);
    expect((save as ValidationError).code).to.equal('VALIDATION');
    expect((save as Error).message).to.contain('entities[0], entities[2]');
    expect((save as Error).message).not.to.contain('dup-secret-group');
    const del = await repo
      .batchDelete([
        { group: 'dup-secret-group', n: 5 },
        { group: 'dup-secret-group', n: 5 },
      ])
      .catch((e: unknown) => e);
    expect(del).to.be.instanceOf(ValidationError);
    expect((del as Error).message).to.contain('keys[0], keys[1]');
    expect((del as Error).message).not.to.contain('dup-secret-group');
    expect(log.calls).to.deep.equal([]);
    expect(await storedCount('dup-secret-group')).to.equal(0);
  });

  it('refuses batchSave of a versioned entity, pointing to save() or a transaction', async () => {
    const repo = db.repository(Versioned);
    const error = await repo
      .batchSave([Object.assign(new Versioned(), { id: 'v1' })])
      .catch((e: unknown) => e);
    expect(error).to.be.instanceOf(ValidationError);
    expect((error as Error).message).to.match(/Versioned\.version is a @Version attribute/);
    expect((error as Error).message).to.match(/save\(\)/);
    expect((error as Error).message).to.match(/transaction/);
    const empty = await repo.batchSave([]).catch((e: unknown) => e);
    expect(empty, 'refused even when empty').to.be.instanceOf(ValidationError);
    expect(log.calls).to.deep.equal([]);
    // batchFind and batchDelete do not involve versions.
    expect(await repo.batchFind([{ id: 'v1' }])).to.deep.equal([undefined]);
    await repo.batchDelete([{ id: 'v1' }]);
  });

  it('refuses bad inputs before sending anything, naming the position', async () => {
    const repo = db.repository(Row);
    const missingSortKey = Object.assign(new Row(), { group: 'bad' });
    const bad = [row('bad', 1), row('bad', 2), row('bad', 3), missingSortKey];
    const error = await repo.batchSave(bad).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(ValidationError);
    expect((error as Error).message).to.equal(
      'Row.batchSave: entities[3]: Row.n is a key property and must be set',
    );
    const plain = await repo
      .batchSave([row('bad', 1), { group: 'bad', n: 2 }])
      .catch((e: unknown) => e);
    expect((plain as Error).message).to.equal(
      'Row.batchSave: entities[1]: expected an instance of Row',
    );
    const wrongType = await repo
      .batchFind([
        { group: 'bad', n: 1 },
        { group: 'bad', n: 2 },
        { group: 'bad', n: 'three' as unknown as number },
      ])
      .catch((e: unknown) => e);
    expect((wrongType as Error).message).to.match(/^Row\.batchFind: keys\[2\]: Row\.n must be/);
    const extra = await repo
      .batchDelete([{ group: 'bad', n: 1, label: 'x' }])
      .catch((e: unknown) => e);
    expect((extra as Error).message).to.match(
      /^Row\.batchDelete: keys\[0\]: Row: 'label' is not a key property/,
    );
    const notArray = await repo.batchFind('nope' as never).catch((e: unknown) => e);
    expect((notArray as Error).message).to.equal('Row.batchFind expects an array of keys');
    expect(log.calls).to.deep.equal([]);
    expect(await storedCount('bad')).to.equal(0);
  });

  it('sends nothing for empty batches', async () => {
    const repo = db.repository(Row);
    expect(await repo.batchFind([])).to.deep.equal([]);
    expect(await repo.batchSave([])).to.deep.equal([]);
    await repo.batchDelete([]);
    expect(log.calls).to.deep.equal([]);
  });
});
