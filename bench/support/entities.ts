import 'reflect-metadata';
import { Attribute, Encrypted, Entity, PartitionKey, PrimaryKey, Signed, SortKey } from '../../src';

// The entities every section uses. Eleven attributes of the kinds most tables hold: two string
// keys, short strings, numbers, a boolean, and three values that are personal or secret (a card
// token, an e-mail address, a phone number), stored in clear here and encrypted in SecretOrder.

/** An order with every attribute in clear. */
@Entity({ table: 'bench-orders', name: 'Order' })
export class PlainOrder {
  declare [PrimaryKey]?: 'customerId' | 'orderId';
  @PartitionKey() customerId!: string;
  @SortKey() orderId!: string;
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

/** The same order with its three sensitive attributes `@Encrypted`. */
@Entity({ table: 'bench-secret-orders', name: 'SecretOrder' })
export class SecretOrder {
  declare [PrimaryKey]?: 'customerId' | 'orderId';
  @PartitionKey() customerId!: string;
  @SortKey() orderId!: string;
  @Attribute() status!: string;
  @Attribute() total!: number;
  @Attribute() currency!: string;
  @Attribute() quantity!: number;
  @Attribute() paid!: boolean;
  @Attribute() note!: string;
  @Encrypted() cardToken!: string;
  @Encrypted() email!: string;
  @Encrypted() phone!: string;
}

/** The order in clear, with two attributes `@Signed` (authenticated, not encrypted). */
@Entity({ table: 'bench-signed-orders', name: 'SignedOrder' })
export class SignedOrder {
  declare [PrimaryKey]?: 'customerId' | 'orderId';
  @PartitionKey() customerId!: string;
  @SortKey() orderId!: string;
  @Signed() @Attribute() status!: string;
  @Attribute() total!: number;
  @Attribute() currency!: string;
  @Attribute() quantity!: number;
  @Attribute() paid!: boolean;
  @Attribute() note!: string;
  @Attribute() cardToken!: string;
  @Signed() @Attribute() email!: string;
  @Attribute() phone!: string;
}

/** The attributes of an order as a plain object: what the raw SDK and the peers store. */
export interface OrderFields {
  customerId: string;
  orderId: string;
  status: string;
  total: number;
  currency: string;
  quantity: number;
  paid: boolean;
  note: string;
  cardToken: string;
  email: string;
  phone: string;
}

/** The fields of order number `n` of `customerId`. Deterministic, so runs store the same bytes. */
export function orderFields(customerId: string, n: number): OrderFields {
  return {
    customerId,
    orderId: `order-${String(n).padStart(6, '0')}`,
    status: n % 3 === 0 ? 'delivered' : 'shipped',
    total: 100 + (n % 1000) / 100,
    currency: 'EUR',
    quantity: 1 + (n % 5),
    paid: n % 2 === 0,
    note: 'Leave the parcel at the back door, please.',
    cardToken: `tok_4242424242424242_${String(n).padStart(6, '0')}`,
    email: `customer.${n}@example.com`,
    phone: `+44 20 7946 ${String(n % 10000).padStart(4, '0')}`,
  };
}

/** A PlainOrder instance of `orderFields(customerId, n)`. */
export function plainOrder(customerId: string, n: number): PlainOrder {
  return Object.assign(new PlainOrder(), orderFields(customerId, n));
}

/** A SecretOrder instance of `orderFields(customerId, n)`. */
export function secretOrder(customerId: string, n: number): SecretOrder {
  return Object.assign(new SecretOrder(), orderFields(customerId, n));
}
