import { TransactGetItemsCommand } from '@aws-sdk/client-dynamodb';
import { ValidationError } from '../errors';
import type { Item } from '../mapping/entity-mapper';
import type { Constructor } from '../metadata/declarations';
import { loadItems } from '../repository/load-items';
import { assertReturnedKey, exactKeyCheck } from '../repository/returned-key-check';
import type { RepositoryContext } from '../repository/repository-context';
import { type RequestOptions, sendOptions } from '../repository/request-options';
import { canceledError, isTransactionCanceled } from './cancellation-reasons';
import { cachedResolver, type ContextResolver } from './context-resolver';
import { assertDistinctItems } from './item-identity';
import { runAcrossEntities } from './run-across-entities';
import { assertActionCount } from './transaction-limits';

/**
 * One item of `db.transactFind`: an entity class and a key object of it.
 *
 * @example
 * ```ts
 * const get: TransactGet = [User, { id: 'u1' }];
 * ```
 */
export type TransactGet = readonly [target: Constructor<object>, key: object];

/**
 * The result of `db.transactFind(gets)`: for each get, in order, its entity or `undefined`.
 *
 * @example
 * ```ts
 * const [user, order] = await db.transactFind([[User, { id: 'u1' }], [Order, { id: 'o1' }]]);
 * // user: User | undefined, order: Order | undefined
 * ```
 */
export type TransactFindResult<L extends readonly TransactGet[]> = {
  -readonly [I in keyof L]: L[I] extends readonly [Constructor<infer E>, unknown]
    ? E | undefined
    : never;
};

interface Target {
  readonly context: RepositoryContext<object>;
  readonly key: Item;
}

/**
 * `db.transactFind`: ONE TransactGetItems (1 to 100 items, at most one per item, a serializable
 * snapshot), every item decrypted with one data-key scope. One item that fails to decrypt fails
 * the whole call: no partial result.
 */
export async function transactFind(
  resolve: ContextResolver,
  gets: readonly TransactGet[],
  options: RequestOptions = {},
): Promise<(object | undefined)[]> {
  if (!isArray(gets)) {
    throw new ValidationError('db.transactFind expects an array of [EntityClass, key] pairs');
  }
  assertActionCount(gets.length, 'transactFind');
  const contextOf = cachedResolver(resolve);
  const targets = gets.map((get, index): Target => {
    if (!isPair(get)) {
      throw new ValidationError(
        `db.transactFind: item ${index} must be an [EntityClass, key] pair`,
      );
    }
    const context = contextOf(get[0]);
    return { context, key: context.mapper.key(get[1]) };
  });
  assertDistinctItems(
    targets.map((t) => ({ metadata: t.context.metadata, key: t.key })),
    'transactFind',
  );
  const contexts = [...new Set(targets.map((t) => t.context))];
  return runAcrossEntities(
    contexts,
    'transactFind',
    async (scope) => {
      let responses;
      try {
        const output = await contexts[0].client.send(
          new TransactGetItemsCommand({
            TransactItems: targets.map((t) => ({
              Get: { TableName: t.context.metadata.table, Key: t.key },
            })),
          }),
          sendOptions(options.abortSignal),
        );
        responses = output.Responses ?? [];
      } catch (error) {
        if (isTransactionCanceled(error)) {
          const sites = targets.map((t) => ({
            metadata: t.context.metadata,
            action: 'find' as const,
            checks: { userCondition: false },
          }));
          throw canceledError(error, sites, 'transactFind');
        }
        throw error;
      }
      // Grouped per entity so each group's envelopes are all checked before its KMS calls; every
      // group shares the one scope.
      const groups = new Map<RepositoryContext<object>, { indexes: number[]; items: Item[] }>();
      targets.forEach((target, index) => {
        const item = responses[index]?.Item;
        if (item === undefined) return;
        // Each position must hold the item asked for there: a response of another key, or two
        // responses swapped, is refused before anything is decrypted.
        assertReturnedKey(exactKeyCheck(target.context.metadata, 'transactFind', target.key), item);
        let group = groups.get(target.context);
        if (group === undefined) {
          group = { indexes: [], items: [] };
          groups.set(target.context, group);
        }
        group.indexes.push(index);
        group.items.push(item);
      });
      const results: (object | undefined)[] = targets.map(() => undefined);
      const loaded = await Promise.all(
        [...groups].map(async ([context, group]) => ({
          group,
          entities: await loadItems(context, group.items, scope),
        })),
      );
      for (const { group, entities } of loaded) {
        group.indexes.forEach((index, i) => {
          results[index] = entities[i];
        });
      }
      return results;
    },
    undefined,
    options.abortSignal,
  );
}

// Plain booleans, not type guards: narrowing to `any[]` would lose the declared types.
function isArray(value: unknown): boolean {
  return Array.isArray(value);
}

function isPair(value: unknown): boolean {
  return Array.isArray(value) && value.length === 2;
}
