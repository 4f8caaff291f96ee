import { TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import { ValidationError } from '../errors';
import type { RepositoryContext } from '../repository/repository-context';
import { type RequestOptions, sendOptions } from '../repository/request-options';
import { applyLifecycle } from '../repository/save-request';
import { canceledError, isTransactionCanceled } from './cancellation-reasons';
import { cachedResolver, type ContextResolver } from './context-resolver';
import { assertDistinctItems } from './item-identity';
import type { PendingAction } from './pending-action';
import { keyOfAction, precheckAction, prepareAction } from './prepare-action';
import { runAcrossEntities } from './run-across-entities';
import { sealTransaction, TransactionBuilder } from './transaction-builder';
import { assertActionCount } from './transaction-limits';

/**
 * `db.transaction`: runs the callback to collect actions, then sends them as ONE
 * TransactWriteItems. Before anything is sent: 1 to 100 actions, at most one per item, every
 * entity's preflight (`ENCRYPTION_NOT_CONFIGURED`), and every item mapped and encrypted with one
 * data-key scope, so a KMS failure sends nothing. After the commit, saved instances get their new
 * version and timestamps; a cancelled transaction leaves them untouched.
 */
export async function runTransaction<R>(
  resolve: ContextResolver,
  build: (tx: TransactionBuilder) => R | Promise<R>,
  options: RequestOptions = {},
): Promise<R> {
  if (typeof build !== 'function') {
    throw new ValidationError(
      'db.transaction expects a callback that adds the actions: (tx) => { ... }',
    );
  }
  const tx = new TransactionBuilder(cachedResolver(resolve));
  let result: R;
  try {
    result = await build(tx);
  } finally {
    sealTransaction(tx);
  }
  await commit(sealTransaction(tx), options.abortSignal);
  return result;
}

async function commit(
  actions: readonly PendingAction[],
  abortSignal: AbortSignal | undefined,
): Promise<void> {
  assertActionCount(actions.length, 'transaction');
  const contexts = [...new Set<RepositoryContext<object>>(actions.map((a) => a.context))];
  await runAcrossEntities(
    contexts,
    'transaction',
    async (scope) => {
      assertDistinctItems(
        actions.map((a) => ({ metadata: a.context.metadata, key: keyOfAction(a) })),
        'transaction',
      );
      for (const action of actions) precheckAction(action);
      const prepared = await Promise.all(actions.map((action) => prepareAction(action, scope)));
      try {
        await contexts[0].client.send(
          new TransactWriteItemsCommand({ TransactItems: prepared.map((p) => p.item) }),
          sendOptions(abortSignal),
        );
      } catch (error) {
        if (isTransactionCanceled(error)) {
          throw canceledError(
            error,
            prepared.map((p) => p.site),
            'transaction',
          );
        }
        throw error;
      }
      for (const { saved } of prepared) {
        if (saved !== undefined) applyLifecycle(saved.entity, saved.request);
      }
    },
    actions.length,
    abortSignal,
  );
}
