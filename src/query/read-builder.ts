import { inspect, type InspectOptionsStylized } from 'node:util';
import { ValidationError } from '../errors';
import { type ConditionInput, toCondition } from '../expressions/condition-builder';
import { printedSummary } from '../repository/printed-summary';
import { registeredContext } from '../repository/context-registry';
import type { RepositoryContext } from '../repository/repository-context';
import { consistentOnGlobalIndex } from './compile-read';
import { segmentedCount, segmentedItems, segmentedPage } from './parallel-scan';
import type { PageOptions, ReadPage } from './read-page';
import { checkedInteger, type ReadSpec, withSpec } from './read-spec';
import { sequentialCount, sequentialItems, sequentialPage } from './sequential-read';

/** @internal What a builder was made with. */
export interface ReadState<T extends object> {
  readonly context: RepositoryContext<T>;
  readonly spec: ReadSpec;
}

// Outside the builders, like TransactionBuilder's: a builder's context holds the cursor key and
// the clients, and its spec the partition value. Kept here, they are neither properties a log
// line could print (`console.dir` skips util.inspect.custom) nor reachable from a builder.
const states = new WeakMap<object, ReadState<object>>();

/** @internal The context and spec of a builder, for the builders themselves. */
export function readState<T extends object>(builder: ReadBuilder<T, unknown>): ReadState<T> {
  const state = states.get(builder);
  if (state === undefined) throw new Error('theorydb internal error: unknown read builder');
  return state as unknown as ReadState<T>;
}

/**
 * What queries and scans share: filters, limit, consistency, and the four ways to get results
 * (`page`, `all`, `count`, `for await`). Builders are immutable: every method returns a new frozen
 * builder and leaves this one as it was, so a base query can be shared and refined.
 *
 * `T` is the entity (filters name its properties); `R` is what results hold (`T`, or the picked
 * properties of `T` after `select`).
 */
export abstract class ReadBuilder<T extends object, R> implements AsyncIterable<R> {
  /**
   * @internal Builders come from `repo.query()` and `repo.scan()`; QueryBuilder and ScanBuilder
   * are exported for their types, and refuse (`VALIDATION`) any context theorydb did not build.
   */
  protected constructor(context: RepositoryContext<T>, spec: ReadSpec) {
    states.set(this, { context: registeredContext<T>(context), spec });
  }

  /** A builder of the same kind with `spec`. */
  protected abstract derive(spec: ReadSpec): this;

  /**
   * Keeps only the items matching `condition`. Several `filter` calls are ANDed. Filters apply
   * after DynamoDB reads the items: they save transfer, not read capacity. Encrypted properties
   * are refused with `ENCRYPTED_FIELD_NOT_QUERYABLE`, `exists` and `notExists` included.
   *
   * @example
   * ```ts
   * repo.query({ customerId: 'c1' })
   *   .filter((c) => c.eq('status', 'open'))
   *   .filter((c) => c.or(c.gt('total', 100), c.contains('tags', 'vip')));
   * ```
   */
  filter(condition: ConditionInput<T>): this {
    const { spec } = readState(this);
    return this.derive(
      withSpec(spec, { filters: Object.freeze([...spec.filters, toCondition(condition)]) }),
    );
  }

  /**
   * At most `n` items in all from `all()`, iteration and `count()`. Does not affect `page()`,
   * whose size is its own `size` option.
   *
   * @example
   * ```ts
   * const latest = await repo.query({ customerId: 'c1' }).reverse().limit(10).all();
   * ```
   */
  limit(n: number): this {
    const { context, spec } = readState(this);
    const limit = checkedInteger(n, 'limit()', context.metadata.className);
    return this.derive(withSpec(spec, { limit }));
  }

  /**
   * DynamoDB's `Limit` for each request this builder sends: the number of items read (before the
   * filter) per page. Smaller pages mean smaller, faster requests and fewer values decrypted per
   * operation; the default is DynamoDB's own page of up to 1 MB. `page({ size })` overrides it.
   *
   * @example
   * ```ts
   * for await (const order of repo.query({ customerId: 'c1' }).pageSize(100)) handle(order);
   * ```
   */
  pageSize(n: number): this {
    const { context, spec } = readState(this);
    const pageSize = checkedInteger(n, 'pageSize()', context.metadata.className);
    return this.derive(withSpec(spec, { pageSize }));
  }

  /**
   * Strongly consistent reads. Refused (ValidationError) on a global secondary index, which
   * DynamoDB can only read eventually consistently.
   *
   * @example
   * ```ts
   * const fresh = await repo.query({ customerId: 'c1' }).consistent().all();
   * ```
   */
  consistent(): this {
    const { context, spec } = readState(this);
    if (spec.index?.kind === 'global') {
      throw consistentOnGlobalIndex(context.metadata, spec.index.name);
    }
    return this.derive(withSpec(spec, { consistent: true }));
  }

  /**
   * Cancels the read: every request of `page()`, `all()`, `count()` and iteration is sent with
   * `signal` (passed to the SDK), none is sent once it is aborted, and the read then rejects (or
   * the iteration throws) `AbortedError` (`ABORTED`), never a partial result. The page's KMS
   * requests are cancelled too, except those shared with other calls (see
   * `RequestOptions.abortSignal`), which the page stops waiting for.
   *
   * @example
   * ```ts
   * const orders = await repo.query({ customerId: 'c1' }).abortSignal(AbortSignal.timeout(5_000)).all();
   * ```
   */
  abortSignal(signal: AbortSignal): this {
    const { context, spec } = readState(this);
    if (!(signal instanceof AbortSignal)) {
      throw new ValidationError(
        `${context.metadata.className}: abortSignal() expects an AbortSignal`,
        context.metadata.className,
      );
    }
    return this.derive(withSpec(spec, { abortSignal: signal }));
  }

  /**
   * One page: exactly one DynamoDB request (one per segment for a parallel scan) of `size` items
   * (default: `pageSize()`, else DynamoDB's 1 MB page), decrypted as one operation. Pass the returned `cursor` to get the next page; there is no cursor after the
   * last page. A page may hold fewer than `size` items, even none with a cursor, when the filter
   * rejected what the page read: that keeps the cost of each call bounded. A cursor only works for
   * the query that made it (same entity, table, index, partition value, direction and
   * segmentation) and the same `TheoryDb` cursor key; anything else fails with
   * `InvalidCursorError` (`INVALID_CURSOR`) before anything is sent. Filters, projection and page
   * size may change from page to page.
   *
   * @example
   * ```ts
   * const first = await repo.query({ customerId: 'c1' }).page({ size: 25 });
   * const second = await repo.query({ customerId: 'c1' }).page({ size: 25, cursor: first.cursor });
   * ```
   */
  page(options: PageOptions = {}): Promise<ReadPage<R>> {
    const { context, spec } = readState(this);
    return spec.segments === undefined
      ? sequentialPage<T, R>(context, spec, options)
      : segmentedPage<T, R>(context, spec, options);
  }

  /**
   * Every matching item (up to `limit()`), reading as many pages as needed.
   *
   * @example
   * ```ts
   * const orders = await repo.query({ customerId: 'c1' }).all();
   * ```
   */
  async all(): Promise<R[]> {
    const items: R[] = [];
    for await (const item of this) items.push(item);
    return items;
  }

  /**
   * The number of matching items (up to `limit()`), counted by DynamoDB (`Select: 'COUNT'`)
   * without transferring or decrypting them.
   *
   * @example
   * ```ts
   * const open = await repo.query({ customerId: 'c1' }).filter((c) => c.eq('status', 'open')).count();
   * ```
   */
  count(): Promise<number> {
    const { context, spec } = readState(this);
    return spec.segments === undefined
      ? sequentialCount(context, spec)
      : segmentedCount(context, spec);
  }

  /**
   * Iterates over the matching items (up to `limit()`), fetching each page only when the
   * previous one has been consumed. Each page is decrypted as one operation.
   *
   * @example
   * ```ts
   * for await (const order of repo.query({ customerId: 'c1' })) {
   *   if (order.total > 100) break; // stops reading
   * }
   * ```
   */
  [Symbol.asyncIterator](): AsyncIterator<R> {
    const { context, spec } = readState(this);
    return spec.segments === undefined
      ? sequentialItems<T, R>(context, spec)
      : segmentedItems<T, R>(context, spec);
  }

  /**
   * The table, entity, index and shape of the read, for logs: `JSON.stringify(builder)` and
   * `console.log(builder)` print these and nothing else. Never the partition value, sort-key or
   * filter values (they may be personal data), the cursor key or the clients.
   *
   * @example
   * ```ts
   * console.log(users.query({ email: 'ada@example.com' }).index('byEmail'));
   * // QueryBuilder<User> { table: 'users', entity: 'User', index: 'byEmail', filters: 0, ... }
   * ```
   */
  toJSON(): Record<string, unknown> {
    const { context, spec } = readState(this);
    return {
      table: context.metadata.table,
      entity: context.metadata.entityName,
      ...(spec.index === undefined ? {} : { index: spec.index.name }),
      filters: spec.filters.length,
      ...(spec.sortKey === undefined ? {} : { sortKey: spec.sortKey.condition.kind }),
      ...(spec.limit === undefined ? {} : { limit: spec.limit }),
      ...(spec.reverse ? { reverse: true } : {}),
      ...(spec.consistent ? { consistent: true } : {}),
      ...(spec.segments === undefined ? {} : { segments: spec.segments.total }),
    };
  }

  /** @internal What `util.inspect` prints: see {@link toJSON}. */
  [inspect.custom](depth: number, options: InspectOptionsStylized, print: typeof inspect): string {
    const { context, spec } = readState(this);
    const kind = spec.operation === 'query' ? 'QueryBuilder' : 'ScanBuilder';
    const name = `${kind}<${context.metadata.className}>`;
    return printedSummary(name, this.toJSON(), depth, options, print);
  }
}
