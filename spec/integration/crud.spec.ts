import { expect } from 'chai';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import {
  Attribute,
  ConditionFailedError,
  CreatedAt,
  Entity,
  NotFoundError,
  PartitionKey,
  SortKey,
  TheoryDb,
  Ttl,
  UpdatedAt,
  ValidationError,
  Version,
  VersionConflictError,
} from '../../src';
import { sharedDynamo, uniqueTable } from '../support/stack';

@Entity({ table: uniqueTable('crud-notes') })
class Note {
  @PartitionKey() owner!: string;
  @SortKey({ name: 'SK' }) slug!: string;
  @Attribute({ name: 'txt' }) text?: string;
  @Attribute() pinned?: boolean;
  @Version() version?: number;
  @CreatedAt() createdAt?: Date;
  @UpdatedAt() updatedAt?: Date;
  @Ttl() expiresAt?: Date;
}

describe('Repository CRUD (DynamoDB Local)', () => {
  let db: TheoryDb;
  let clock: Date;

  before(async () => {
    const dynamo = await sharedDynamo();
    clock = new Date('2026-01-02T03:04:05.678Z');
    db = new TheoryDb({ dynamodb: dynamo.client, now: () => clock });
    await db.createTable(Note);
  });

  const note = (slug: string, text = 'hello'): Note =>
    Object.assign(new Note(), { owner: 'alice', slug, text, pinned: true });

  it('saves and finds an entity as a real instance with attribute names applied', async () => {
    const repo = db.repository(Note);
    await repo.save(note('a'));
    const found = await repo.find({ owner: 'alice', slug: 'a' });
    expect(found).to.be.instanceOf(Note);
    expect(found?.text).to.equal('hello');
    expect(found?.pinned).to.equal(true);
    const raw = await (
      await sharedDynamo()
    ).client.send(
      new GetItemCommand({
        TableName: repo.metadata.table,
        Key: { owner: { S: 'alice' }, SK: { S: 'a' } },
      }),
    );
    expect(raw.Item?.txt).to.deep.equal({ S: 'hello' });
    expect(raw.Item?.text).to.equal(undefined);
  });

  it('returns undefined from find and NOT_FOUND from get for a missing item', async () => {
    const repo = db.repository(Note);
    expect(await repo.find({ owner: 'alice', slug: 'missing' })).to.equal(undefined);
    const error = await repo.get({ owner: 'alice', slug: 'missing' }).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(NotFoundError);
    expect((error as NotFoundError).code).to.equal('NOT_FOUND');
  });

  it('versions saves and refuses a stale copy with VERSION_CONFLICT', async () => {
    const repo = db.repository(Note);
    const fresh = note('v');
    await repo.save(fresh);
    expect(fresh.version).to.equal(1);
    const copyA = await repo.get({ owner: 'alice', slug: 'v' });
    const copyB = await repo.get({ owner: 'alice', slug: 'v' });
    copyA.text = 'from A';
    await repo.save(copyA);
    expect(copyA.version).to.equal(2);
    copyB.text = 'from B';
    const error = await repo.save(copyB).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(VersionConflictError);
    expect((error as VersionConflictError).code).to.equal('VERSION_CONFLICT');
    expect(copyB.version).to.equal(1, 'a failed save leaves the instance unchanged');
    expect((await repo.get({ owner: 'alice', slug: 'v' })).text).to.equal('from A');
  });

  it('sets createdAt once and updatedAt on every save, and stores TTL as epoch seconds', async () => {
    const repo = db.repository(Note);
    const n = note('t');
    n.expiresAt = new Date('2030-01-01T00:00:00.999Z');
    clock = new Date('2026-01-02T00:00:00.000Z');
    await repo.save(n);
    clock = new Date('2026-02-03T00:00:00.000Z');
    await repo.save(n);
    const loaded = await repo.get({ owner: 'alice', slug: 't' });
    expect(loaded.createdAt?.toISOString()).to.equal('2026-01-02T00:00:00.000Z');
    expect(loaded.updatedAt?.toISOString()).to.equal('2026-02-03T00:00:00.000Z');
    const raw = await (
      await sharedDynamo()
    ).client.send(
      new GetItemCommand({
        TableName: repo.metadata.table,
        Key: { owner: { S: 'alice' }, SK: { S: 't' } },
      }),
    );
    expect(raw.Item?.expiresAt).to.deep.equal({
      N: String(Date.parse('2030-01-01T00:00:00Z') / 1000),
    });
  });

  it('honours ifNotExists and ifExists with CONDITION_FAILED', async () => {
    @Entity({ table: uniqueTable('crud-plain') })
    class Plain {
      @PartitionKey() id!: string;
      @Attribute() n?: number;
    }
    await db.createTable(Plain);
    const repo = db.repository(Plain);
    await repo.save(Object.assign(new Plain(), { id: 'x', n: 1 }), { ifNotExists: true });
    const again = await repo
      .save(Object.assign(new Plain(), { id: 'x', n: 2 }), { ifNotExists: true })
      .catch((e: unknown) => e);
    expect(again).to.be.instanceOf(ConditionFailedError);
    expect((again as ConditionFailedError).code).to.equal('CONDITION_FAILED');
    expect((await repo.get({ id: 'x' })).n).to.equal(1);
    await repo.delete({ id: 'x' }, { ifExists: true });
    expect(await repo.find({ id: 'x' })).to.equal(undefined);
    const gone = await repo.delete({ id: 'x' }, { ifExists: true }).catch((e: unknown) => e);
    expect(gone).to.be.instanceOf(ConditionFailedError);
    await repo.delete({ id: 'x' }); // absent and unconditional: succeeds
  });

  it('refuses malformed keys before sending anything', async () => {
    const repo = db.repository(Note);
    const wrongType = await repo
      .find({ owner: 42 as unknown as string, slug: 'a' })
      .catch((e: unknown) => e);
    expect(wrongType).to.be.instanceOf(ValidationError);
    expect((wrongType as ValidationError).message).to.equal(
      'Note.owner must be a string, got number',
    );
    const missing = await repo.find({ owner: 'alice' }).catch((e: unknown) => e);
    expect((missing as ValidationError).message).to.equal(
      'Note.slug is a key property and must be set',
    );
    const extra = await repo
      .find({ owner: 'alice', slug: 'a', text: 'x' })
      .catch((e: unknown) => e);
    expect((extra as ValidationError).message).to.match(/'text' is not a key property/);
  });
});
