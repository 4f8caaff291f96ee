import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { ValidationError } from '../errors';
import type { ExpressionContext } from '../expressions/expression-context';
import { PathResolver } from '../expressions/path-resolver';
import type { EntityMetadata } from '../metadata/entity-metadata';
import type { KeyExpectation } from '../repository/returned-key-check';
import { describeTarget, type ReadTarget } from './read-target';
import type { ReadSpec } from './read-spec';
import { keyConditionValue, renderSortKeyCondition } from './sort-key-condition';

/** A rendered key condition and the typed partition value it pins (bound into cursors). */
export interface KeyCondition {
  readonly expression: string;
  readonly partitionValue: AttributeValue;
  /**
   * The same condition on stored values: what the target's partition and sort key of every item
   * in the response must satisfy, or the response is refused (`RESPONSE_MISMATCH`).
   */
  readonly expectations: readonly KeyExpectation[];
}

/**
 * The KeyConditionExpression of a query on `target`: the partition object must name exactly the
 * target's partition key, and a sort-key condition, when given, applies to the target's sort key
 * (and, when it names a property, must name that one). Encrypted properties are refused with
 * `ENCRYPTED_FIELD_NOT_QUERYABLE`, other mistakes with `ValidationError`, before anything is sent.
 */
export function renderKeyCondition(
  metadata: EntityMetadata,
  target: ReadTarget,
  spec: ReadSpec,
  context: ExpressionContext,
): KeyCondition {
  const { className } = metadata;
  const paths = new PathResolver(metadata);
  const partition = spec.partition;
  const expected = target.partitionKey.property;
  if (typeof partition !== 'object' || partition === null || Array.isArray(partition)) {
    throw new ValidationError(
      `${className}: query() takes an object with the partition key of ${describeTarget(target)}, such as { ${expected}: ... }`,
      className,
    );
  }
  const properties = Object.keys(partition);
  // Every named property is resolved first, so an encrypted one is reported as such.
  for (const property of properties) paths.resolve(property, 'a key condition');
  if (properties.length !== 1 || properties[0] !== expected) {
    const sortHint =
      target.sortKey !== undefined && properties.includes(target.sortKey.property)
        ? `; put a condition on ${target.sortKey.property} in .sortKey()`
        : '';
    throw new ValidationError(
      `${className}: query() on ${describeTarget(target)} takes exactly its partition key { ${expected} }${sortHint}`,
      className,
      properties.find((p) => p !== expected),
    );
  }
  const partitionValue = keyConditionValue(
    (partition as Record<string, unknown>)[expected],
    target.partitionKey,
    metadata,
  );
  const clauses = [
    `${context.name(target.partitionKey.attribute)} = ${context.value(partitionValue)}`,
  ];
  const expectations: KeyExpectation[] = [
    { attribute: target.partitionKey.attribute, test: { kind: 'eq', value: partitionValue } },
  ];
  if (spec.sortKey !== undefined) {
    const { property, condition } = spec.sortKey;
    const sortKey = target.sortKey;
    if (property !== undefined) paths.resolve(property, 'a sort key condition');
    if (sortKey === undefined) {
      throw new ValidationError(
        `${className}: ${describeTarget(target)} has no sort key, so sortKey() cannot be used`,
        className,
        property,
      );
    }
    if (property !== undefined && property !== sortKey.property) {
      throw new ValidationError(
        `${className}.${property} is not the sort key of ${describeTarget(target)} (${sortKey.property}); use filter() for other properties`,
        className,
        property,
      );
    }
    const rendered = renderSortKeyCondition(condition, sortKey, metadata, context);
    clauses.push(rendered.clause);
    expectations.push({ attribute: sortKey.attribute, test: rendered.test });
  }
  return { expression: clauses.join(' AND '), partitionValue, expectations };
}
