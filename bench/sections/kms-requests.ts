import { type AttributeValue, DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import { parseEnvelope } from '../../src/crypto/envelope';
import type { LocalDynamo, LocalKms } from '../../src/testing';
import { SecretOrder, secretOrder } from '../support/entities';
import { DynamoCounter } from '../support/dynamo-counter';
import type { Figures } from '../support/figures';
import { encryptedDb } from '../support/local-kms-db';
import type { BenchSettings } from '../support/settings';

/**
 * Section 3: KMS requests, counted by LocalKms as they arrive, for saves, batch saves and a query
 * against DynamoDB Local. Every measurement starts from a fresh TheoryDb (nothing resolved, nothing
 * cached), so the counts include its DescribeKey.
 */
export async function kmsRequestsSection(
  settings: BenchSettings,
  dynamo: LocalDynamo,
  kms: LocalKms,
): Promise<Figures> {
  const { sequential, concurrent, batch, query } = settings.kms;
  const client = new DynamoDBClient({
    region: dynamo.region,
    endpoint: dynamo.endpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const dynamoRequests = new DynamoCounter(client);
  await encryptedDb(client, kms, { cache: false }).createTable(SecretOrder, { ifNotExists: true });
  const figures: Figures = {
    'sequentialSaves.count': sequential,
    'concurrentColdSaves.count': concurrent,
    'batchSave.count': batch,
  };
  const record = (prefix: string) => {
    figures[`${prefix}.GenerateDataKey`] = kms.calls('GenerateDataKey');
    figures[`${prefix}.Decrypt`] = kms.calls('Decrypt');
    figures[`${prefix}.DescribeKey`] = kms.calls('DescribeKey');
  };
  const measure = async (
    prefix: string,
    cache: boolean,
    run: (db: ReturnType<typeof encryptedDb>) => Promise<unknown>,
  ) => {
    const db = encryptedDb(client, kms, { cache });
    kms.resetCalls();
    dynamoRequests.reset();
    await run(db);
    record(prefix);
  };

  for (const cache of [false, true]) {
    const mode = cache ? 'cacheOn' : 'cacheOff';
    await measure(`sequentialSaves.${mode}`, cache, async (db) => {
      const repo = db.repository(SecretOrder);
      for (let n = 0; n < sequential; n += 1) await repo.save(secretOrder(`seq-${mode}`, n));
    });
  }
  await measure('concurrentColdSaves.cacheOn', true, async (db) => {
    const repo = db.repository(SecretOrder);
    await Promise.all(
      Array.from({ length: concurrent }, (_, n) => repo.save(secretOrder('concurrent', n))),
    );
  });
  for (const cache of [false, true]) {
    const mode = cache ? 'cacheOn' : 'cacheOff';
    await measure(`batchSave.${mode}`, cache, async (db) => {
      const entities = Array.from({ length: batch }, (_, n) => secretOrder(`batch-${mode}`, n));
      await db.repository(SecretOrder).batchSave(entities);
    });
    figures[`batchSave.${mode}.batchWriteRequests`] = dynamoRequests.count('BatchWriteItemCommand');
  }

  // The query reads the items one batchSave wrote together (cache off when written).
  const partition = 'batch-cacheOff';
  figures['query.items'] = Math.min(query, batch);
  figures['query.distinctDataKeys'] = await distinctDataKeys(client, partition);
  for (const cache of [false, true]) {
    const mode = cache ? 'cacheOn' : 'cacheOff';
    await measure(`query.${mode}`, cache, async (db) => {
      const items = await db
        .repository(SecretOrder)
        .query({ customerId: partition })
        .limit(query)
        .all();
      figures[`query.${mode}.itemsRead`] = items.length;
    });
    figures[`query.${mode}.queryRequests`] = dynamoRequests.count('QueryCommand');
  }
  figures['batchSave.cacheOff.GenerateDataKeyPerBatchRequest'] =
    figures['batchSave.cacheOff.GenerateDataKey'] /
    figures['batchSave.cacheOff.batchWriteRequests'];
  for (const mode of ['cacheOff', 'cacheOn']) {
    figures[`query.${mode}.DecryptPerDistinctKey`] =
      figures[`query.${mode}.Decrypt`] / figures['query.distinctDataKeys'];
  }
  client.destroy();
  return figures;
}

/** The distinct wrapped data keys in the encrypted attributes of one partition. */
async function distinctDataKeys(client: DynamoDBClient, customerId: string): Promise<number> {
  const keys = new Set<string>();
  let startKey: Record<string, AttributeValue> | undefined;
  do {
    const out = await client.send(
      new QueryCommand({
        TableName: 'bench-secret-orders',
        KeyConditionExpression: 'customerId = :pk',
        ExpressionAttributeValues: { ':pk': { S: customerId } },
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of out.Items ?? []) {
      const bytes = item.__td?.B;
      if (bytes !== undefined) {
        keys.add(Buffer.from(parseEnvelope(bytes).entries[0].wrappedKey).toString('base64'));
      }
    }
    startKey = out.LastEvaluatedKey;
  } while (startKey !== undefined);
  return keys.size;
}
