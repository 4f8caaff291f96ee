import type { QueryCommandInput, ScanCommandInput } from '@aws-sdk/client-dynamodb';
import { ValidationError } from '../errors';
import type { Condition } from '../expressions/condition';
import { ExpressionContext, allOf } from '../expressions/expression-context';
import { PathResolver } from '../expressions/path-resolver';
import { renderCondition } from '../expressions/render-condition';
import type { EntityMetadata } from '../metadata/entity-metadata';
import { keyConditionCheck, type ReturnedKeyCheck } from '../repository/returned-key-check';
import { CURSOR_VERSION, type CursorScope, describeKeyValue } from './cursor';
import { type KeyCondition, renderKeyCondition } from './key-condition';
import { type Projection, renderProjection } from './projection';
import type { ReadSpec, SegmentPlan } from './read-spec';
import { describeTarget, type ReadTarget, readTarget } from './read-target';

/** A query or scan request, without its position (start key, segment) and page size. */
export type ReadInput = QueryCommandInput | ScanCommandInput;

/** A spec compiled into requests, once per execution (a page, an iteration, a count). */
export interface ReadPlan {
  readonly operation: 'query' | 'scan';
  /** The request that returns items. */
  readonly input: ReadInput;
  /**
   * The request that counts (`Select: 'COUNT'`, no projection), rendered on first use: most reads
   * never count, and rendering renders every condition again.
   */
  readonly countInput: () => ReadInput;
  readonly projection: Projection | undefined;
  /**
   * For a query: what every item of a response must match (partition value and sort-key condition
   * of the table or index), checked before anything is decrypted. A scan asks for no key, so it
   * has nothing to check.
   */
  readonly returnedKeys: ReturnedKeyCheck | undefined;
  readonly cursor: CursorScope;
  readonly segments: SegmentPlan | undefined;
  readonly limit: number | undefined;
  readonly pageSize: number | undefined;
  /** The caller's signal (`abortSignal()` of the builder), for every request of the read. */
  readonly abortSignal: AbortSignal | undefined;
}

/**
 * Compiles a spec into DynamoDB requests, checking everything that can be checked without the
 * network: the index and its consistency, the partition object, the sort-key condition, every
 * filter (encrypted properties refused with `ENCRYPTED_FIELD_NOT_QUERYABLE`) and the projection.
 */
export function compileRead(metadata: EntityMetadata, cursorKey: Buffer, spec: ReadSpec): ReadPlan {
  const target = readTarget(metadata, spec.index);
  if (spec.consistent && target.kind === 'global') {
    throw consistentOnGlobalIndex(metadata, target.indexName);
  }
  const build = (count: boolean): { input: ReadInput; key?: KeyCondition } => {
    const context = new ExpressionContext();
    const key =
      spec.operation === 'query' ? renderKeyCondition(metadata, target, spec, context) : undefined;
    const filter = renderFilters(metadata, target, spec, context);
    const checked = key?.expectations.map((expectation) => expectation.attribute) ?? [];
    const projection =
      !count && spec.projection !== undefined
        ? renderProjection(spec.projection, context, checked)
        : undefined;
    const input: ReadInput = {
      TableName: metadata.table,
      ...(target.indexName === undefined ? {} : { IndexName: target.indexName }),
      ...(key === undefined ? {} : { KeyConditionExpression: key.expression }),
      ...(filter === undefined ? {} : { FilterExpression: filter }),
      ...(projection === undefined ? {} : { ProjectionExpression: projection }),
      ...(spec.consistent ? { ConsistentRead: true } : {}),
      ...(spec.reverse ? { ScanIndexForward: false } : {}),
      ...(count ? { Select: 'COUNT' as const } : {}),
      ...context.attributes(),
    };
    return { input, ...(key === undefined ? {} : { key }) };
  };
  const items = build(false);
  let countInput: ReadInput | undefined;
  return {
    operation: spec.operation,
    input: items.input,
    countInput: () => (countInput ??= build(true).input),
    projection: spec.projection,
    returnedKeys:
      items.key === undefined
        ? undefined
        : keyConditionCheck(metadata, spec.operation, items.key.expectations),
    segments: spec.segments,
    limit: spec.limit,
    pageSize: spec.pageSize,
    abortSignal: spec.abortSignal,
    cursor: {
      secret: cursorKey,
      entity: metadata.className,
      positionKeys: target.positionKeys,
      segments: spec.segments?.total,
      binding: JSON.stringify([
        'theorydb-read',
        CURSOR_VERSION,
        spec.operation,
        metadata.table,
        metadata.entityName,
        target.indexName ?? null,
        spec.operation === 'query' ? target.partitionKey.attribute : null,
        items.key === undefined ? null : describeKeyValue(items.key.partitionValue),
        spec.reverse,
        spec.segments?.total ?? null,
      ]),
    },
  };
}

/** The ValidationError for a strongly consistent read of a global secondary index. */
export function consistentOnGlobalIndex(
  metadata: EntityMetadata,
  index: string | undefined,
): ValidationError {
  return new ValidationError(
    `${metadata.className}: index '${index}' is a global secondary index, which DynamoDB cannot read with strong consistency; drop consistent() or read the table or a local index`,
    metadata.className,
  );
}

/**
 * The FilterExpression: every `.filter()` ANDed. A query's filter may not name the key of the
 * table or index it queries (DynamoDB refuses it; the sort key belongs in `.sortKey()`).
 */
function renderFilters(
  metadata: EntityMetadata,
  target: ReadTarget,
  spec: ReadSpec,
  context: ExpressionContext,
): string | undefined {
  const paths = new PathResolver(metadata);
  const clauses = spec.filters.map((condition) => {
    const clause = renderCondition(condition, paths, context, 'a filter');
    if (spec.operation === 'query') refuseKeyPaths(metadata, target, condition);
    return clause;
  });
  return allOf(clauses);
}

function refuseKeyPaths(metadata: EntityMetadata, target: ReadTarget, condition: Condition): void {
  const keys = [target.partitionKey, target.sortKey];
  for (const property of conditionPaths(condition)) {
    const key = keys.find((k) => k?.property === property);
    if (key !== undefined) {
      throw new ValidationError(
        `${metadata.className}.${property} is a key of ${describeTarget(target)} and cannot be filtered in a query; use query({ ... }) or sortKey() for it`,
        metadata.className,
        property,
      );
    }
  }
}

function conditionPaths(condition: Condition): string[] {
  switch (condition.kind) {
    case 'and':
    case 'or':
      return condition.conditions.flatMap(conditionPaths);
    case 'not':
      return conditionPaths(condition.condition);
    default:
      return [condition.path];
  }
}
