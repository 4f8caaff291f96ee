import { TheoryDb } from '../../src';
import type { LocalDynamo } from '../../src/testing';
import { PlainOrder, plainOrder } from '../support/entities';
import { localClient, orderId, type Peer } from './peer';

/** theorydb: a decorated class, `db.repository(Order)`, save / find / query(...).all(). */
export function theorydbPeer(dynamo: LocalDynamo): Peer {
  const client = localClient(dynamo);
  const db = new TheoryDb({ dynamodb: client });
  const orders = db.repository(PlainOrder);
  return {
    name: 'theorydb',
    setup: () => db.createTable(PlainOrder, { ifNotExists: true }),
    async put(customerId, n) {
      await orders.save(plainOrder(customerId, n));
    },
    async get(customerId, n) {
      return (await orders.find({ customerId, orderId: orderId(n) }))?.total ?? 0;
    },
    async query(customerId) {
      return (await orders.query({ customerId }).all()).length;
    },
    close: () => client.destroy(),
  };
}
