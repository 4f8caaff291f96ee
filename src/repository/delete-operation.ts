import { DeleteItemCommand } from '@aws-sdk/client-dynamodb';
import type { ConditionInput } from '../expressions/condition-builder';
import { allOf, ExpressionContext } from '../expressions/expression-context';
import { renderWriteCondition } from '../expressions/render-write-condition';
import type { RepositoryContext } from './repository-context';
import { runOperation } from './run-operation';

/** Options of `Repository.delete` (and of `tx.delete` in a transaction). */
export interface DeleteOptions<T = unknown> {
  /** Delete only if the item exists; otherwise fail with `CONDITION_FAILED`. */
  ifExists?: boolean;
  /** Delete only if the stored item meets this condition; otherwise `CONDITION_FAILED`. */
  condition?: ConditionInput<T>;
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
  options: DeleteOptions<T> = {},
): Promise<void> {
  const input = prepareDelete(context, key, options);
  return runOperation(context, 'delete', async () => {
    await context.client.send(new DeleteItemCommand(input));
  });
}
