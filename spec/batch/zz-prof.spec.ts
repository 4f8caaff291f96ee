import { Encrypted, Entity, PartitionKey, TheoryDb, Attribute } from '../../src';
import { sharedDynamo, sharedKms, uniqueTable } from '../support/stack';
import { scanAll } from './support/batch-clients';

@Entity({ table: uniqueTable('prof'), name: 'Prof' })
class Prof { @PartitionKey() id!: string; @Encrypted() token?: string; @Attribute() label?: string; }
@Entity({ table: uniqueTable('prof-plain'), name: 'Plain' })
class Plain { @PartitionKey() id!: string; @Attribute() token?: string; @Attribute() label?: string; }

describe('prof', () => {
  it('times', async () => {
    const kms = await sharedKms();
    await kms.createKey({ alias: 'alias/prof' });
    const dynamo = await sharedDynamo();
    const db = new TheoryDb({ dynamodb: dynamo.client, kms: { client: kms.client(), keyId: 'alias/prof' } });
    await db.createTable(Prof); await db.createTable(Plain);
    for (const C of [Plain, Prof, Plain, Prof] as const) {
      const repo = db.repository(C as typeof Prof);
      const es = Array.from({ length: 1000 }, (_, i) => Object.assign(new C(), { id: `x${i}`, token: `tok-${i}`, label: 'l' }));
      let t = performance.now();
      await repo.batchSave(es as Prof[]);
      const save = performance.now() - t; t = performance.now();
      await repo.batchFind(es.map((e) => ({ id: e.id })));
      const find = performance.now() - t; t = performance.now();
      await scanAll(repo.metadata.table);
      const scan = performance.now() - t;
      console.log(C.name, { save: Math.round(save), find: Math.round(find), scan: Math.round(scan) });
    }
  });
});
