import type { Put } from '@aws-sdk/client-dynamodb';
import type { DataKeyScope } from '../crypto/data-key-scope';
import { ValidationError } from '../errors';
import type { ConditionInput } from '../expressions/condition-builder';
import { allOf, ExpressionContext } from '../expressions/expression-context';
import { renderWriteCondition } from '../expressions/render-write-condition';
import { assertEntityInstance } from '../mapping/entity-instance';
import type { WriteChecks } from './condition-failure';
import type { ConditionFailureOptions } from './condition-failure-options';
import type { RepositoryContext } from './repository-context';

/** Options of `Repository.save` (and of `tx.save` in a transaction). */
export interface SaveOptions<T = unknown> extends ConditionFailureOptions {
  /** Write only if no item with this key exists; otherwise fail with `CONDITION_FAILED`. */
  ifNotExists?: boolean;
  /** Write only if the stored item meets this condition; otherwise fail with `CONDITION_FAILED`. */
  condition?: ConditionInput<T>;
}

/** A prepared save: the request, and what to copy onto the instance once it succeeded. */
export interface SaveRequest {
  readonly put: Put;
  /** New version and timestamps, keyed by property. */
  readonly lifecycle: ReadonlyMap<string, unknown>;
  /** What the request's condition checks, to classify a failure. */
  readonly checks: WriteChecks;
}

/**
 * Prepares the PutItem of a save: lifecycle values computed aside, the item mapped and its
 * encrypted fields sealed, and one condition made of `ifNotExists`, the caller's condition and the
 * version check. Shared by `Repository.save` and transactions.
 */
export async function prepareSave<T extends object>(
  context: RepositoryContext<T>,
  entity: T,
  options: SaveOptions<T>,
  scope: DataKeyScope | undefined,
): Promise<SaveRequest> {
  const { metadata, mapper, encryption } = context;
  // Exactly the class, not a subclass: its metadata decides what is encrypted.
  assertEntityInstance(metadata, entity, 'save');
  const source = entity as Record<string, unknown>;
  const expectedVersion =
    metadata.version === undefined
      ? undefined
      : versionOf(context, source[metadata.version.property]);
  const lifecycle = lifecycleValues(context, source, expectedVersion);
  const expressions = new ExpressionContext();
  const pkAbsent = () =>
    `attribute_not_exists(${expressions.name(metadata.partitionKey.attribute)})`;
  const clauses: string[] = [];
  if (options.ifNotExists === true) clauses.push(pkAbsent());
  if (options.condition !== undefined) {
    clauses.push(renderWriteCondition(metadata, options.condition, expressions));
  }
  const hasUserCondition = clauses.length > 0;
  if (metadata.version !== undefined) {
    clauses.push(
      expectedVersion === undefined
        ? pkAbsent()
        : `${expressions.name(metadata.version.attribute)} = ${expressions.value({ N: String(expectedVersion) })}`,
    );
  }
  const item = mapper.toItem(entity, lifecycle);
  // Lifecycle attributes are never encrypted, so the overrides do not concern encryption.
  await encryption.encryptInto(item, source, scope);
  const condition = allOf([...new Set(clauses)]);
  return {
    put: {
      TableName: metadata.table,
      Item: item,
      ...(condition === undefined
        ? {}
        : { ConditionExpression: condition, ...expressions.attributes() }),
    },
    lifecycle,
    checks: {
      userCondition: hasUserCondition,
      ...(options.returnOnConditionFailure === true ? { returnOnFailure: true } : {}),
      ...(metadata.version === undefined ? {} : { version: { expected: expectedVersion } }),
    },
  };
}

/** Copies the new version and timestamps onto the instance, after the write succeeded. */
export function applyLifecycle(entity: object, request: SaveRequest): void {
  const target = entity as Record<string, unknown>;
  for (const [property, value] of request.lifecycle) target[property] = value;
}

function lifecycleValues<T extends object>(
  context: RepositoryContext<T>,
  source: Record<string, unknown>,
  expectedVersion: number | undefined,
): Map<string, unknown> {
  const { metadata } = context;
  const values = new Map<string, unknown>();
  if (metadata.version !== undefined)
    values.set(metadata.version.property, (expectedVersion ?? 0) + 1);
  if (metadata.createdAt === undefined && metadata.updatedAt === undefined) return values;
  const now = context.now();
  if (metadata.createdAt !== undefined && source[metadata.createdAt.property] == null) {
    values.set(metadata.createdAt.property, timestampAs(metadata.createdAt.codec.kind, now));
  }
  if (metadata.updatedAt !== undefined) {
    values.set(metadata.updatedAt.property, timestampAs(metadata.updatedAt.codec.kind, now));
  }
  return values;
}

/** The stored version a loaded instance carries; undefined for a new instance. */
export function versionOf<T extends object>(
  context: RepositoryContext<T>,
  value: unknown,
): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    const { className } = context.metadata;
    const property = context.metadata.version?.property ?? 'version';
    throw new ValidationError(
      `${className}.${property} must be unset (a new entity) or a positive integer (a loaded one)`,
      className,
      property,
    );
  }
  return value;
}

/** A timestamp in the property's declared type. */
export function timestampAs(kind: string, now: Date): Date | number | string {
  if (kind === 'number') return now.getTime();
  if (kind === 'string') return now.toISOString();
  return now;
}
