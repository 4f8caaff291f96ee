/**
 * Declares which properties form an entity's key, for the type checker only. Without it, a key
 * object is any subset of the entity's scalar properties (checked at run time); with it, the
 * compiler requires exactly those properties.
 *
 * @example
 * ```ts
 * @Entity({ table: 'orders' })
 * class Order {
 *   declare [PrimaryKey]?: 'customerId' | 'orderId';
 *   @PartitionKey() customerId!: string;
 *   @SortKey() orderId!: string;
 * }
 * await db.repository(Order).find({ customerId: 'c1', orderId: 'o1' }); // both required
 * ```
 */
export const PrimaryKey: unique symbol = Symbol('theorydb.primaryKey');

/** The value types a key property can have. */
export type KeyValue = string | number | bigint | Uint8Array | Date;

type ScalarProperties<T> = {
  [P in keyof T]-?: NonNullable<T[P]> extends KeyValue ? P : never;
}[keyof T] &
  string;

/**
 * The key object of an entity: exactly its key properties when it declares `[PrimaryKey]`,
 * otherwise its scalar properties, all optional (the run-time check requires the key ones).
 */
export type EntityKey<T> = T extends { [PrimaryKey]?: infer K }
  ? [K] extends [keyof T]
    ? { [P in K]-?: NonNullable<T[P]> }
    : never
  : { [P in ScalarProperties<T>]?: T[P] };
