import {
  GetItemCommand,
  type Update,
  UpdateItemCommand,
  type UpdateItemCommandOutput,
} from '@aws-sdk/client-dynamodb';
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
 * The UpdateItem of a checked update that leaves the item's envelopes as they are: plain,
 * unsigned attributes only (a plaintext fixture's opted-out fields among them), `@UpdatedAt` set to
 * now, `@Version` incremented with `ADD #v :one`, and one condition made of the existence check,
 * the caller's condition and the expected version. {@link needsReseal} tells when this is not
 * enough.
 */
export function prepareUpdate<T extends object>(
  context: RepositoryContext<T>,
  checked: CheckedUpdate,
): Update {
  return renderRequest(
    context,
    checked,
    allActions(context, [...checked.plan.actions, ...fixtureActions(context, checked)]),
    [],
  );
}

/**
 * True when an update changes what an item's envelopes seal or bind: it sets or removes an
 * encrypted field, or changes a `@Signed` attribute (including a signed `@UpdatedAt` or
 * `@Version`). Such an update reads the item and re-seals it (see `updateEntity`).
 */
export function needsReseal<T extends object>(
  context: RepositoryContext<T>,
  checked: CheckedUpdate,
): boolean {
  const { encryption, metadata } = context;
  if (!encryption.active) return false;
  if (
    Object.keys(checked.plan.sealed).some((p) =>
      encryption.isEncrypted(metadata.byProperty.get(p)!.attribute),
    )
  ) {
    return true;
  }
  // The lifecycle attributes an update always writes count too; their values are not needed here.
  const written = [
    ...checked.plan.actions.map((action) => action.attribute),
    ...[metadata.updatedAt, metadata.version].flatMap((a) =>
      a === undefined ? [] : [a.attribute],
    ),
  ];
  return written.some(
    (attribute) => encryption.isEncrypted(attribute) || encryption.isBound(attribute),
  );
}

/**
 * The caller's actions with the lifecycle ones: `@UpdatedAt` set to now, `@Version` + 1. Called
 * once per request: what a re-seal binds must be the very timestamp it writes.
 */
function allActions<T extends object>(
  context: RepositoryContext<T>,
  actions: readonly UpdateAction[],
): UpdateAction[] {
  const { metadata } = context;
  const all = [...actions];
  if (metadata.updatedAt !== undefined) {
    const now = timestampAs(metadata.updatedAt.codec.kind, context.now());
    const value = metadata.updatedAt.codec.write(now);
    if (value !== undefined) {
      all.push({ kind: 'set', attribute: metadata.updatedAt.attribute, value });
    }
  }
  if (metadata.version !== undefined) {
    // ADD rather than SET #v = #v + :one: it also works on an item saved before @Version existed.
    all.push({ kind: 'add', attribute: metadata.version.attribute, value: { N: '1' } });
  }
  return all;
}

function renderRequest<T extends object>(
  context: RepositoryContext<T>,
  checked: CheckedUpdate,
  /** Every action of the request, the lifecycle ones included (see {@link allActions}). */
  actions: readonly UpdateAction[],
  extraClauses: readonly ((expressions: ExpressionContext) => string)[],
): Update {
  const { metadata } = context;
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
  for (const clause of extraClauses) clauses.push(clause(expressions));
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

/** The `set` values of a plaintext fixture's opted-out fields, written in clear. */
function fixtureActions<T extends object>(
  context: RepositoryContext<T>,
  checked: CheckedUpdate,
): UpdateAction[] {
  const properties = Object.keys(checked.plan.sealed);
  if (properties.length === 0) return [];
  const item: Item = {};
  context.encryption.plaintextInto(item, checked.plan.sealed);
  return properties.map((property): UpdateAction => {
    const attribute = context.metadata.byProperty.get(property)!.attribute;
    const value = Object.hasOwn(item, attribute) ? item[attribute] : undefined;
    return value === undefined ? { kind: 'remove', attribute } : { kind: 'set', attribute, value };
  });
}

/** How often a re-sealing update reads again after a concurrent write changed the item. */
const RESEAL_ATTEMPTS = 5;

/**
 * The UpdateItem that re-seals `stored` (read consistently and verified as `current`): the
 * encrypted values are the stored ones with the update's applied, the signed attributes are
 * bound as they will be after the update, and the write is conditional on every envelope still
 * being the one read, so a concurrent writer is never overwritten.
 */
async function resealedRequest<T extends object>(
  context: RepositoryContext<T>,
  checked: CheckedUpdate,
  stored: Item,
  current: Record<string, unknown>,
  scope: DataKeyScope | undefined,
): Promise<Update> {
  const { encryption, metadata } = context;
  const plainActions = allActions(
    context,
    [...checked.plan.actions, ...fixtureActions(context, checked)].filter(
      (action) => !encryption.isEncrypted(action.attribute),
    ),
  );
  const removed = new Set(
    checked.plan.actions.filter((a) => a.kind === 'remove').map((a) => a.attribute),
  );
  // The item as it will be, for the associated data: keys and signed attributes after the update.
  const after: Item = { ...stored };
  for (const action of plainActions) {
    if (encryption.isBound(action.attribute)) applyToBound(metadata.className, after, action);
  }
  for (const binding of encryption.bindings) delete after[binding.attribute];
  const values: Record<string, unknown> = {};
  for (const field of encryption.encrypted) {
    if (removed.has(field.attribute)) continue;
    const value = Object.hasOwn(checked.plan.sealed, field.property)
      ? checked.plan.sealed[field.property]
      : current[field.property];
    if (value !== undefined) values[field.property] = value;
  }
  await encryption.sealInto(after, values, scope);
  const envelopeActions = encryption.bindings.map((binding): UpdateAction => ({
    kind: 'set',
    attribute: binding.attribute,
    value: after[binding.attribute],
  }));
  const unchanged = encryption.bindings.map(
    (binding) => (expressions: ExpressionContext) =>
      `${expressions.name(binding.attribute)} = ${expressions.value(stored[binding.attribute])}`,
  );
  const request = renderRequest(context, checked, [...plainActions, ...envelopeActions], unchanged);
  // The stored item on failure tells a concurrent write (the envelope changed) from a failed condition.
  return { ...request, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' };
}

/** Applies one action to a bound (signed) attribute of `item`, as DynamoDB will. */
function applyToBound(className: string, item: Item, action: UpdateAction): void {
  if (action.kind === 'set') {
    item[action.attribute] = action.value;
    return;
  }
  if (action.kind === 'remove') {
    delete item[action.attribute];
    return;
  }
  const old = item[action.attribute]?.N ?? '0';
  const addend = action.kind === 'add' ? action.value.N : undefined;
  if (addend === undefined || !/^-?\d+$/.test(old) || !/^-?\d+$/.test(addend)) {
    throw new ValidationError(
      `${className}: a @Signed attribute (${action.attribute}) can be changed by set and remove only, or add of an integer`,
      className,
    );
  }
  item[action.attribute] = { N: String(BigInt(old) + BigInt(addend)) };
}

/** A ConditionalCheckFailed whose returned item shows that an envelope changed since it was read. */
function envelopeChanged<T extends object>(
  context: RepositoryContext<T>,
  error: unknown,
  stored: Item,
): boolean {
  if (!(error instanceof Error) || error.name !== 'ConditionalCheckFailedException') return false;
  const now = (error as { Item?: Item }).Item;
  if (now === undefined) return false;
  return context.encryption.bindings.some((binding) => {
    const before = stored[binding.attribute]?.B;
    const after = now[binding.attribute]?.B;
    return (
      before === undefined || after === undefined || !Buffer.from(before).equals(Buffer.from(after))
    );
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
      const returned = returnValues === 'none' ? 'NONE' : 'ALL_NEW';
      const output = needsReseal(context, checked)
        ? await resealUpdate(context, checked, returned, scope, options.abortSignal)
        : await context.client.send(
            new UpdateItemCommand({
              ...prepareUpdate(context, checked),
              ReturnValues: returned,
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

/**
 * An update that re-seals: a consistent GetItem, the stored item verified and decrypted through
 * the normal read path, then one conditional UpdateItem (see {@link resealedRequest}). When a
 * concurrent write changed the item in between, it reads again, up to {@link RESEAL_ATTEMPTS}
 * times: neither write is lost.
 */
async function resealUpdate<T extends object>(
  context: RepositoryContext<T>,
  checked: CheckedUpdate,
  returnValues: 'NONE' | 'ALL_NEW',
  scope: DataKeyScope | undefined,
  abortSignal: AbortSignal | undefined,
): Promise<UpdateItemCommandOutput> {
  const { metadata, client } = context;
  // The data keys first: a key that fails costs no DynamoDB request at all.
  await context.encryption.prepareKeys(scope);
  for (let attempt = 1; ; attempt++) {
    const read = await client.send(
      new GetItemCommand({ TableName: metadata.table, Key: checked.keyItem, ConsistentRead: true }),
      sendOptions(abortSignal),
    );
    const stored = read.Item;
    let request: Update;
    if (stored === undefined) {
      // No item: the existence check fails, whatever else the update says; nothing is sealed.
      // The REMOVE only keeps the expression valid for an entity without lifecycle attributes.
      const removeEnvelopes = context.encryption.bindings.map((binding): UpdateAction => ({
        kind: 'remove',
        attribute: binding.attribute,
      }));
      request = renderRequest(context, checked, allActions(context, removeEnvelopes), [
        (expressions) =>
          `attribute_not_exists(${expressions.name(metadata.partitionKey.attribute)})`,
      ]);
    } else {
      assertReturnedKey(exactKeyCheck(metadata, 'update', checked.keyItem), stored);
      const [current] = await loadItems(context, [stored], scope);
      request = await resealedRequest(
        context,
        checked,
        stored,
        current as unknown as Record<string, unknown>,
        scope,
      );
    }
    try {
      return await client.send(
        new UpdateItemCommand({ ...request, ReturnValues: returnValues }),
        sendOptions(abortSignal),
      );
    } catch (error) {
      if (
        stored !== undefined &&
        attempt < RESEAL_ATTEMPTS &&
        envelopeChanged(context, error, stored)
      ) {
        continue;
      }
      throw error;
    }
  }
}
