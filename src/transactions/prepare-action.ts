import type { TransactWriteItem } from '@aws-sdk/client-dynamodb';
import type { DataKeyScope } from '../crypto/data-key-scope';
import type { Item } from '../mapping/entity-mapper';
import { needsStoredItemOnFailure, type WriteChecks } from '../repository/condition-failure';
import { storedItemReader } from '../repository/stored-item';
import { prepareSave, type SaveRequest } from '../repository/save-request';
import { prepareUpdate } from '../update/update-operation';
import type { ActionSite } from './cancellation-reasons';
import type { PendingAction } from './pending-action';

/** One action ready to send, with what is needed after the outcome is known. */
export interface PreparedAction {
  readonly item: TransactWriteItem;
  readonly site: ActionSite;
  /** For a save: the instance and the lifecycle values to copy onto it after the commit. */
  readonly saved?: { readonly entity: object; readonly request: SaveRequest };
}

/**
 * Maps, encrypts and renders one recorded action with the transaction's data-key scope. Actions
 * that check a version and a caller's condition ask for the stored item on failure
 * (`ReturnValuesOnConditionCheckFailure: ALL_OLD`), to tell a version conflict from a failed
 * condition.
 */
export async function prepareAction(
  action: PendingAction,
  scope: DataKeyScope | undefined,
): Promise<PreparedAction> {
  const { metadata } = action.context;
  // Only for actions whose options asked for the stored item on failure.
  const readerOf = (checks: WriteChecks) =>
    checks.returnOnFailure === true
      ? storedItemReader(action.context, 'transaction', keyOfAction(action))
      : undefined;
  switch (action.kind) {
    case 'save': {
      const request = await prepareSave(action.context, action.entity, action.options, scope);
      const stored = needsStoredItemOnFailure(request.checks);
      return {
        item: {
          Put: {
            ...request.put,
            ...(stored ? { ReturnValuesOnConditionCheckFailure: 'ALL_OLD' } : {}),
          },
        },
        site: {
          metadata,
          action: 'save',
          checks: request.checks,
          reader: readerOf(request.checks),
        },
        saved: { entity: action.entity, request },
      };
    }
    case 'update': {
      const update = prepareUpdate(action.context, action.checked);
      return {
        item: { Update: update },
        site: {
          metadata,
          action: 'update',
          checks: action.checked.checks,
          reader: readerOf(action.checked.checks),
        },
      };
    }
    case 'delete':
      return {
        item: { Delete: { ...action.request, ...storedOnFailure(action.checks) } },
        site: {
          metadata,
          action: 'delete',
          checks: action.checks,
          reader: readerOf(action.checks),
        },
      };
    case 'check':
      return {
        item: { ConditionCheck: { ...action.request, ...storedOnFailure(action.checks) } },
        site: { metadata, action: 'check', checks: action.checks, reader: readerOf(action.checks) },
      };
  }
}

function storedOnFailure(checks: WriteChecks) {
  return needsStoredItemOnFailure(checks)
    ? { ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const }
    : {};
}

/**
 * Maps a save's plain attributes once, without encrypting, so that a bad value in any action
 * (a wrong type, an entity nested in another value) fails the transaction before the first KMS
 * call of any other action. Other actions were checked when they were added.
 */
export function precheckAction(action: PendingAction): void {
  if (action.kind === 'save') action.context.mapper.toItem(action.entity);
}

/** The key of the item an action touches, to refuse two actions on one item before sending. */
export function keyOfAction(action: PendingAction): Item {
  switch (action.kind) {
    case 'save': {
      const { metadata, mapper } = action.context;
      const source = action.entity as Record<string, unknown>;
      const key: Record<string, unknown> = {};
      for (const a of metadata.keyAttributes) key[a.property] = source[a.property];
      return mapper.key(key);
    }
    case 'update':
      return action.checked.keyItem;
    case 'delete':
    case 'check':
      return action.request.Key;
  }
}
