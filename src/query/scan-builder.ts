import type { RepositoryContext } from '../repository/repository-context';
import { consistentOnGlobalIndex } from './compile-read';
import { projectionOf } from './projection';
import { ReadBuilder, readState } from './read-builder';
import type { SegmentOptions } from './read-page';
import { checkedInteger, initialSpec, type ReadSpec, withSpec } from './read-spec';
import { findIndex } from './read-target';

/** DynamoDB's bound on TotalSegments. */
const MAX_SEGMENTS = 1_000_000;
const DEFAULT_CONCURRENCY = 4;

/**
 * A scan of the whole table (or of a secondary index). Immutable: each method returns a new
 * frozen builder. Filters, projection, limit, consistency and results work as for queries.
 *
 * @example
 * ```ts
 * const expired = await sessions
 *   .scan()
 *   .filter((c) => c.lt('expiresAt', new Date()))
 *   .select('sessionId')
 *   .all();
 * const total = await sessions.scan().segments(8, { concurrency: 4 }).count();
 * ```
 */
export class ScanBuilder<T extends object, R = T> extends ReadBuilder<T, R> {
  /** @internal Use `repo.scan()`. */
  constructor(context: RepositoryContext<T>, spec: ReadSpec) {
    super(context, spec);
    Object.freeze(this);
  }

  protected derive(spec: ReadSpec): this {
    return new ScanBuilder<T, R>(readState(this).context, spec) as this;
  }

  /**
   * Scans the secondary index `name` (declared with `@Index`) instead of the table, which reads
   * only the items that have the index's keys. An unknown name fails with `ValidationError`.
   *
   * @example
   * ```ts
   * const flagged = await users.scan().index('byFlag').all();
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
   * A parallel scan in `total` segments (DynamoDB's Segment / TotalSegments), at most
   * `concurrency` requests at a time (default: the smaller of `total` and 4). The segments
   * together cover the table exactly once. `all()`, `count()` and iteration read the segments
   * concurrently, iteration yielding items in the order pages arrive (segments interleave).
   * `page()` reads one request from each of up to `concurrency` segments and returns them
   * together; its cursor records every unfinished segment's position.
   *
   * @example
   * ```ts
   * for await (const user of users.scan().segments(8, { concurrency: 2 })) {
   *   await reindex(user);
   * }
   * ```
   */
  segments(total: number, options: SegmentOptions = {}): this {
    const { context, spec } = readState(this);
    const { className } = context.metadata;
    const segments = checkedInteger(total, 'segments()', className, 1, MAX_SEGMENTS);
    const concurrency =
      options.concurrency === undefined
        ? Math.min(segments, DEFAULT_CONCURRENCY)
        : checkedInteger(options.concurrency, 'segments() concurrency', className);
    return this.derive(
      withSpec(spec, {
        segments: Object.freeze({ total: segments, concurrency: Math.min(concurrency, segments) }),
      }),
    );
  }

  /**
   * Reads only `properties`; see `QueryBuilder.select`. Selecting an encrypted property also
   * fetches the table's key attributes, needed to decrypt it.
   *
   * @example
   * ```ts
   * const emails = await users.scan().select('id', 'email').all();
   * ```
   */
  select<K extends keyof T & string>(...properties: K[]): ScanBuilder<T, Pick<T, K>> {
    const { context, spec } = readState(this);
    const projection = projectionOf(context.metadata, properties);
    return new ScanBuilder<T, Pick<T, K>>(context, withSpec(spec, { projection }));
  }
}

/** @internal The builder of `repo.scan()`. */
export function newScan<T extends object>(context: RepositoryContext<T>): ScanBuilder<T> {
  return new ScanBuilder<T>(context, initialSpec('scan'));
}
