import { type Update, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { DataKeyScope } from '../crypto/data-key-scope';
import { ValidationError } from '../errors';
import type { ConditionInput } from '../expressions/condition-builder';
import { allOf, ExpressionContext } from '../expressions/expression-context';
import { renderWriteCondition } from '../expressions/render-write-condition';
import type { Item } from '../mapping/entity-mapper';
import {
  conditionFailureKind,
  needsStoredItemOnFailure,
  type WriteChecks,
} from '../repository/condition-failure';
import { loadItems } from '../repository/load-items';
import { assertReturnedKey, exactKeyCheck } from '../repository/returned-key-check';
import type { RepositoryContext } from '../repository/repository-context';
import { sendOptions } from '../repository/request-options';
import { runOperation } from '../repository/run-operation';
import { storedItemReader } from '../repository/stored-item';
import { timestampAs, versionOf } from '../repository/save-request';
import type { UpdateAction } from './render-update';
import { renderUpdate } from './render-update';
import {
  planUpdate,
  type TransactionUpdateOptions,
  type UpdateOptions,
  type UpdatePlan,
} from './update-spec';

/** An update checked against the entity, with nothing sent and nothing encrypted yet. */
export interface CheckedUpdate {
  readonly keyItem: Item;
  readonly plan: UpdatePlan;
  readonly condition: ConditionInput<unknown> | undefined;
  /** What the request's condition checks, to classify a failure. */
  readonly checks: WriteChecks;
}

/**
 * Checks an update before anything is sent: the key, the changes, the condition and the expected
 * version. Shared by `Repository.update` and `tx.update`.
 *
 * Every update requires the item to exist (`attribute_exists` on the partition key): an update
 * never creates a partial item that `save` would not have written (no `@CreatedAt`, no required
 * attributes). A missing item fails with `CONDITION_FAILED`, or with `VERSION_CONFLICT` when an
 * `expectedVersion` was given, as `save` reports a vanished item.
 */
export function checkUpdate<T extends object>(
  context: RepositoryContext<T>,
  key: unknown,
  changes: unknown,
  options: TransactionUpdateOptions<T>,
): CheckedUpdate {
  const { metadata, mapper } = context;
  const keyItem = mapper.key(key);
  const plan = planUpdate(metadata, changes);
  if (options.expectedVersion !== undefined && metadata.version === undefined) {
    throw new ValidationError(
      `${metadata.className}.update: expectedVersion needs a @Version property`,
      metadata.className,
    );
  }
  const expected = versionOf(context, options.expectedVersion);
  const condition = options.condition;
  // Rendered once here only to refuse a bad condition before anything is encrypted or sent.
  if (condition !== undefined) {
    renderWriteCondition(metadata, condition, new ExpressionContext());
  }
  return {
    keyItem,
    plan,
    condition,
    // The existence check counts as a caller's condition: its failure is CONDITION_FAILED.
    checks: {
      userCondition: true,
      ...(expected === undefined ? {} : { version: { expected } }),
      ...(options.returnOnConditionFailure === true ? { returnOnFailure: true } : {}),
    },
  };
}

/**
 * The UpdateItem of a checked update: encrypted `set` values sealed for the target item (their
 * associated data binds table, entity, the item's key and the attribute), `@UpdatedAt` set to now,
 * `@Version` incremented with `ADD #v :one`, and one condition made of the existence check, the
 * caller's condition and the expected version.
 */
export async function prepareUpdate<T extends object>(
  context: RepositoryContext<T>,
  checked: CheckedUpdate,
  scope: DataKeyScope | undefined,
): Promise<Update> {
  const { metadata } = context;
  const actions: UpdateAction[] = [
    ...checked.plan.actions,
    ...(await sealedActions(context, checked, scope)),
  ];
  if (metadata.updatedAt !== undefined) {
    const now = timestampAs(metadata.updatedAt.codec.kind, context.now());
    const value = metadata.updatedAt.codec.write(now);
    if (value !== undefined) {
      actions.push({ kind: 'set', attribute: metadata.updatedAt.attribute, value });
    }
  }
  if (metadata.version !== undefined) {
    // ADD rather than SET #v = #v + :one: it also works on an item saved before @Version existed.
    actions.push({ kind: 'add', attribute: metadata.version.attribute, value: { N: '1' } });
  }
  const expressions = new ExpressionContext();
  const updateExpression = renderUpdate(actions, expressions);
  const clauses = [`attribute_exists(${expressions.name(metadata.partitionKey.attribute)})`];
  if (checked.condition !== undefined) {
    clauses.push(renderWriteCondition(metadata, checked.condition, expressions));
  }
  const expected = checked.checks.version?.expected;
  if (metadata.version !== undefined && expected !== undefined) {
    clauses.push(
      `${expressions.name(metadata.version.attribute)} = ${expressions.value({ N: String(expected) })}`,
    );
  }
  return {
    TableName: metadata.table,
    Key: checked.keyItem,
    UpdateExpression: updateExpression,
    ConditionExpression: allOf(clauses),
    ...expressions.attributes(),
    ...(needsStoredItemOnFailure(checked.checks)
      ? { ReturnValuesOnConditionCheckFailure: 'ALL_OLD' }
      : {}),
  };
}

/** Encrypts the `set` values of encrypted properties into `set` actions for the target item. */
async function sealedActions<T extends object>(
  context: RepositoryContext<T>,
  checked: CheckedUpdate,
  scope: DataKeyScope | undefined,
): Promise<UpdateAction[]> {
  const properties = Object.keys(checked.plan.sealed);
  if (properties.length === 0) return [];
  // encryptInto binds each value to the key attributes found in the item it writes into.
  const item: Item = { ...checked.keyItem };
  await context.encryption.encryptInto(item, checked.plan.sealed, scope);
  return properties.map((property): UpdateAction => {
    const attribute = context.metadata.byProperty.get(property)!.attribute;
    const value = Object.hasOwn(item, attribute) ? item[attribute] : undefined;
    // Only a plaintext fixture writes nothing (an empty Set), which removes the attribute.
    return value === undefined ? { kind: 'remove', attribute } : { kind: 'set', attribute, value };
  });
}

/** `Repository.update`: one UpdateItem, returning the updated entity decrypted (or undefined). */
export async function updateEntity<T extends object>(
  context: RepositoryContext<T>,
  key: unknown,
  changes: unknown,
  options: UpdateOptions<T> = {},
): Promise<T | undefined> {
  const returnValues = options.returnValues ?? 'allNew';
  if (returnValues !== 'allNew' && returnValues !== 'none') {
    throw new ValidationError(
      `${context.metadata.className}.update: returnValues must be 'allNew' or 'none'`,
      context.metadata.className,
    );
  }
  const checked = checkUpdate(context, key, changes, options);
  return runOperation(
    context,
    'update',
    async (scope) => {
      const update = await prepareUpdate(context, checked, scope);
      const output = await context.client.send(
        new UpdateItemCommand({
          ...update,
          ReturnValues: returnValues === 'none' ? 'NONE' : 'ALL_NEW',
        }),
        sendOptions(options.abortSignal),
      );
      if (returnValues === 'none') return undefined;
      if (output.Attributes === undefined) {
        throw new Error('theorydb internal error: UpdateItem with ALL_NEW returned no attributes');
      }
      // The returned item must be the updated one: another key's is refused before decryption.
      assertReturnedKey(
        exactKeyCheck(context.metadata, 'update', checked.keyItem),
        output.Attributes,
      );
      const [entity] = await loadItems(context, [output.Attributes], scope);
      return entity;
    },
    {
      conditionKind: (error) =>
        conditionFailureKind(
          context.metadata,
          error,
          checked.checks,
          storedItemReader(context, 'update', checked.keyItem),
        ),
      abortSignal: options.abortSignal,
    },
  );
}
