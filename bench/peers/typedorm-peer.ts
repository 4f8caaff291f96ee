import type { LocalDynamo } from '../../src/testing';
import { libraries } from '../libraries';
import { orderFields } from '../support/entities';
import { createKeyTable } from './create-table';
import { localClient, orderId, type Peer } from './peer';

const TABLE = 'bench-e2e-typedorm';

let connections = 0;

/** The order as a TypeDORM entity: key templates over its attributes (defined once, on first use). */
function typedormModel() {
  const { Attribute, Entity, Table } = libraries().typedormCommon;
  const table = new Table({ name: TABLE, partitionKey: 'PK', sortKey: 'SK' });

  @Entity({
    name: 'order',
    table,
    primaryKey: { partitionKey: 'CUSTOMER#{{customerId}}', sortKey: 'ORDER#{{orderId}}' },
  })
  class TypedormOrder {
    @Attribute() customerId!: string;
    @Attribute() orderId!: string;
    @Attribute() status!: string;
    @Attribute() total!: number;
    @Attribute() currency!: string;
    @Attribute() quantity!: number;
    @Attribute() paid!: boolean;
    @Attribute() note!: string;
    @Attribute() cardToken!: string;
    @Attribute() email!: string;
    @Attribute() phone!: string;
  }
  return { table, TypedormOrder };
}

let model: ReturnType<typeof typedormModel> | undefined;

/**
 * TypeDORM 1.15: a decorated class, a connection with the AWS SDK v3 document client
 * (`DocumentClientV3`, per its upgrade guide), and the entity manager's create / findOne / find.
 */
export function typedormPeer(dynamo: LocalDynamo): Peer {
  const { table: typedormTable, TypedormOrder } = (model ??= typedormModel());
  const { createConnection } = libraries().typedormCore;
  const { DocumentClientV3 } = libraries().typedormDocumentClient;
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
