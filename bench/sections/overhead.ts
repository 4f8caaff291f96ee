import {
  type AttributeValue,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { TheoryDb } from '../../src';
import { mapperFor } from '../../src/mapping/entity-mapper';
import { entityMetadata } from '../../src/metadata/discovery';
import { type OrderFields, PlainOrder, orderFields, plainOrder } from '../support/entities';
import type { Figures } from '../support/figures';
import { compare, type Contender, medianOps, ratio } from '../support/harness';
import type { BenchSettings } from '../support/settings';
import { StubDynamo } from '../support/stub-dynamo';

const CUSTOMER = 'customer-000042';
const TABLE = 'bench-orders';
/** Items in the page the query reads. */
export const QUERY_ITEMS = 20;

/** Keeps results alive, so no work is optimised away. */
let sink = 0;

/**
 * Section 1: theorydb's own cost. theorydb and the raw SDK (PutItem, GetItem, Query with
 * `@aws-sdk/util-dynamodb` marshalling) on ONE DynamoDBClient whose endpoint answers instantly
 * with canned responses, so the figures are client-side CPU only; then the entity mapper alone
 * against marshall/unmarshall.
 */
export async function overheadSection(settings: BenchSettings): Promise<Figures> {
  const stub = new StubDynamo();
  const client = stub.client;
  const repo = new TheoryDb({ dynamodb: client }).repository(PlainOrder);
  const fields = orderFields(CUSTOMER, 1);
  const entity = plainOrder(CUSTOMER, 1);
  const key = { customerId: CUSTOMER, orderId: fields.orderId };
  stub.respond('PutItem', {});
  stub.respond('GetItem', { Item: marshall(fields) });
  const page = Array.from({ length: QUERY_ITEMS }, (_, i) => marshall(orderFields(CUSTOMER, i)));
  stub.respond('Query', { Items: page, Count: page.length, ScannedCount: page.length });

  const { rounds, warmup, ops, queryOps, mapOps } = settings.cpu;
  const figures: Figures = {};
  const pair = async (name: string, theorydb: Contender['batch'], raw: Contender['batch']) => {
    const measured = await compare(
      [
        { name: 'theorydb', batch: theorydb },
        { name: 'raw', batch: raw },
      ],
      { rounds, warmup, ops: name === 'query' ? queryOps : ops },
    );
    figures[`${name}.theorydbOpsPerSec`] = medianOps(measured, 'theorydb');
    figures[`${name}.rawOpsPerSec`] = medianOps(measured, 'raw');
    figures[`${name}.ratio`] = ratio(measured, 'theorydb', 'raw');
  };

  await pair(
    'save',
    async (n) => {
      for (let i = 0; i < n; i += 1) await repo.save(entity);
    },
    async (n) => {
      for (let i = 0; i < n; i += 1) {
        await client.send(new PutItemCommand({ TableName: TABLE, Item: marshall(fields) }));
      }
    },
  );
  await pair(
    'find',
    async (n) => {
      for (let i = 0; i < n; i += 1) sink += (await repo.find(key))?.total ?? 0;
    },
    async (n) => {
      for (let i = 0; i < n; i += 1) {
        const out = await client.send(new GetItemCommand({ TableName: TABLE, Key: marshall(key) }));
        const found = out.Item === undefined ? undefined : (unmarshall(out.Item) as OrderFields);
        sink += found?.total ?? 0;
      }
    },
  );
  await pair(
    'query',
    async (n) => {
      for (let i = 0; i < n; i += 1)
        sink += (await repo.query({ customerId: CUSTOMER }).all()).length;
    },
    async (n) => {
      for (let i = 0; i < n; i += 1) sink += (await rawQuery(client, CUSTOMER)).length;
    },
  );

  // The mapper alone: entity -> item against marshall, item -> entity against unmarshall.
  const mapper = mapperFor(entityMetadata(PlainOrder));
  const item = marshall(fields);
  const mapping = async (name: string, theorydb: () => unknown, sdk: () => unknown) => {
    const measured = await compare(
      [
        { name: 'theorydb', batch: (n) => repeat(n, theorydb) },
        { name: 'sdk', batch: (n) => repeat(n, sdk) },
      ],
      { rounds, warmup, ops: mapOps },
    );
    figures[`${name}.theorydbOpsPerSec`] = medianOps(measured, 'theorydb');
    figures[`${name}.sdkOpsPerSec`] = medianOps(measured, 'sdk');
    figures[`${name}.ratio`] = ratio(measured, 'theorydb', 'sdk');
  };
  await mapping(
    'toItem',
    () => mapper.toItem(entity),
    () => marshall(fields),
  );
  await mapping(
    'fromItem',
    () => mapper.fromItem(item),
    () => unmarshall(item),
  );
  client.destroy();
  return figures;
}

/** The raw SDK's query of one partition: every page, each item unmarshalled. */
export async function rawQuery(
  client: StubDynamo['client'],
  customerId: string,
  table = TABLE,
): Promise<OrderFields[]> {
  const items: OrderFields[] = [];
  let startKey: Record<string, AttributeValue> | undefined;
  do {
    const out = await client.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': 'customerId' },
        ExpressionAttributeValues: { ':pk': { S: customerId } },
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of out.Items ?? []) items.push(unmarshall(item) as OrderFields);
    startKey = out.LastEvaluatedKey;
  } while (startKey !== undefined);
  return items;
}

function repeat(n: number, run: () => unknown): void {
  for (let i = 0; i < n; i += 1) if (run() === undefined) sink += 1;
}

/** Read by nobody; exported so the sink is observable and never dead code. */
export function benchSink(): number {
  return sink;
}
