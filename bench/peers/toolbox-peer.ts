import type { LocalDynamo } from '../../src/testing';
import { libraries } from '../libraries';
import { orderFields } from '../support/entities';
import { createKeyTable } from './create-table';
import { localClient, orderId, type Peer } from './peer';

const TABLE = 'bench-e2e-toolbox';

/**
 * dynamodb-toolbox 2: a Table over a DocumentClient, an Entity with an item schema, and the
 * PutItemCommand / GetItemCommand / QueryCommand actions (deep imports, as its docs recommend).
 */
export function toolboxPeer(dynamo: LocalDynamo): Peer {
  const { libDynamodb, toolbox } = libraries();
  const { DynamoDBDocumentClient } = libDynamodb;
  const { Entity } = toolbox.entity;
  const { GetItemCommand } = toolbox.get;
  const { PutItemCommand } = toolbox.put;
  const { boolean } = toolbox.boolean;
  const { item } = toolbox.item;
  const { number } = toolbox.number;
  const { string } = toolbox.string;
  const { Table } = toolbox.table;
  const { QueryCommand } = toolbox.query;
  const client = localClient(dynamo);
  const table = new Table({
    name: TABLE,
    partitionKey: { name: 'pk', type: 'string' },
    sortKey: { name: 'sk', type: 'string' },
    documentClient: DynamoDBDocumentClient.from(client),
  });
  const orders = new Entity({
    name: 'order',
    table,
    schema: item({
      customerId: string().key().savedAs('pk'),
      orderId: string().key().savedAs('sk'),
      status: string(),
      total: number(),
      currency: string(),
      quantity: number(),
      paid: boolean(),
      note: string(),
      cardToken: string(),
      email: string(),
      phone: string(),
    }),
  });
  return {
    name: 'dynamodb-toolbox',
    setup: () => createKeyTable(client, TABLE, 'pk', 'sk'),
    async put(customerId, n) {
      await orders.build(PutItemCommand).item(orderFields(customerId, n)).send();
    },
    async get(customerId, n) {
      const { Item } = await orders
        .build(GetItemCommand)
        .key({ customerId, orderId: orderId(n) })
        .send();
      return Item?.total ?? 0;
    },
    async query(customerId) {
      const { Items } = await table
        .build(QueryCommand)
        .entities(orders)
        .query({ partition: customerId })
        .send();
      return Items?.length ?? 0;
    },
    close: () => client.destroy(),
  };
}
