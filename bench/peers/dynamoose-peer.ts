import type { LocalDynamo } from '../../src/testing';
import { libraries } from '../libraries';
import { orderFields } from '../support/entities';
import { createKeyTable } from './create-table';
import { localClient, orderId, type Peer } from './peer';

const TABLE = 'bench-e2e-dynamoose';

/**
 * Dynamoose 4: a Schema and a model on an existing table (`create: false`, `waitForActive:
 * false`, as its docs recommend for production), `new Model(item).save()`, `Model.get`,
 * `Model.query(...).eq(...).exec()`.
 */
export function dynamoosePeer(dynamo: LocalDynamo): Peer {
  const { dynamoose } = libraries();
  const ddb = new dynamoose.aws.ddb.DynamoDB({
    region: dynamo.region,
    endpoint: dynamo.endpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  dynamoose.aws.ddb.set(ddb);
  const schema = new dynamoose.Schema({
    customerId: { type: String, hashKey: true },
    orderId: { type: String, rangeKey: true },
    status: String,
    total: Number,
    currency: String,
    quantity: Number,
    paid: Boolean,
    note: String,
    cardToken: String,
    email: String,
    phone: String,
  });
  const Order = dynamoose.model(TABLE, schema, { create: false, waitForActive: false });
  return {
    name: 'Dynamoose',
    async setup() {
      const client = localClient(dynamo);
      await createKeyTable(client, TABLE, 'customerId', 'orderId');
      client.destroy();
    },
    async put(customerId, n) {
      await new Order(orderFields(customerId, n)).save();
    },
    async get(customerId, n) {
      const found = await Order.get({ customerId, orderId: orderId(n) });
      return (found as unknown as { total?: number } | undefined)?.total ?? 0;
    },
    async query(customerId) {
      return (await Order.query('customerId').eq(customerId).exec()).length;
    },
    close: () => ddb.destroy(),
  };
}
