import { DeleteItemCommand } from '@aws-sdk/client-dynamodb';
import { ExpressionContext } from '../expressions/expression-context';
import type { RepositoryContext } from './repository-context';
import { runOperation } from './run-operation';

/** Options of `Repository.delete`. */
export interface DeleteOptions {
  /** Delete only if the item exists; otherwise fail with `CONDITION_FAILED`. */
  ifExists?: boolean;
}

/** DeleteItem by key. Deleting an absent item succeeds unless `ifExists` is set. */
export async function deleteEntity<T extends object>(
  context: RepositoryContext<T>,
  key: unknown,
  options: DeleteOptions = {},
): Promise<void> {
  const { metadata, mapper } = context;
  const keyItem = mapper.key(key);
  const expressions = new ExpressionContext();
  const condition =
    options.ifExists === true
      ? `attribute_exists(${expressions.name(metadata.partitionKey.attribute)})`
      : undefined;
  return runOperation(
    context,
    'delete',
    async () => {
      await context.client.send(
        new DeleteItemCommand({
          TableName: metadata.table,
          Key: keyItem,
          ...(condition === undefined ? {} : { ConditionExpression: condition, ...expressions.attributes() }),
        }),
      );
    },
    { condition: { kind: 'condition' } },
  );
}
