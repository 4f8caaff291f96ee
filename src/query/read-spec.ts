import { ValidationError } from '../errors';
import type { Condition } from '../expressions/condition';
import type { IndexMetadata } from '../metadata/entity-metadata';
import type { Projection } from './projection';
import type { SortKeyCondition } from './sort-key-condition';

/** A parallel scan: `total` segments, at most `concurrency` of them read at a time. */
export interface SegmentPlan {
  readonly total: number;
  readonly concurrency: number;
}

/**
 * Everything a query or scan builder has been told, as one frozen value. Builders only ever make
 * new specs; compiling a spec into a request happens when results are asked for.
 */
export interface ReadSpec {
  readonly operation: 'query' | 'scan';
  /** The partition object given to `repo.query(...)`, copied and frozen; checked at compile. */
  readonly partition: unknown;
  readonly index: IndexMetadata | undefined;
  readonly sortKey:
    { readonly property: string | undefined; readonly condition: SortKeyCondition } | undefined;
  readonly filters: readonly Condition[];
  readonly limit: number | undefined;
  /** DynamoDB's `Limit` for each request (items read before the filter). */
  readonly pageSize: number | undefined;
  readonly reverse: boolean;
  readonly consistent: boolean;
  readonly projection: Projection | undefined;
  readonly segments: SegmentPlan | undefined;
  /** Cancels the read's requests (see `ReadBuilder.abortSignal`). */
  readonly abortSignal: AbortSignal | undefined;
}

/** The spec of a fresh `repo.query(partition)` or `repo.scan()`. */
export function initialSpec(operation: 'query' | 'scan', partition?: unknown): ReadSpec {
  return Object.freeze({
    operation,
    partition: copyPartition(partition),
    index: undefined,
    sortKey: undefined,
    filters: Object.freeze([]),
    limit: undefined,
    pageSize: undefined,
    reverse: false,
    consistent: false,
    projection: undefined,
    segments: undefined,
    abortSignal: undefined,
  });
}

/** A new frozen spec with `patch` applied. */
export function withSpec(spec: ReadSpec, patch: Partial<ReadSpec>): ReadSpec {
  return Object.freeze({ ...spec, ...patch });
}

/** Refuses anything but an integer in `[min, max]`, naming `what`. */
export function checkedInteger(
  value: unknown,
  what: string,
  entity: string,
  min = 1,
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `from ${min} to ${max}`;
    throw new ValidationError(`${entity}: ${what} must be an integer ${range}`, entity);
  }
  return value;
}

/** A shallow frozen copy, so a caller changing its object later cannot change the builder. */
function copyPartition(partition: unknown): unknown {
  if (typeof partition !== 'object' || partition === null) return partition;
  return Object.freeze({ ...(partition as Record<string, unknown>) });
}
