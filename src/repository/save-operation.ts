import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import {
  conditionFailureKind,
  needsStoredItemOnFailure,
  type StoredItemReader,
  type WriteChecks,
} from './condition-failure';
import type { RepositoryContext } from './repository-context';
import { type RequestOptions, sendOptions } from './request-options';
import { runOperation } from './run-operation';
import { storedItemReader } from './stored-item';
import { applyLifecycle, prepareSave, type SaveOptions } from './save-request';

export type { SaveOptions } from './save-request';

/**
 * Saves an entity with PutItem. Only after DynamoDB accepted the write are the new version and
 * timestamps copied onto the instance: a failed save leaves the instance as it was.
 */
export async function saveEntity<T extends object>(
  context: RepositoryContext<T>,
  entity: T,
  options: SaveOptions<T> & RequestOptions = {},
): Promise<T> {
  let checks: WriteChecks = { userCondition: false };
  let storedItem: StoredItemReader | undefined;
  return runOperation(
    context,
    'save',
    async (scope) => {
      const request = await prepareSave(context, entity, options, scope);
      checks = request.checks;
      if (request.put.Item !== undefined) {
        storedItem = storedItemReader(context, 'save', request.put.Item);
      }
      await context.client.send(
        new PutItemCommand({
          ...request.put,
          ...(needsStoredItemOnFailure(checks)
            ? { ReturnValuesOnConditionCheckFailure: 'ALL_OLD' }
            : {}),
        }),
        sendOptions(options.abortSignal),
      );
      applyLifecycle(entity, request);
      return entity;
    },
    {
      conditionKind: (error) => conditionFailureKind(context.metadata, error, checks, storedItem),
      abortSignal: options.abortSignal,
    },
  );
}
