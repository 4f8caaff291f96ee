import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { TheoryDb } from '../src';
import { PlainOrder, orderFields, plainOrder } from './support/entities';
import { StubDynamo } from './support/stub-dynamo';
import { compare } from './support/harness';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
async function main() {
  const stub = new StubDynamo();
  const client = stub.client;
  const repo = new TheoryDb({ dynamodb: client }).repository(PlainOrder);
  const fields = orderFields('c', 1);
  const entity = plainOrder('c', 1);
  const m = await compare([
    { name: 'theorydb', batch: async (n) => { for (let i = 0; i < n; i++) await repo.save(entity); } },
    { name: 'raw', batch: async (n) => { for (let i = 0; i < n; i++) await client.send(new PutItemCommand({ TableName: 'bench-orders', Item: marshall(fields) })); } },
  ], { rounds: Number(process.argv[2] ?? 10), warmup: 3, ops: 300 });
  const t = m.samples.get('theorydb')!, r = m.samples.get('raw')!;
  console.log(t.map((v, i) => `${v.toFixed(0)} ${r[i].toFixed(0)} ${(v / r[i]).toFixed(2)}`).join('\n'));
}
void main();
