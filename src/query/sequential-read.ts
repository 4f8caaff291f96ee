import type { Item } from '../mapping/entity-mapper';
import type { RepositoryContext } from '../repository/repository-context';
import { throwIfAborted } from '../repository/request-options';
import { runOperation } from '../repository/run-operation';
import { compileRead } from './compile-read';
import { decodeCursor, encodeCursor } from './cursor';
import { fetchPage, readPage } from './page-reader';
import type { PageOptions, ReadPage } from './read-page';
import { checkedInteger, type ReadSpec } from './read-spec';

/**
 * One page of a query or of a scan that is not segmented: exactly one DynamoDB request, decrypted
 * with its own data-key scope. A filter that matched nothing in the items read gives an empty
 * page with a cursor; the cost of a page is bounded by `size`, never by how rare matches are.
 */
export async function sequentialPage<T extends object, R>(
  context: RepositoryContext<T>,
  spec: ReadSpec,
  options: PageOptions,
): Promise<ReadPage<R>> {
  const { metadata } = context;
  const plan = compileRead(metadata, context.cursorKey, spec);
  const size = pageSize(options, metadata.className) ?? plan.pageSize;
  return runOperation(
    context,
    spec.operation,
    async (scope) => {
      let startKey: Item | undefined;
      if (options.cursor !== undefined) {
        const position = decodeCursor(plan.cursor, options.cursor);
        if (position.kind !== 'key') throw new Error('theorydb internal error: cursor kind');
        startKey = position.key;
      }
      const page = await readPage<T, R>(context, plan, { startKey, limit: size }, scope);
      return page.lastKey === undefined
        ? { items: page.items }
        : {
            items: page.items,
            cursor: encodeCursor(plan.cursor, { kind: 'key', key: page.lastKey }),
          };
    },
    { abortSignal: plan.abortSignal },
  );
}

/**
 * Every matching item, read page by page as the consumer asks for them (one request, one
 * data-key scope per page), up to the spec's limit. Pages the filter emptied are skipped.
 */
export async function* sequentialItems<T extends object, R>(
  context: RepositoryContext<T>,
  spec: ReadSpec,
): AsyncGenerator<R, void, undefined> {
  const plan = compileRead(context.metadata, context.cursorKey, spec);
  let remaining = plan.limit ?? Infinity;
  let startKey: Item | undefined;
  const where = {
    operation: spec.operation,
    table: context.metadata.table,
    entity: context.metadata.entityName,
  };
  do {
    const position = { startKey, limit: requestLimit(plan.pageSize, remaining) };
    const page = await runOperation(
      context,
      spec.operation,
      (scope) => readPage<T, R>(context, plan, position, scope),
      { abortSignal: plan.abortSignal },
    );
    for (const item of page.items) {
      throwIfAborted(plan.abortSignal, where);
      yield item;
      remaining -= 1;
      if (remaining === 0) return;
    }
    startKey = page.lastKey;
  } while (startKey !== undefined);
}

/** The number of matching items (Select COUNT, summed over pages), at most the spec's limit. */
export async function sequentialCount<T extends object>(
  context: RepositoryContext<T>,
  spec: ReadSpec,
): Promise<number> {
  const plan = compileRead(context.metadata, context.cursorKey, spec);
  const limit = plan.limit ?? Infinity;
  return runOperation(
    context,
    `${spec.operation}Count`,
    async () => {
      let total = 0;
      let startKey: Item | undefined;
      do {
        const position = { startKey, limit: requestLimit(plan.pageSize, limit - total) };
        const page = await fetchPage(context, plan, position, true);
        total += page.count;
        startKey = page.lastKey;
      } while (startKey !== undefined && total < limit);
      return Math.min(total, limit);
    },
    { abortSignal: plan.abortSignal },
  );
}

/**
 * DynamoDB's `Limit` for a request: the page size, but no more than the items still wanted (a
 * filter may reject some, so fewer may come back; reading continues then).
 */
export function requestLimit(pageSize: number | undefined, remaining: number): number | undefined {
  const limit = Math.min(pageSize ?? Infinity, remaining);
  return Number.isFinite(limit) ? Math.max(limit, 1) : undefined;
}

/** The page size of `options`, checked. */
export function pageSize(options: PageOptions, entity: string): number | undefined {
  if (typeof options !== 'object' || options === null) return undefined;
  return options.size === undefined ? undefined : checkedInteger(options.size, 'page size', entity);
}
