import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { Attribute, Encrypted, Entity, PartitionKey, TheoryDb, entityMetadata } from '../../src';
import { sharedDynamo, sharedKms, uniqueTable } from '../support/stack';

@Entity({ table: uniqueTable('probe') })
class P {
  @PartitionKey() id!: string;
  @Encrypted() @Attribute({ name: 'tok' }) token?: string;
  @Encrypted() big?: bigint;
  @Encrypted() tags?: Set<string>;
}

describe('probe', () => {
  it('probes', async () => {
    const kms = await sharedKms();
    const dynamo = await sharedDynamo();
    const arn = await kms.createKey({ alias: 'alias/probe-' + process.pid });
    const client = kms.client({ maxAttempts: 1 });
    const db = new TheoryDb({ dynamodb: dynamo.client, kms: { client, keyId: arn, timeoutMs: 300 } });
    await db.createTable(P);
    console.log(entityMetadata(P).attributes.map((a) => [a.property, a.codec.kind]));
    const repo = db.repository(P);
    await repo.save(Object.assign(new P(), { id: 'a', token: 'x', big: 5n, tags: new Set(['q']) }));
    const raw = await dynamo.client.send(new GetItemCommand({ TableName: repo.metadata.table, Key: { id: { S: 'a' } } }));
    const b = Buffer.from(raw.Item!.tok.B!);
    b[b.length - 3] ^= 1;
    await dynamo.client.send(new PutItemCommand({ TableName: repo.metadata.table, Item: { ...raw.Item!, tok: { B: b } } }));
    const e1 = await repo.find({ id: 'a' }).catch((e) => e);
    console.log('renamed', e1.code, e1.field, e1.entity);
    for (const [what, f] of [
      ['500', () => kms.failNext(1, 'WeirdServerError', { status: 500, operation: 'GenerateDataKey' })],
      ['503', () => kms.failNext(1, 'ServiceUnavailableException', { status: 503, operation: 'GenerateDataKey' })],
      ['reset', () => kms.resetConnections(1, { operation: 'GenerateDataKey' })],
      ['latency', () => kms.setLatency(1000, { operation: 'GenerateDataKey' })],
      ['internal', () => kms.failNext(1, 'KMSInternalException', { operation: 'GenerateDataKey' })],
      ['unknown400', () => kms.failNext(1, 'OddException', { operation: 'GenerateDataKey' })],
    ] as const) {
      f();
      const t = Date.now();
      const e = await repo.save(Object.assign(new P(), { id: 'b', token: 'y' })).catch((x) => x);
      console.log(what, e.code, e.retryable, e.field, e.keyArn, e.message, String(e.cause), Date.now() - t);
      kms.clearFaults();
    }
  });
});
