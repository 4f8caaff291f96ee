import { DeleteItemCommand } from '@aws-sdk/client-dynamodb';
import type { ConditionInput } from '../expressions/condition-builder';
import { allOf, ExpressionContext } from '../expressions/expression-context';
import { renderWriteCondition } from '../expressions/render-write-condition';
import {
  conditionFailureKind,
  needsStoredItemOnFailure,
  type WriteChecks,
} from './condition-failure';
import type { ConditionFailureOptions } from './condition-failure-options';
import type { RepositoryContext } from './repository-context';
import { type RequestOptions, sendOptions } from './request-options';
import { runOperation } from './run-operation';
import { storedItemReader } from './stored-item';

/** Options of `Repository.delete` (and of `tx.delete` in a transaction). */
export interface DeleteOptions<T = unknown> extends ConditionFailureOptions {
  /** Delete only if the item exists; otherwise fail with `CONDITION_FAILED`. */
  ifExists?: boolean;
  /** Delete only if the stored item meets this condition; otherwise `CONDITION_FAILED`. */
  condition?: ConditionInput<T>;
}

/** What a delete's condition checks, from its options. */
export function deleteChecks(options: DeleteOptions<never>): WriteChecks {
  return {
    userCondition: options.ifExists === true || options.condition !== undefined,
    ...(options.returnOnConditionFailure === true ? { returnOnFailure: true } : {}),
  };
}

/** The DeleteItem input of a delete, shared with transactions. */
export function prepareDelete<T extends object>(
  context: RepositoryContext<T>,
  key: unknown,
  options: DeleteOptions<T>,
) {
  const { metadata, mapper } = context;
  const keyItem = mapper.key(key);
  const expressions = new ExpressionContext();
  const clauses: string[] = [];
  if (options.ifExists === true) {
    clauses.push(`attribute_exists(${expressions.name(metadata.partitionKey.attribute)})`);
  }
  if (options.condition !== undefined) {
    clauses.push(renderWriteCondition(metadata, options.condition, expressions));
  }
  const condition = allOf(clauses);
  return {
    TableName: metadata.table,
    Key: keyItem,
    ...(condition === undefined
      ? {}
      : { ConditionExpression: condition, ...expressions.attributes() }),
  };
}

/** DeleteItem by key. Deleting an absent item succeeds unless `ifExists` is set. */
export async function deleteEntity<T extends object>(
  context: RepositoryContext<T>,
  key: unknown,
  options: DeleteOptions<T> & RequestOptions = {},
): Promise<void> {
  const input = prepareDelete(context, key, options);
  const checks = deleteChecks(options);
  return runOperation(
    context,
    'delete',
    async () => {
      await context.client.send(
        new DeleteItemCommand({
          ...input,
          ...(needsStoredItemOnFailure(checks)
            ? { ReturnValuesOnConditionCheckFailure: 'ALL_OLD' }
            : {}),
        }),
        sendOptions(options.abortSignal),
      );
    },
    {
      conditionKind: (error) =>
        conditionFailureKind(
          context.metadata,
          error,
          checks,
          storedItemReader(context, 'delete', input.Key),
        ),
      abortSignal: options.abortSignal,
    },
  );
}
