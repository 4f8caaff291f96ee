/**
 * One page of a query or scan. `cursor` is present when more items may follow: pass it to the
 * next `page({ cursor })` of the same query. `items` may be empty while `cursor` is present, when
 * the filter matched nothing among the items this page read; keep going until there is no cursor.
 *
 * @example
 * ```ts
 * const { items, cursor } = await repo.query({ customerId: 'c1' }).page({ size: 25 });
 * ```
 */
export interface ReadPage<R> {
  readonly items: R[];
  readonly cursor?: string;
}

/**
 * Options of `page()`.
 *
 * @example
 * ```ts
 * await repo.query({ customerId: 'c1' }).page({ cursor: previous.cursor, size: 25 });
 * ```
 */
export interface PageOptions {
  /** The cursor of the previous page of the same query; omit it for the first page. */
  cursor?: string;
  /**
   * DynamoDB's `Limit` for the page's request: the number of items read, before the filter.
   * Default: DynamoDB's own page (up to 1 MB). Of a parallel scan, the limit of each segment's
   * request.
   */
  size?: number;
}

/**
 * Options of `scan().segments(n, options)`.
 *
 * @example
 * ```ts
 * await repo.scan().segments(8, { concurrency: 2 }).all();
 * ```
 */
export interface SegmentOptions {
  /** How many segments are read at the same time. Default: the smaller of `n` and 4. */
  concurrency?: number;
}
