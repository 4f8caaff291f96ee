import {
  QueryCommand,
  type QueryCommandInput,
  ScanCommand,
  type ScanCommandInput,
} from '@aws-sdk/client-dynamodb';
import type { DataKeyScope } from '../crypto/data-key-scope';
import type { Item } from '../mapping/entity-mapper';
import { loadItems } from '../repository/load-items';
import { assertReturnedKeys } from '../repository/returned-key-check';
import type { RepositoryContext } from '../repository/repository-context';
import type { ReadPlan } from './compile-read';
import { trimToProjection } from './projection';
import { sendOptions } from '../repository/request-options';

/** Where one request starts, how much it reads, and what may cancel it. */
export interface PagePosition {
  /** The `LastEvaluatedKey` of the previous request, if any. */
  readonly startKey?: Item | undefined;
  /** DynamoDB's `Limit`: items evaluated (before the filter), not items returned. */
  readonly limit?: number | undefined;
  /** The segment of a parallel scan. */
  readonly segment?: number | undefined;
  /**
   * Cancels the request (passed to the SDK's `send`), and the decryption of its answer if that
   * arrives later: a parallel scan stopped early aborts the requests it no longer needs.
   */
  readonly abortSignal?: AbortSignal | undefined;
}

/** One DynamoDB response, items still in wire form. */
export interface RawPage {
  readonly items: Item[];
  readonly lastKey: Item | undefined;
  /** Items matched (after the filter). */
  readonly count: number;
}

/** One loaded page: decrypted instances and where to continue. */
export interface LoadedPage<R> {
  readonly items: R[];
  readonly lastKey: Item | undefined;
}

/** The caller's signal and the pool's (a parallel scan stopping early): either aborts. */
function joinSignals(
  caller: AbortSignal | undefined,
  pool: AbortSignal | undefined,
): AbortSignal | undefined {
  if (caller === undefined || pool === undefined) return caller ?? pool;
  return AbortSignal.any([caller, pool]);
}

/** Sends one Query or Scan request of `plan` at `position`; `count` asks for the count only. */
export async function fetchPage<T extends object>(
  context: RepositoryContext<T>,
  plan: ReadPlan,
  position: PagePosition,
  count = false,
): Promise<RawPage> {
  const input = {
    ...(count ? plan.countInput() : plan.input),
    ...(position.startKey === undefined ? {} : { ExclusiveStartKey: position.startKey }),
    ...(position.limit === undefined ? {} : { Limit: position.limit }),
    ...(position.segment === undefined || plan.segments === undefined
      ? {}
      : { Segment: position.segment, TotalSegments: plan.segments.total }),
  };
  const options = sendOptions(joinSignals(plan.abortSignal, position.abortSignal));
  const output =
    plan.operation === 'query'
      ? await context.client.send(new QueryCommand(input as QueryCommandInput), options)
      : await context.client.send(new ScanCommand(input as ScanCommandInput), options);
  const items = output.Items ?? [];
  // Every item of a query's response must be of the partition and sort-key range asked for: a
  // substituted response is refused here, before anything is mapped or decrypted.
  if (plan.returnedKeys !== undefined) assertReturnedKeys(plan.returnedKeys, items);
  return { items, lastKey: output.LastEvaluatedKey, count: output.Count ?? items.length };
}

/**
 * Turns the items of one page into instances, decrypting with the page's data-key scope: every
 * item or none, so one bad value fails the whole page. A projection is applied afterwards, once
 * the key attributes fetched for decryption have served.
 */
export async function loadPage<T extends object, R>(
  context: RepositoryContext<T>,
  plan: ReadPlan,
  items: readonly Item[],
  scope: DataKeyScope | undefined,
): Promise<R[]> {
  const entities = await loadItems(context, items, scope, plan.projection?.verified ?? true);
  if (plan.projection !== undefined) trimToProjection(entities, plan.projection);
  return entities as unknown as R[];
}

/** Fetches and loads one page. */
export async function readPage<T extends object, R>(
  context: RepositoryContext<T>,
  plan: ReadPlan,
  position: PagePosition,
  scope: DataKeyScope | undefined,
): Promise<LoadedPage<R>> {
  const raw = await fetchPage(context, plan, position);
  // An answer can win the race with an abort; nobody will read it, so no key is unwrapped for it.
  position.abortSignal?.throwIfAborted();
  sendOptions(plan.abortSignal);
  return { items: await loadPage<T, R>(context, plan, raw.items, scope), lastKey: raw.lastKey };
}
