import { ValidationError } from '../errors';
import type { RepositoryContext } from '../repository/repository-context';
import type { KeyValue } from '../repository/entity-key';
import { consistentOnGlobalIndex } from './compile-read';
import { projectionOf } from './projection';
import { ReadBuilder, readState } from './read-builder';
import { type ReadSpec, initialSpec, withSpec } from './read-spec';
import { findIndex } from './read-target';
import { type SortKeyCondition, SortKeyConditionBuilder } from './sort-key-condition';

/**
 * The properties of `T` that can be key values (string, number, bigint, Uint8Array, Date).
 *
 * @example
 * ```ts
 * type OrderKeys = KeyProperty<Order>; // 'customerId' | 'orderId' | 'total' | ...
 * ```
 */
export type KeyProperty<T> = {
  [P in keyof T]-?: NonNullable<T[P]> extends KeyValue ? P : never;
}[keyof T] &
  string;

/**
 * The partition of a query: an object with one property, the partition key of the table (or of
 * the index chosen with `.index(name)`), such as `{ customerId: 'c1' }`. The compiler allows any
 * one key-typed property (it cannot know which index will be chosen) and refuses a second one;
 * which property is right is checked before the first request.
 *
 * @example
 * ```ts
 * const partition: QueryPartition<Order> = { customerId: 'c1' };
 * await orders.query(partition).all();
 * ```
 */
export type QueryPartition<T> = {
  [P in KeyProperty<T>]: { readonly [Q in P]: NonNullable<T[Q]> } & {
    readonly [Q in Exclude<KeyProperty<T>, P>]?: never;
  };
}[KeyProperty<T>];

/**
 * A query of one partition of the table or of a secondary index. Immutable: each method returns
 * a new frozen builder. Nothing is checked against the network or sent until results are asked
 * for (`page`, `all`, `count`, `for await`); then the partition object, the sort-key condition and
 * the filters are checked before the first request, and encrypted properties are refused with
 * `ENCRYPTED_FIELD_NOT_QUERYABLE`. Every item of every response must carry the partition value
 * asked for and a sort key inside the condition (of the table or index queried), or the page
 * fails with `ResponseMismatchError` (`RESPONSE_MISMATCH`) before anything is decrypted.
 *
 * @example
 * ```ts
 * const recent = await orders
 *   .query({ customerId: 'c1' })
 *   .sortKey((k) => k.beginsWith('2026-'))
 *   .filter((c) => c.eq('status', 'open'))
 *   .reverse()
 *   .limit(20)
 *   .all();
 * const byEmail = await users.query({ email: 'ada@example.com' }).index('byEmail').all();
 * ```
 */
export class QueryBuilder<T extends object, R = T> extends ReadBuilder<T, R> {
  /** @internal Use `repo.query(partition)`. */
  constructor(context: RepositoryContext<T>, spec: ReadSpec) {
    super(context, spec);
    Object.freeze(this);
  }

  protected derive(spec: ReadSpec): this {
    return new QueryBuilder<T, R>(readState(this).context, spec) as this;
  }

  /**
   * Restricts the query to sort-key values matching `build`'s condition, on the sort key of the
   * table or of the chosen index. Name the sort key property to have it (and the value type)
   * checked: naming another property fails with `ValidationError`, an encrypted one with
   * `ENCRYPTED_FIELD_NOT_QUERYABLE`. A later call replaces an earlier one.
   *
   * @example
   * ```ts
   * repo.query({ customerId: 'c1' }).sortKey((k) => k.between('2026-01-01', '2026-01-31'));
   * repo.query({ customerId: 'c1' }).sortKey('orderedAt', (k) => k.gte(new Date('2026-01-01')));
   * ```
   */
  sortKey(build: (k: SortKeyConditionBuilder) => SortKeyCondition): this;
  sortKey<K extends keyof T & string>(
    property: K,
    build: (k: SortKeyConditionBuilder<NonNullable<T[K]>>) => SortKeyCondition,
  ): this;
  sortKey(
    first: string | ((k: SortKeyConditionBuilder<never>) => SortKeyCondition),
    second?: (k: SortKeyConditionBuilder<never>) => SortKeyCondition,
  ): this {
    const property = typeof first === 'string' ? first : undefined;
    const build = typeof first === 'string' ? second : first;
    if (typeof build !== 'function') {
      throw new ValidationError(
        'sortKey() needs a function building the condition, such as (k) => k.eq(v)',
      );
    }
    const condition = build(new SortKeyConditionBuilder<never>());
    const sortKey = Object.freeze({ property, condition });
    return this.derive(withSpec(readState(this).spec, { sortKey }));
  }

  /**
   * Queries the secondary index `name` (declared with `@Index`) instead of the table; the
   * partition object and `sortKey()` then refer to the index's keys. An unknown name fails with
   * `ValidationError`.
   *
   * @example
   * ```ts
   * const open = await orders.query({ status: 'open' }).index('byStatus').all();
   * ```
   */
  index(name: string): this {
    const { context, spec } = readState(this);
    const index = findIndex(context.metadata, name);
    if (spec.consistent && index.kind === 'global') {
      throw consistentOnGlobalIndex(context.metadata, index.name);
    }
    return this.derive(withSpec(spec, { index }));
  }

  /**
   * Returns items in descending sort-key order (`ScanIndexForward: false`).
   *
   * @example
   * ```ts
   * const newest = await repo.query({ customerId: 'c1' }).reverse().limit(1).all();
   * ```
   */
  reverse(): this {
    return this.derive(withSpec(readState(this).spec, { reverse: true }));
  }

  /**
   * Reads only `properties` (a ProjectionExpression). The instances returned have exactly these
   * properties. Selecting an encrypted property also fetches the table's key attributes, which
   * its ciphertext is bound to; it is returned decrypted, and the keys are not added to the
   * instances unless selected.
   *
   * @example
   * ```ts
   * const tokens = await repo.query({ userId: 'u1' }).select('service', 'apiToken').all();
   * tokens[0].apiToken; // decrypted
   * ```
   */
  select<K extends keyof T & string>(...properties: K[]): QueryBuilder<T, Pick<T, K>> {
    const { context, spec } = readState(this);
    const projection = projectionOf(context.metadata, properties);
    return new QueryBuilder<T, Pick<T, K>>(context, withSpec(spec, { projection }));
  }
}

/** @internal The builder of `repo.query(partition)`. */
export function newQuery<T extends object>(
  context: RepositoryContext<T>,
  partition: QueryPartition<T>,
): QueryBuilder<T> {
  return new QueryBuilder<T>(context, initialSpec('query', partition));
}
