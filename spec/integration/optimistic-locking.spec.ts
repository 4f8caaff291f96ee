import { expect } from 'chai';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import {
  Attribute,
  ConditionFailedError,
  Entity,
  PartitionKey,
  type Repository,
  TheoryDb,
  TheoryDbError,
  Version,
  VersionConflictError,
} from '../../src';
import { sharedDynamo, uniqueTable } from '../support/stack';

@Entity({ table: uniqueTable('locking-counters') })
class Counter {
  @PartitionKey() id!: string;
  @Attribute() owner?: string;
  @Attribute() hits?: number;
  @Version() version?: number;
}

const CONTENDERS = 12;

describe('optimistic locking under contention (DynamoDB Local)', () => {
  let repo: Repository<Counter>;

  before(async () => {
    const db = new TheoryDb({ dynamodb: (await sharedDynamo()).client });
    await db.createTable(Counter);
    repo = db.repository(Counter);
  });

  async function storedVersion(id: string): Promise<string | undefined> {
    const output = await (
      await sharedDynamo()
    ).client.send(
      new GetItemCommand({
        TableName: repo.metadata.table,
        Key: { id: { S: id } },
        ConsistentRead: true,
      }),
    );
    return output.Item?.version?.N;
  }

  async function contend(id: string, startVersion: number): Promise<void> {
    // Each contender loads its own copy of the same stored version.
    const copies = await Promise.all(
      Array.from({ length: CONTENDERS }, () => repo.get({ id }, { consistent: true })),
    );
    copies.forEach((copy, i) => {
      expect(copy.version).to.equal(startVersion);
      copy.owner = `writer-${i}`;
      copy.hits = i;
    });
    expect(new Set(copies).size).to.equal(CONTENDERS, 'distinct instances');

    const results = await Promise.allSettled(copies.map((copy) => repo.save(copy)));

    const fulfilled = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []));
    const rejected = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    expect(fulfilled, 'exactly one save wins').to.have.length(1);
    expect(rejected).to.have.length(CONTENDERS - 1);
    for (const reason of rejected) {
      expect(reason).to.be.instanceOf(VersionConflictError);
      expect(reason).to.be.instanceOf(TheoryDbError);
      const conflict = reason as VersionConflictError;
      expect(conflict.code).to.equal('VERSION_CONFLICT');
      expect(conflict.entity).to.equal('Counter');
      expect(conflict.expectedVersion).to.equal(startVersion);
      expect(conflict.message).to.equal(
        `save on ${repo.metadata.table} (Counter): version conflict, the stored version is no longer ${startVersion}`,
      );
      expect((conflict.cause as Error).name).to.equal('ConditionalCheckFailedException');
    }

    const winner = fulfilled[0];
    copies.forEach((copy, i) => {
      // The winner got the new version; every loser is left as it was loaded.
      expect(copy.version).to.equal(i === winner ? startVersion + 1 : startVersion);
    });
    const stored = await repo.get({ id }, { consistent: true });
    expect(stored.version).to.equal(startVersion + 1);
    expect(stored.owner).to.equal(`writer-${winner}`);
    expect(stored.hits).to.equal(winner);
    expect(await storedVersion(id)).to.equal(String(startVersion + 1));
  }

  it(`lets exactly one of ${CONTENDERS} concurrent saves of one loaded version win`, async () => {
    await repo.save(Object.assign(new Counter(), { id: 'contended', owner: 'creator', hits: 0 }));
    await contend('contended', 1);
  });

  it('lets exactly one win again from a later version', async () => {
    const first = Object.assign(new Counter(), { id: 'later', hits: 0 });
    await repo.save(first);
    await repo.save(first);
    await repo.save(first);
    expect(first.version).to.equal(3);
    await contend('later', 3);
    await contend('later', 4);
  });

  it('refuses a new (unversioned) instance when the item exists, with VERSION_CONFLICT', async () => {
    await repo.save(Object.assign(new Counter(), { id: 'taken', owner: 'first' }));
    const newcomer = Object.assign(new Counter(), { id: 'taken', owner: 'second' });
    const error = await repo.save(newcomer).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(VersionConflictError);
    const conflict = error as VersionConflictError;
    expect(conflict.code).to.equal('VERSION_CONFLICT');
    expect(conflict.expectedVersion).to.equal(undefined);
    expect(conflict.message).to.equal(
      `save on ${repo.metadata.table} (Counter): version conflict, an item with this key already exists`,
    );
    expect(newcomer.version).to.equal(undefined);
    const stored = await repo.get({ id: 'taken' }, { consistent: true });
    expect(stored.owner).to.equal('first');
    expect(stored.version).to.equal(1);
  });

  it('lets exactly one of concurrent new instances create the item', async () => {
    const newcomers = Array.from({ length: CONTENDERS }, (_, i) =>
      Object.assign(new Counter(), { id: 'race-to-create', hits: i }),
    );
    const results = await Promise.allSettled(newcomers.map((n) => repo.save(n)));
    const winners = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []));
    expect(winners).to.have.length(1);
    for (const r of results) {
      if (r.status === 'rejected') {
        expect(r.reason).to.be.instanceOf(VersionConflictError);
        expect((r.reason as VersionConflictError).expectedVersion).to.equal(undefined);
      }
    }
    const stored = await repo.get({ id: 'race-to-create' }, { consistent: true });
    expect(stored.version).to.equal(1);
    expect(stored.hits).to.equal(winners[0]);
  });

  it('refuses a loaded instance whose item was deleted, with VERSION_CONFLICT', async () => {
    const loaded = Object.assign(new Counter(), { id: 'deleted' });
    await repo.save(loaded);
    await repo.delete({ id: 'deleted' });
    const error = await repo.save(loaded).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(VersionConflictError);
    expect((error as VersionConflictError).expectedVersion).to.equal(1);
    expect(loaded.version).to.equal(1);
    expect(await repo.find({ id: 'deleted' })).to.equal(undefined);
  });

  it('reports ifNotExists on an existing versioned item as CONDITION_FAILED', async () => {
    await repo.save(Object.assign(new Counter(), { id: 'exists' }));
    const error = await repo
      .save(Object.assign(new Counter(), { id: 'exists' }), { ifNotExists: true })
      .catch((e: unknown) => e);
    expect(error).to.be.instanceOf(ConditionFailedError);
    expect((error as ConditionFailedError).code).to.equal('CONDITION_FAILED');
  });
});
