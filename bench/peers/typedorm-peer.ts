import {
  Attribute as TypedormAttribute,
  Entity as TypedormEntity,
  Table as TypedormTable,
} from '@typedorm/common';
import { createConnection } from '@typedorm/core';
import { DocumentClientV3 } from '@typedorm/document-client';
import type { LocalDynamo } from '../../src/testing';
import { orderFields } from '../support/entities';
import { createKeyTable } from './create-table';
import { localClient, orderId, type Peer } from './peer';

const TABLE = 'bench-e2e-typedorm';

let connections = 0;

const typedormTable = new TypedormTable({ name: TABLE, partitionKey: 'PK', sortKey: 'SK' });

/** The order as a TypeDORM entity: key templates over its attributes. */
@TypedormEntity({
  name: 'order',
  table: typedormTable,
  primaryKey: { partitionKey: 'CUSTOMER#{{customerId}}', sortKey: 'ORDER#{{orderId}}' },
})
class TypedormOrder {
  @TypedormAttribute() customerId!: string;
  @TypedormAttribute() orderId!: string;
  @TypedormAttribute() status!: string;
  @TypedormAttribute() total!: number;
  @TypedormAttribute() currency!: string;
  @TypedormAttribute() quantity!: number;
  @TypedormAttribute() paid!: boolean;
  @TypedormAttribute() note!: string;
  @TypedormAttribute() cardToken!: string;
  @TypedormAttribute() email!: string;
  @TypedormAttribute() phone!: string;
}

/**
 * TypeDORM 1.15: a decorated class, a connection with the AWS SDK v3 document client
 * (`DocumentClientV3`, per its upgrade guide), and the entity manager's create / findOne / find.
 */
export function typedormPeer(dynamo: LocalDynamo): Peer {
  const client = localClient(dynamo);
  const connection = createConnection({
    // A connection name is registered for the life of the process: one per run.
    name: `theorydb-bench-${(connections += 1)}`,
    table: typedormTable,
    entities: [TypedormOrder],
    documentClient: new DocumentClientV3(client),
  });
  const manager = connection.entityManager;
  return {
    name: 'TypeDORM',
    setup: () => createKeyTable(client, TABLE, 'PK', 'SK'),
    async put(customerId, n) {
      await manager.create(Object.assign(new TypedormOrder(), orderFields(customerId, n)));
    },
    async get(customerId, n) {
      const found = await manager.findOne(TypedormOrder, { customerId, orderId: orderId(n) });
      return found?.total ?? 0;
    },
    async query(customerId) {
      return (await manager.find(TypedormOrder, { customerId })).items.length;
    },
    close: () => client.destroy(),
  };
}
