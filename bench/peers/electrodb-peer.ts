import type { LocalDynamo } from '../../src/testing';
import { libraries } from '../libraries';
import { orderFields } from '../support/entities';
import { createKeyTable } from './create-table';
import { localClient, orderId, type Peer } from './peer';

const TABLE = 'bench-e2e-electrodb';

/** ElectroDB 3: an Entity schema with composite keys, put / get / query.primary, each `.go()`. */
export function electrodbPeer(dynamo: LocalDynamo): Peer {
  const { Entity } = libraries().electrodb;
  const client = localClient(dynamo);
  const orders = new Entity(
    {
      model: { entity: 'order', version: '1', service: 'bench' },
      attributes: {
        customerId: { type: 'string', required: true },
        orderId: { type: 'string', required: true },
        status: { type: 'string' },
        total: { type: 'number' },
        currency: { type: 'string' },
        quantity: { type: 'number' },
        paid: { type: 'boolean' },
        note: { type: 'string' },
        cardToken: { type: 'string' },
        email: { type: 'string' },
        phone: { type: 'string' },
      },
      indexes: {
        primary: {
          pk: { field: 'pk', composite: ['customerId'] },
          sk: { field: 'sk', composite: ['orderId'] },
        },
      },
    },
    { client, table: TABLE },
  );
  return {
    name: 'ElectroDB',
    setup: () => createKeyTable(client, TABLE, 'pk', 'sk'),
    async put(customerId, n) {
      await orders.put(orderFields(customerId, n)).go();
    },
    async get(customerId, n) {
      return (await orders.get({ customerId, orderId: orderId(n) }).go()).data?.total ?? 0;
    },
    async query(customerId) {
      return (await orders.query.primary({ customerId }).go()).data.length;
    },
    close: () => client.destroy(),
  };
}
