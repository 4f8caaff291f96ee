import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { LocalDynamo } from '../../src/testing';
import { type OrderFields, orderFields } from '../support/entities';
import { rawQuery } from '../sections/overhead';
import { createKeyTable } from './create-table';
import { localClient, orderId, type Peer } from './peer';

/** The raw SDK: PutItem / GetItem / Query with `@aws-sdk/util-dynamodb` marshalling. */
export function rawSdkPeer(dynamo: LocalDynamo, table = 'bench-e2e-raw'): Peer {
  const client = localClient(dynamo);
  return {
    name: 'raw SDK',
    setup: () => createKeyTable(client, table, 'customerId', 'orderId'),
    async put(customerId, n) {
      await client.send(
        new PutItemCommand({ TableName: table, Item: marshall(orderFields(customerId, n)) }),
      );
    },
    async get(customerId, n) {
      const out = await client.send(
        new GetItemCommand({
          TableName: table,
          Key: marshall({ customerId, orderId: orderId(n) }),
        }),
      );
      return out.Item === undefined ? 0 : (unmarshall(out.Item) as OrderFields).total;
    },
    async query(customerId) {
      return (await rawQuery(client, customerId, table)).length;
    },
    close: () => client.destroy(),
  };
}
