import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { StoredItemLoader } from '../errors/stored-item-slot';
import type { EntityMetadata } from '../metadata/entity-metadata';
import type { DynamoFailureContext } from './dynamo-error-converter';

/** What a conditional write checked. */
export interface WriteChecks {
  /** The version the write expected stored, when the entity is versioned (undefined: none). */
  readonly version?: { readonly expected: number | undefined };
  /** True when `ifNotExists` or a caller's condition was part of the request. */
  readonly userCondition: boolean;
  /** True when the caller asked for the stored item on failure (`returnOnConditionFailure`). */
  readonly returnOnFailure?: boolean;
}

/** Makes the loader of the item a failed write returned (undefined: none was stored). */
export type StoredItemReader = (
  item: Record<string, AttributeValue> | undefined,
) => StoredItemLoader;

/**
 * Decides whether a failed conditional write was a version conflict or a failed condition.
 *
 * With only a version check, it is a conflict. With a caller's condition, it is a failed
 * condition, unless the stored item (returned by `ReturnValuesOnConditionCheckFailure: ALL_OLD`)
 * shows the version check failed too: another version stored, or the item gone while a loaded
 * version was expected. The returned item is removed from the SDK error before it becomes a
 * `cause`, as it holds the item's key values and ciphertexts; with a `reader` (the caller asked
 * for it), the error gets a loader that decrypts it on demand instead.
 */
export function conditionFailureKind(
  metadata: EntityMetadata,
  error: unknown,
  checks: WriteChecks,
  reader?: StoredItemReader,
): DynamoFailureContext['condition'] {
  const stored = takeReturnedItem(error);
  const kind = failureKind(metadata, stored, checks);
  return reader === undefined || checks.returnOnFailure !== true
    ? kind
    : { ...kind, storedItem: reader(stored) };
}

function failureKind(
  metadata: EntityMetadata,
  stored: Record<string, AttributeValue> | undefined,
  checks: WriteChecks,
): NonNullable<DynamoFailureContext['condition']> {
  if (checks.version === undefined || metadata.version === undefined) return { kind: 'condition' };
  const { expected } = checks.version;
  if (!checks.userCondition) return { kind: 'version', expected };
  if (expected === undefined) return { kind: 'condition' };
  const storedVersion = stored?.[metadata.version.attribute]?.N;
  return storedVersion === String(expected) ? { kind: 'condition' } : { kind: 'version', expected };
}

/**
 * Whether a write with these checks should ask DynamoDB for the stored item on failure: to tell a
 * version conflict from a failed condition, or because the caller asked for it (and the write has
 * a condition that can fail).
 */
export function needsStoredItemOnFailure(checks: WriteChecks): boolean {
  if (checks.version?.expected !== undefined && checks.userCondition) return true;
  return checks.returnOnFailure === true && (checks.userCondition || checks.version !== undefined);
}

function takeReturnedItem(error: unknown): Record<string, AttributeValue> | undefined {
  if (typeof error !== 'object' || error === null || !('Item' in error)) return undefined;
  const item = (error as { Item?: Record<string, AttributeValue> }).Item;
  delete (error as { Item?: unknown }).Item;
  return item;
}
