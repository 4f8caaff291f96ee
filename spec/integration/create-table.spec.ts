import { expect } from 'chai';
import {
  type AttributeDefinition,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  type DynamoDBClient,
  QueryCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import {
  Attribute,
  DynamoDbError,
  Entity,
  Index,
  PartitionKey,
  SortKey,
  TheoryDb,
  TheoryDbError,
  Ttl,
  Version,
} from '../../src';
import { sharedDynamo, uniqueTable } from '../support/stack';

@Entity({ table: uniqueTable('create-orders'), name: 'Order' })
class OrderRecord {
  @PartitionKey({ name: 'PK' }) customer!: string;
  @SortKey({ name: 'SK' }) placedAt!: number;
  @Index('byStatus', { partition: true })
  @Attribute({ name: 'st', type: String })
  status!: string;
  @Index('byStatus', { sort: true }) @Attribute({ dateFormat: 'epochMs' }) due!: Date;
  @Index('byHash', { partition: true }) hash!: Uint8Array;
  @Index('byTotal', { sort: true }) total!: bigint;
  @Attribute() note?: string;
  @Version() version?: number;
  @Ttl({ name: 'expires' }) expiresAt?: Date;
}

@Entity({ table: uniqueTable('create-simple') })
class Simple {
  @PartitionKey() id!: string;
}

/** Code-unit order, so the expectation below does not depend on the locale. */
const byName = (a: { AttributeName?: string }, b: { AttributeName?: string }) =>
  (a.AttributeName ?? '') < (b.AttributeName ?? '') ? -1 : 1;

describe('createTable from metadata (DynamoDB Local)', () => {
  let client: DynamoDBClient;
  let db: TheoryDb;

  before(async () => {
    client = (await sharedDynamo()).client;
    db = new TheoryDb({ dynamodb: client });
    await db.createTable(OrderRecord);
  });

  const table = () => db.repository(OrderRecord).metadata.table;

  it('creates the key schema and the attribute definitions with their S, N and B types', async () => {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: table() }));
    expect(Table?.TableStatus).to.equal('ACTIVE');
    expect(Table?.KeySchema).to.deep.equal([
      { AttributeName: 'PK', KeyType: 'HASH' },
      { AttributeName: 'SK', KeyType: 'RANGE' },
    ]);
    const definitions: AttributeDefinition[] = [...(Table?.AttributeDefinitions ?? [])].sort(
      byName,
    );
    expect(definitions).to.deep.equal([
      { AttributeName: 'PK', AttributeType: 'S' },
      { AttributeName: 'SK', AttributeType: 'N' },
      { AttributeName: 'due', AttributeType: 'N' },
      { AttributeName: 'hash', AttributeType: 'B' },
      { AttributeName: 'st', AttributeType: 'S' },
      { AttributeName: 'total', AttributeType: 'N' },
    ]);
    expect(Table?.BillingModeSummary?.BillingMode).to.equal('PAY_PER_REQUEST');
  });

  it('creates the global and local secondary indexes, projecting all attributes', async () => {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: table() }));
    const globals = (Table?.GlobalSecondaryIndexes ?? [])
      .map((i) => ({
        name: i.IndexName,
        keys: i.KeySchema,
        projection: i.Projection?.ProjectionType,
      }))
      .sort((a, b) => (a.name ?? '').localeCompare(b.name ?? ''));
    expect(globals).to.deep.equal([
      {
        name: 'byHash',
        keys: [{ AttributeName: 'hash', KeyType: 'HASH' }],
        projection: 'ALL',
      },
      {
        name: 'byStatus',
        keys: [
          { AttributeName: 'st', KeyType: 'HASH' },
          { AttributeName: 'due', KeyType: 'RANGE' },
        ],
        projection: 'ALL',
      },
    ]);
    const locals = (Table?.LocalSecondaryIndexes ?? []).map((i) => ({
      name: i.IndexName,
      keys: i.KeySchema,
      projection: i.Projection?.ProjectionType,
    }));
    expect(locals).to.deep.equal([
      {
        name: 'byTotal',
        keys: [
          { AttributeName: 'PK', KeyType: 'HASH' },
          { AttributeName: 'total', KeyType: 'RANGE' },
        ],
        projection: 'ALL',
      },
    ]);
  });

  it('enables TTL on the @Ttl attribute', async () => {
    const { TimeToLiveDescription } = await client.send(
      new DescribeTimeToLiveCommand({ TableName: table() }),
    );
    expect(TimeToLiveDescription?.TimeToLiveStatus).to.equal('ENABLED');
    expect(TimeToLiveDescription?.AttributeName).to.equal('expires');
  });

  it('leaves TTL disabled on a table without @Ttl', async () => {
    await db.createTable(Simple);
    const { Table } = await client.send(
      new DescribeTableCommand({ TableName: db.repository(Simple).metadata.table }),
    );
    expect(Table?.AttributeDefinitions).to.deep.equal([
      { AttributeName: 'id', AttributeType: 'S' },
    ]);
    expect(Table?.GlobalSecondaryIndexes).to.equal(undefined);
    expect(Table?.LocalSecondaryIndexes).to.equal(undefined);
    const { TimeToLiveDescription } = await client.send(
      new DescribeTimeToLiveCommand({ TableName: db.repository(Simple).metadata.table }),
    );
    expect(TimeToLiveDescription?.TimeToLiveStatus).to.equal('DISABLED');
  });

  it('serves saved entities through the global and local indexes', async () => {
    const repo = db.repository(OrderRecord);
    const order = (
      customer: string,
      placedAt: number,
      status: string,
      due: string,
      total: bigint,
    ) =>
      Object.assign(new OrderRecord(), {
        customer,
        placedAt,
        status,
        due: new Date(due),
        hash: new Uint8Array([placedAt % 256, 7]),
        total,
      });
    await repo.save(order('c1', 1, 'open', '2026-01-03T00:00:00.000Z', 30n));
    await repo.save(order('c1', 2, 'open', '2026-01-01T00:00:00.000Z', 10n));
    await repo.save(order('c2', 3, 'open', '2026-01-02T00:00:00.000Z', 20n));
    await repo.save(order('c2', 4, 'shipped', '2026-01-04T00:00:00.000Z', 40n));

    const open = await client.send(
      new QueryCommand({
        TableName: table(),
        IndexName: 'byStatus',
        KeyConditionExpression: '#s = :s',
        ExpressionAttributeNames: { '#s': 'st' },
        ExpressionAttributeValues: { ':s': { S: 'open' } },
      }),
    );
    // Sorted by the index sort key, `due` in epoch milliseconds.
    expect(open.Items?.map((i) => [i.PK.S, i.SK.N])).to.deep.equal([
      ['c1', '2'],
      ['c2', '3'],
      ['c1', '1'],
    ]);

    const recent = await client.send(
      new QueryCommand({
        TableName: table(),
        IndexName: 'byStatus',
        KeyConditionExpression: '#s = :s AND #d > :d',
        ExpressionAttributeNames: { '#s': 'st', '#d': 'due' },
        ExpressionAttributeValues: {
          ':s': { S: 'open' },
          ':d': { N: String(Date.parse('2026-01-01T12:00:00.000Z')) },
        },
      }),
    );
    expect(recent.Items?.map((i) => i.SK.N)).to.deep.equal(['3', '1']);

    const byHash = await client.send(
      new QueryCommand({
        TableName: table(),
        IndexName: 'byHash',
        KeyConditionExpression: '#h = :h',
        ExpressionAttributeNames: { '#h': 'hash' },
        ExpressionAttributeValues: { ':h': { B: new Uint8Array([4, 7]) } },
      }),
    );
    expect(byHash.Items?.map((i) => [i.PK.S, i.st.S])).to.deep.equal([['c2', 'shipped']]);

    const byTotal = await client.send(
      new QueryCommand({
        TableName: table(),
        IndexName: 'byTotal',
        KeyConditionExpression: '#p = :p AND #t >= :t',
        ExpressionAttributeNames: { '#p': 'PK', '#t': 'total' },
        ExpressionAttributeValues: { ':p': { S: 'c1' }, ':t': { N: '15' } },
      }),
    );
    expect(byTotal.Items?.map((i) => i.total.N)).to.deep.equal(['30']);
  });

  it('succeeds with ifNotExists on an existing table, and fails without it', async () => {
    await db.createTable(OrderRecord, { ifNotExists: true });
    const error = await db.createTable(OrderRecord).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(DynamoDbError);
    expect(error).to.be.instanceOf(TheoryDbError);
    const failed = error as DynamoDbError;
    expect(failed.code).to.equal('DYNAMODB_ERROR');
    expect(failed.awsName).to.equal('ResourceInUseException');
    expect(failed.retryable).to.equal(false);
    expect((failed.cause as Error).name).to.equal('ResourceInUseException');
    expect(failed.message).to.equal(
      `createTable on ${table()} (Order) failed: ResourceInUseException`,
    );
  });

  it('fails every operation on a missing table with DYNAMODB_TABLE_NOT_FOUND, keeping the SDK error', async () => {
    @Entity({ table: uniqueTable('never-created') })
    class Missing {
      @PartitionKey() id!: string;
      @Attribute() n?: number;
    }
    const repo = db.repository(Missing);
    const operations: [string, () => Promise<unknown>][] = [
      ['save', () => repo.save(Object.assign(new Missing(), { id: 'a', n: 1 }))],
      ['find', () => repo.find({ id: 'a' })],
      ['delete', () => repo.delete({ id: 'a' })],
    ];
    for (const [operation, run] of operations) {
      const error = await run().catch((e: unknown) => e);
      expect(error, operation).to.be.instanceOf(DynamoDbError);
      const failed = error as DynamoDbError;
      expect(failed.code).to.equal('DYNAMODB_TABLE_NOT_FOUND');
      expect(failed.awsName).to.equal('ResourceNotFoundException');
      expect(failed.retryable).to.equal(false);
      expect(failed.cause).to.be.instanceOf(ResourceNotFoundException);
      expect(failed.message).to.equal(
        `${operation} on ${repo.metadata.table} (Missing) failed: ResourceNotFoundException`,
      );
      expect(failed.toJSON()).to.deep.equal({
        name: 'DynamoDbError',
        code: 'DYNAMODB_TABLE_NOT_FOUND',
        message: failed.message,
        awsName: 'ResourceNotFoundException',
        retryable: false,
      });
    }
  });

  it('deletes a table; operations on it then fail with DYNAMODB_TABLE_NOT_FOUND', async () => {
    @Entity({ table: uniqueTable('create-then-delete') })
    class Temporary {
      @PartitionKey() id!: string;
    }
    await db.createTable(Temporary);
    const repo = db.repository(Temporary);
    await repo.save(Object.assign(new Temporary(), { id: 'x' }));
    await db.deleteTable(Temporary);
    const error = await repo.find({ id: 'x' }).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(DynamoDbError);
    expect((error as DynamoDbError).code).to.equal('DYNAMODB_TABLE_NOT_FOUND');
    const again = await db.deleteTable(Temporary).catch((e: unknown) => e);
    expect((again as DynamoDbError).code).to.equal('DYNAMODB_TABLE_NOT_FOUND');
  });
});
