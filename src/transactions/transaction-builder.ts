import { inspect, type InspectOptionsStylized } from 'node:util';
import { ValidationError } from '../errors';
import type { ConditionInput } from '../expressions/condition-builder';
import { ExpressionContext } from '../expressions/expression-context';
import { renderWriteCondition } from '../expressions/render-write-condition';
import { describeType } from '../mapping/attribute-codec';
import { assertEntityInstance } from '../mapping/entity-instance';
import type { Constructor } from '../metadata/declarations';
import type { ConditionFailureOptions } from '../repository/condition-failure-options';
import { deleteChecks, type DeleteOptions, prepareDelete } from '../repository/delete-operation';
import type { EntityKey } from '../repository/entity-key';
import { printedSummary } from '../repository/printed-summary';
import type { SaveOptions } from '../repository/save-request';
import { checkUpdate, needsReseal } from '../update/update-operation';
import type { TransactionUpdateOptions, UpdateChanges } from '../update/update-spec';
import type { ContextResolver } from './context-resolver';
import type { PendingAction } from './pending-action';

interface BuilderState {
  readonly contextOf: ContextResolver;
  readonly actions: PendingAction[];
  sealed: boolean;
}

// Kept outside the class so the recorded actions (entities with their plaintext, keys, contexts
// with the cursor key) are not part of its public surface, nor printed by `console.dir`.
const states = new WeakMap<TransactionBuilder, BuilderState>();

/**
 * Collects the actions of one transaction; `db.transaction` sends them as ONE TransactWriteItems
 * once the callback returns, all or nothing. Nothing is sent while actions are added. Keys,
 * changes and conditions are checked as each action is added (a mistake throws at that call);
 * saved instances are mapped and encrypted when the transaction is sent, and get their new
 * `@Version` and timestamps only after DynamoDB committed it.
 *
 * A builder works only inside its callback; using it afterwards throws `ValidationError`.
 *
 * @example
 * ```ts
 * await db.transaction((tx) => {
 *   tx.save(order, { ifNotExists: true });
 *   tx.update(Stock, { sku: 'A1' }, { add: { reserved: 1 } }, { condition: (c) => c.gt('free', 0) });
 *   tx.delete(Cart, { userId: 'u1' });
 *   tx.check(User, { id: 'u1' }, (c) => c.eq('status', 'active'));
 * });
 * ```
 */
export class TransactionBuilder {
  /** @internal Use `db.transaction(callback)`. */
  constructor(contextOf: ContextResolver) {
    states.set(this, { contextOf, actions: [], sealed: false });
  }

  /**
   * Saves an entity as `repo.save` would (PutItem), with its `@Version` check and the options'
   * conditions.
   *
   * @example
   * ```ts
   * await db.transaction((tx) => {
   *   tx.save(invoice, { ifNotExists: true });
   * });
   * ```
   */
  save<E extends object>(entity: E, options: SaveOptions<E> = {}): this {
    const state = this.open('save');
    const context = state.contextOf(classOf(entity));
    // Checked now, so a mistake throws at this call; prepareSave checks again at commit.
    assertEntityInstance(context.metadata, entity, 'save');
    state.actions.push({
      kind: 'save',
      context,
      entity,
      options: options,
    });
    return this;
  }

  /**
   * Deletes the item with this key, as `repo.delete` would.
   *
   * @example
   * ```ts
   * await db.transaction((tx) => {
   *   tx.delete(Session, { id: 's1' }, { ifExists: true });
   * });
   * ```
   */
  delete<E extends object>(
    target: Constructor<E>,
    key: EntityKey<E>,
    options: DeleteOptions<E> = {},
  ): this {
    const state = this.open('delete');
    const context = state.contextOf(target);
    const request = prepareDelete(context, key, options);
    state.actions.push({ kind: 'delete', context, request, checks: deleteChecks(options) });
    return this;
  }

  /**
   * Updates the item with this key, as `repo.update` would (it must exist; `@UpdatedAt` and
   * `@Version` are maintained; encrypted `set` values are encrypted for this item).
   *
   * @example
   * ```ts
   * await db.transaction((tx) => {
   *   tx.update(Account, { id: 'a1' }, { add: { balance: -25 } }, { expectedVersion: 7 });
   *   tx.update(Account, { id: 'a2' }, { add: { balance: 25 } });
   * });
   * ```
   */
  update<E extends object>(
    target: Constructor<E>,
    key: EntityKey<E>,
    changes: UpdateChanges<E>,
    options: TransactionUpdateOptions<E> = {},
  ): this {
    const state = this.open('update');
    const context = state.contextOf(target);
    const checked = checkUpdate(context, key, changes, options);
    if (needsReseal(context, checked)) {
      // Re-sealing reads the item first; a transaction's update cannot, so it is refused before
      // anything is sent rather than leave the item's envelope out of step with it.
      throw new ValidationError(
        `${context.metadata.className}: tx.update cannot change an @Encrypted or @Signed attribute, ` +
          'which re-seals the item; use tx.save with the whole entity, or Repository.update',
        context.metadata.className,
      );
    }
    state.actions.push({ kind: 'update', context, checked });
    return this;
  }

  /**
   * Requires the item with this key to meet a condition, without changing it (ConditionCheck).
   * Encrypted properties cannot be used in it (`ENCRYPTED_FIELD_NOT_QUERYABLE`). With
   * `returnOnConditionFailure`, a failed check offers the stored item through the
   * `TransactionCanceledError`'s `storedItem(index)`.
   *
   * @example
   * ```ts
   * await db.transaction((tx) => {
   *   tx.check(Team, { id: 't1' }, (c) => c.lt('members', 10));
   *   tx.save(membership);
   * });
   * ```
   */
  check<E extends object>(
    target: Constructor<E>,
    key: EntityKey<E>,
    condition: ConditionInput<E>,
    options: ConditionFailureOptions = {},
  ): this {
    const state = this.open('check');
    const context = state.contextOf(target);
    const { metadata } = context;
    if (condition === undefined || condition === null) {
      throw new ValidationError(
        `${metadata.className}: tx.check needs a condition`,
        metadata.className,
      );
    }
    const Key = context.mapper.key(key);
    const expressions = new ExpressionContext();
    const rendered = renderWriteCondition(metadata, condition, expressions, 'a transaction check');
    state.actions.push({
      kind: 'check',
      context,
      request: {
        TableName: metadata.table,
        Key,
        ConditionExpression: rendered,
        ...expressions.attributes(),
      },
      checks: {
        userCondition: true,
        ...(options.returnOnConditionFailure === true ? { returnOnFailure: true } : {}),
      },
    });
    return this;
  }

  /**
   * The number of actions added so far.
   *
   * @example
   * ```ts
   * await db.transaction((tx) => {
   *   for (const item of items) tx.save(item);
   *   if (tx.size > 100) throw new Error('split the import');
   * });
   * ```
   */
  get size(): number {
    return stateOf(this).actions.length;
  }

  /**
   * The actions so far, for logs, as kinds and entity names: `JSON.stringify(tx)` and
   * `console.log(tx)` print these and nothing else (no entities, keys or values).
   *
   * @example
   * ```ts
   * await db.transaction((tx) => {
   *   tx.save(order);
   *   console.log(tx); // TransactionBuilder { actions: 1, entities: [ 'Order' ], tables: [ 'orders' ], ... }
   * });
   * ```
   */
  toJSON(): Record<string, unknown> {
    const { actions, sealed } = stateOf(this);
    const metadata = actions.map((action) => action.context.metadata);
    return {
      actions: actions.length,
      kinds: actions.map((action) => action.kind),
      entities: [...new Set(metadata.map((m) => m.entityName))],
      tables: [...new Set(metadata.map((m) => m.table))],
      sealed,
    };
  }

  /** @internal What `util.inspect` prints: see {@link toJSON}. */
  [inspect.custom](depth: number, options: InspectOptionsStylized, print: typeof inspect): string {
    return printedSummary('TransactionBuilder', this.toJSON(), depth, options, print);
  }

  private open(action: string): BuilderState {
    const state = stateOf(this);
    if (state.sealed) {
      throw new ValidationError(
        `tx.${action} was called after the transaction callback returned; add every action inside it`,
      );
    }
    return state;
  }
}

/** Closes a builder and returns its actions; later calls on it throw. */
export function sealTransaction(tx: TransactionBuilder): readonly PendingAction[] {
  const state = stateOf(tx);
  state.sealed = true;
  return state.actions;
}

function stateOf(tx: TransactionBuilder): BuilderState {
  const state = states.get(tx);
  if (state === undefined) throw new Error('theorydb internal error: unknown transaction builder');
  return state;
}

/**
 * The class whose repository saves `entity`: the one its prototype belongs to, not
 * `entity.constructor`, which an own property could point at a base class whose metadata encrypts
 * less. Should a class's `prototype.constructor` have been reassigned, the exact-class check of
 * the save refuses the instance.
 */
function classOf<E extends object>(entity: E): Constructor<E> {
  if (typeof entity !== 'object' || entity === null) {
    throw new ValidationError(`tx.save expects an entity instance, got ${describeType(entity)}`);
  }
  const prototype = Object.getPrototypeOf(entity) as object | null;
  const owner =
    prototype !== null && Object.hasOwn(prototype, 'constructor')
      ? (prototype as { constructor: unknown }).constructor
      : undefined;
  if (typeof owner !== 'function') {
    throw new ValidationError(
      `tx.save expects an entity instance, got an object without a class (${describeType(entity)})`,
    );
  }
  return owner as Constructor<E>;
}
