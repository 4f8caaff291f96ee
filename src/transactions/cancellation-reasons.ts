import {
  type TransactionActionKind,
  TransactionCanceledError,
  type TransactionCancellationReason,
  type TransactionReasonCode,
} from '../errors';
import type { EntityMetadata } from '../metadata/entity-metadata';
import type { StoredItemLoader } from '../errors/stored-item-slot';
import {
  conditionFailureKind,
  type StoredItemReader,
  type WriteChecks,
} from '../repository/condition-failure';

/** What one action of a transaction was, to explain its cancellation reason. */
export interface ActionSite {
  readonly metadata: EntityMetadata;
  readonly action: TransactionActionKind;
  /** What the action's condition checks; an action without a condition checks nothing. */
  readonly checks: WriteChecks;
  /** Reads the item a failed condition returned, when the action asked for it. */
  readonly reader?: StoredItemReader;
}

const CODES: Readonly<Record<string, TransactionReasonCode>> = {
  None: 'NONE',
  TransactionConflict: 'TRANSACTION_CONFLICT',
  ThrottlingError: 'THROTTLED',
  ProvisionedThroughputExceeded: 'THROTTLED',
  RequestLimitExceeded: 'THROTTLED',
  ItemCollectionSizeLimitExceeded: 'ITEM_COLLECTION_SIZE_LIMIT',
  ValidationError: 'VALIDATION',
};

/** Whether an SDK error is a cancelled transaction (recognised by `name`, not `instanceof`). */
export function isTransactionCanceled(error: unknown): boolean {
  return (error as { name?: unknown } | undefined)?.name === 'TransactionCanceledException';
}

/**
 * Turns a `TransactionCanceledException` into a {@link TransactionCanceledError} with one reason
 * per action. A `ConditionalCheckFailed` reason is a version conflict or a failed condition,
 * decided as for a single write (from the item DynamoDB returned with `ALL_OLD`). Every returned
 * item is removed from the SDK error before it becomes the `cause`: items hold key values and
 * ciphertexts.
 */
export function canceledError(
  error: unknown,
  sites: readonly ActionSite[],
  operation: string,
): TransactionCanceledError {
  const raw = (error as { CancellationReasons?: unknown }).CancellationReasons;
  const returned: unknown[] = Array.isArray(raw) ? raw : [];
  const loaders = new Map<number, StoredItemLoader>();
  const reasons = sites.map((site, index): TransactionCancellationReason => {
    const reason = returned[index] as { Code?: unknown; Item?: unknown } | undefined;
    const awsCode = typeof reason?.Code === 'string' ? reason.Code : 'Unknown';
    const base = {
      index,
      entity: site.metadata.entityName,
      table: site.metadata.table,
      action: site.action,
      awsCode,
    };
    if (awsCode !== 'ConditionalCheckFailed') return { ...base, code: CODES[awsCode] ?? 'UNKNOWN' };
    // conditionFailureKind reads the returned item and deletes it from `reason`.
    const kind = conditionFailureKind(site.metadata, reason, site.checks, site.reader);
    if (kind?.storedItem !== undefined) loaders.set(index, kind.storedItem);
    return kind?.kind === 'version'
      ? { ...base, code: 'VERSION_CONFLICT', expectedVersion: kind.expected }
      : { ...base, code: 'CONDITION_FAILED' };
  });
  for (const reason of returned) {
    if (typeof reason === 'object' && reason !== null) delete (reason as { Item?: unknown }).Item;
  }
  const failed = reasons.filter((r) => r.code !== 'NONE');
  const summary =
    failed.length === 0
      ? 'no reason given'
      : failed.map((r) => `action ${r.index} (${r.action} ${r.entity}): ${r.code}`).join('; ');
  return new TransactionCanceledError(`${operation} canceled: ${summary}`, reasons, {
    cause: error,
    storedItems: loaders,
  });
}
