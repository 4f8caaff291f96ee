import type { Item } from '../mapping/entity-mapper';
import type { RepositoryContext } from '../repository/repository-context';
import { throwIfAborted } from '../repository/request-options';
import { runOperation } from '../repository/run-operation';
import { compileRead, type ReadPlan } from './compile-read';
import { decodeCursor, encodeCursor } from './cursor';
import { fetchPage, type LoadedPage, loadPage, type RawPage, readPage } from './page-reader';
import type { PageOptions, ReadPage } from './read-page';
import type { ReadSpec, SegmentPlan } from './read-spec';
import { pageSize, requestLimit } from './sequential-read';

/** A segment to read and where it stopped (undefined: not started). */
interface SegmentCursor {
  readonly segment: number;
  readonly key: Item | undefined;
}

/** Sends one request of a segment; `signal` aborts it when the pool stops early. */
type SegmentRead<P> = (
  segment: number,
  startKey: Item | undefined,
  signal: AbortSignal,
) => Promise<P>;

/**
 * Reads the segments of a parallel scan, one request per segment at a time and at most
 * `concurrency` requests in flight, until every segment is exhausted or `stop()` says so. Yields
 * each page in completion order (segments interleave); a segment's next request is sent only
 * after its previous page has been taken.
 *
 * However it ends early (the consumer's break or error, `stop()`, a failed segment), it aborts the
 * requests still in flight and waits for every one to settle before it returns or throws: once
 * the consumer's loop has exited, nothing of the scan runs on, and a failure is the one that
 * stopped the pool, never the aborts that followed.
 */
async function* segmentPool<P extends { readonly lastKey: Item | undefined }>(
  segments: SegmentPlan,
  read: SegmentRead<P>,
  stop: () => boolean,
): AsyncGenerator<P, void, undefined> {
  const controller = new AbortController();
  let next = 0;
  const inFlight = new Map<number, Promise<{ segment: number; page: P }>>();
  const launch = (segment: number, startKey: Item | undefined) => {
    const pending = read(segment, startKey, controller.signal).then((page) => ({ segment, page }));
    // A rejection may sit unobserved while the consumer holds a page (the race and the final
    // wait see it later); without a handler now, Node would report it as unhandled.
    pending.catch(() => undefined);
    inFlight.set(segment, pending);
  };
  const fill = () => {
    while (inFlight.size < segments.concurrency && next < segments.total && !stop()) {
      launch(next, undefined);
      next += 1;
    }
  };
  try {
    fill();
    while (inFlight.size > 0) {
      const { segment, page } = await Promise.race(inFlight.values());
      inFlight.delete(segment);
      yield page;
      if (stop()) return;
      if (page.lastKey !== undefined) launch(segment, page.lastKey);
      fill();
    }
  } finally {
    if (inFlight.size > 0) {
      controller.abort();
      await Promise.allSettled(inFlight.values());
    }
  }
}

/**
 * `pending`, except that an abort of `signal` resolves to `cancelled`: the caller stopped the
 * read on purpose, so its operation must not be converted and logged as a DynamoDB outage
 * (`DYNAMODB_UNAVAILABLE`). Any other failure stays one.
 */
async function unlessAborted<P>(
  signal: AbortSignal,
  pending: Promise<P>,
  cancelled: P,
): Promise<P> {
  try {
    return await pending;
  } catch (error) {
    if (signal.aborted && isAbortError(error)) return cancelled;
    throw error;
  }
}

/**
 * Runs every task at once. On the first failure, aborts the others and waits for all of them to
 * settle before rethrowing that failure, so none runs on after the caller got its error.
 */
async function allOrAbort<X>(
  tasks: readonly ((signal: AbortSignal) => Promise<X>)[],
): Promise<X[]> {
  const controller = new AbortController();
  const running = tasks.map((task) => task(controller.signal));
  try {
    return await Promise.all(running);
  } catch (error) {
    controller.abort();
    await Promise.allSettled(running);
    throw error;
  }
}

/** SDK errors (and DOM aborts) are recognised by name: the application may hold another copy. */
function isAbortError(error: unknown): boolean {
  return (error as { name?: unknown } | undefined)?.name === 'AbortError';
}

/**
 * Every item of a parallel scan, segments interleaved in completion order, each request its own
 * operation (one data-key scope per page). The next request of a segment is sent once the
 * consumer has taken the previous page of that segment, so memory stays bounded by
 * `concurrency` pages.
 */
export async function* segmentedItems<T extends object, R>(
  context: RepositoryContext<T>,
  spec: ReadSpec,
): AsyncGenerator<R, void, undefined> {
  const plan = compileRead(context.metadata, context.cursorKey, spec);
  const segments = requireSegments(plan);
  let remaining = plan.limit ?? Infinity;
  const read: SegmentRead<LoadedPage<R>> = (segment, startKey, abortSignal) =>
    runOperation(
      context,
      'scan',
      (scope) =>
        unlessAborted(
          abortSignal,
          readPage<T, R>(
            context,
            plan,
            { segment, startKey, limit: requestLimit(plan.pageSize, remaining), abortSignal },
            scope,
          ),
          { items: [], lastKey: undefined },
        ),
      { abortSignal: plan.abortSignal },
    );
  const where = {
    operation: 'scan',
    table: context.metadata.table,
    entity: context.metadata.entityName,
  };
  for await (const page of segmentPool<LoadedPage<R>>(segments, read, () => remaining <= 0)) {
    for (const item of page.items) {
      throwIfAborted(plan.abortSignal, where);
      yield item;
      remaining -= 1;
      if (remaining === 0) return;
    }
  }
}

/** The number of items of a parallel scan (Select COUNT), at most the spec's limit. */
export async function segmentedCount<T extends object>(
  context: RepositoryContext<T>,
  spec: ReadSpec,
): Promise<number> {
  const plan = compileRead(context.metadata, context.cursorKey, spec);
  const segments = requireSegments(plan);
  const limit = plan.limit ?? Infinity;
  return runOperation(
    context,
    'scanCount',
    async () => {
      let total = 0;
      // No unlessAborted here: the pool swallows the aborts, and the operation is the whole count.
      const read: SegmentRead<RawPage> = (segment, startKey, abortSignal) =>
        fetchPage(
          context,
          plan,
          { segment, startKey, limit: requestLimit(plan.pageSize, limit - total), abortSignal },
          true,
        );
      for await (const page of segmentPool(segments, read, () => total >= limit)) {
        total += page.count;
      }
      return Math.min(total, limit);
    },
    { abortSignal: plan.abortSignal },
  );
}

/**
 * One page of a parallel scan: one request for each of up to `concurrency` unfinished segments,
 * sent together and decrypted together as one operation (one data-key scope; one bad item fails
 * the page). The cursor records, per unfinished segment, where it stopped, and which segments
 * have not started; segments take turns, so every one progresses.
 */
export async function segmentedPage<T extends object, R>(
  context: RepositoryContext<T>,
  spec: ReadSpec,
  options: PageOptions,
): Promise<ReadPage<R>> {
  const plan = compileRead(context.metadata, context.cursorKey, spec);
  const size = pageSize(options, context.metadata.className) ?? plan.pageSize;
  const segments = requireSegments(plan);
  return runOperation(
    context,
    'scan',
    async (scope) => {
      let next = 0;
      let waiting: { segment: number; key: Item }[] = [];
      if (options.cursor !== undefined) {
        const position = decodeCursor(plan.cursor, options.cursor);
        if (position.kind !== 'segments') throw new Error('theorydb internal error: cursor kind');
        next = position.next;
        waiting = [...position.active];
      }
      const batch: SegmentCursor[] = waiting.splice(0, segments.concurrency);
      while (batch.length < segments.concurrency && next < segments.total) {
        batch.push({ segment: next, key: undefined });
        next += 1;
      }
      const raw = await allOrAbort(
        batch.map(
          ({ segment, key }) =>
            (abortSignal: AbortSignal) =>
              fetchPage(context, plan, { segment, startKey: key, limit: size, abortSignal }),
        ),
      );
      const items = await loadPage<T, R>(
        context,
        plan,
        raw.flatMap((page) => page.items),
        scope,
      );
      const active = [...waiting];
      batch.forEach(({ segment }, i) => {
        const key = raw[i].lastKey;
        if (key !== undefined) active.push({ segment, key });
      });
      if (active.length === 0 && next >= segments.total) return { items };
      return { items, cursor: encodeCursor(plan.cursor, { kind: 'segments', next, active }) };
    },
    { abortSignal: plan.abortSignal },
  );
}

function requireSegments(plan: ReadPlan): SegmentPlan {
  if (plan.segments === undefined) throw new Error('theorydb internal error: not segmented');
  return plan.segments;
}
