import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { ValidationError } from '../errors';
import type { ExpressionContext } from '../expressions/expression-context';
import type { EntityMetadata, KeyAttributeMetadata } from '../metadata/entity-metadata';
import type { KeyValue } from '../repository/entity-key';
import type { KeyTest } from '../repository/returned-key-check';

/**
 * A condition on the sort key of a query's table or index, as an immutable value. Built with a
 * {@link SortKeyConditionBuilder}; the value is converted the way the sort key is stored only when
 * the request is made, so one condition serves the table and any index with a compatible key.
 *
 * @example
 * ```ts
 * const lastWeek: SortKeyCondition = new SortKeyConditionBuilder().gte('2026-01-01');
 * await repo.query({ customerId: 'c1' }).sortKey(() => lastWeek).all();
 * ```
 */
export type SortKeyCondition =
  | { readonly kind: 'eq' | 'lt' | 'lte' | 'gt' | 'gte'; readonly value: unknown }
  | { readonly kind: 'between'; readonly low: unknown; readonly high: unknown }
  | { readonly kind: 'beginsWith'; readonly prefix: string | Uint8Array };

/**
 * Builds the sort-key part of a query's key condition, the only comparisons DynamoDB allows
 * there. `V` is the sort key's value type when the property is named, otherwise any key value
 * (checked against the key's stored type before anything is sent).
 *
 * @example
 * ```ts
 * repo.query({ customerId: 'c1' }).sortKey((k) => k.between('2026-01', '2026-02'));
 * repo.query({ customerId: 'c1' }).sortKey((k) => k.beginsWith('ORDER#'));
 * ```
 */
export class SortKeyConditionBuilder<V = KeyValue> {
  /**
   * The sort key equals `value`.
   *
   * @example
   * ```ts
   * repo.query({ customerId: 'c1' }).sortKey((k) => k.eq('ORDER#42'));
   * ```
   */
  eq(value: V): SortKeyCondition {
    return Object.freeze({ kind: 'eq', value });
  }

  /**
   * The sort key sorts before `value`.
   *
   * @example
   * ```ts
   * repo.query({ stream: 'a' }).sortKey((k) => k.lt(100));
   * ```
   */
  lt(value: V): SortKeyCondition {
    return Object.freeze({ kind: 'lt', value });
  }

  /**
   * The sort key sorts before `value` or equals it.
   *
   * @example
   * ```ts
   * repo.query({ stream: 'a' }).sortKey((k) => k.lte(100));
   * ```
   */
  lte(value: V): SortKeyCondition {
    return Object.freeze({ kind: 'lte', value });
  }

  /**
   * The sort key sorts after `value`.
   *
   * @example
   * ```ts
   * repo.query({ stream: 'a' }).sortKey((k) => k.gt(100));
   * ```
   */
  gt(value: V): SortKeyCondition {
    return Object.freeze({ kind: 'gt', value });
  }

  /**
   * The sort key sorts after `value` or equals it.
   *
   * @example
   * ```ts
   * repo.query({ userId: 'u1' }).sortKey('createdAt', (k) => k.gte(new Date('2026-01-01')));
   * ```
   */
  gte(value: V): SortKeyCondition {
    return Object.freeze({ kind: 'gte', value });
  }

  /**
   * Both ends included, as DynamoDB's BETWEEN; `low` must not sort after `high`.
   *
   * @example
   * ```ts
   * repo.query({ stream: 'a' }).sortKey((k) => k.between(10, 20));
   * ```
   */
  between(low: V, high: V): SortKeyCondition {
    return Object.freeze({ kind: 'between', low, high });
  }

  /**
   * A string sort key starting with `prefix` (a `Uint8Array` prefix for a binary sort key).
   *
   * @example
   * ```ts
   * repo.query({ customerId: 'c1' }).sortKey((k) => k.beginsWith('ORDER#2026-'));
   * ```
   */
  beginsWith(prefix: string | Uint8Array): SortKeyCondition {
    return Object.freeze({ kind: 'beginsWith', prefix });
  }
}

const OPERATORS = { eq: '=', lt: '<', lte: '<=', gt: '>', gte: '>=' } as const;
const KINDS: ReadonlySet<unknown> = new Set<SortKeyCondition['kind']>([
  ...(Object.keys(OPERATORS) as (keyof typeof OPERATORS)[]),
  'between',
  'beginsWith',
]);

/** A rendered sort-key condition, and the same condition on stored values for the response. */
export interface RenderedSortKeyCondition {
  readonly clause: string;
  /** What the sort key of every item returned must satisfy (see `returned-key-check`). */
  readonly test: KeyTest;
}

/**
 * Renders a sort-key condition on `key` into a key-condition clause, converting every value
 * through the key's codec and refusing values DynamoDB would refuse (empty strings and binaries,
 * `beginsWith` on a number key). The converted values also make the test the query's response is
 * checked with, so the request and the check cannot disagree.
 */
export function renderSortKeyCondition(
  condition: SortKeyCondition,
  key: KeyAttributeMetadata,
  metadata: EntityMetadata,
  context: ExpressionContext,
): RenderedSortKeyCondition {
  // A condition is a plain value a caller may have built; its kind picks the operator text.
  if (typeof condition !== 'object' || condition === null || !KINDS.has(condition.kind)) {
    throw new ValidationError(
      `${metadata.className}.${key.property}: not a sort-key condition; build it with the builder, such as (k) => k.eq(v)`,
      metadata.className,
      key.property,
    );
  }
  const name = context.name(key.attribute);
  const stored = (v: unknown) => keyConditionValue(v, key, metadata);
  switch (condition.kind) {
    case 'between': {
      const low = stored(condition.low);
      const high = stored(condition.high);
      return {
        clause: `${name} BETWEEN ${context.value(low)} AND ${context.value(high)}`,
        test: { kind: 'between', low, high },
      };
    }
    case 'beginsWith': {
      const prefix = prefixValue(condition.prefix, key, metadata);
      return {
        clause: `begins_with(${name}, ${context.value(prefix)})`,
        test: { kind: 'beginsWith', prefix },
      };
    }
    default: {
      const value = stored(condition.value);
      return {
        clause: `${name} ${OPERATORS[condition.kind]} ${context.value(value)}`,
        test: { kind: condition.kind, value },
      };
    }
  }
}

/** A key value in a key condition, written as the key is stored; never empty. */
export function keyConditionValue(
  value: unknown,
  key: KeyAttributeMetadata,
  metadata: EntityMetadata,
): AttributeValue {
  if (value === undefined || value === null) {
    throw new ValidationError(
      `${metadata.className}.${key.property}: a key condition needs a value`,
      metadata.className,
      key.property,
    );
  }
  const written = key.codec.write(value);
  if (written === undefined || written.S === '' || written.B?.byteLength === 0) {
    throw new ValidationError(
      `${metadata.className}.${key.property}: a key condition value must not be empty`,
      metadata.className,
      key.property,
    );
  }
  return written;
}

function prefixValue(
  prefix: unknown,
  key: KeyAttributeMetadata,
  metadata: EntityMetadata,
): AttributeValue {
  const where = `${metadata.className}.${key.property}`;
  if (key.keyType === 'N') {
    throw new ValidationError(
      `${where}: beginsWith needs a string or binary sort key; this one is a number`,
      metadata.className,
      key.property,
    );
  }
  const fits =
    key.keyType === 'S'
      ? typeof prefix === 'string' && prefix.length > 0
      : prefix instanceof Uint8Array && prefix.byteLength > 0;
  if (!fits) {
    throw new ValidationError(
      `${where}: beginsWith needs a non-empty ${key.keyType === 'S' ? 'string' : 'Uint8Array'} prefix`,
      metadata.className,
      key.property,
    );
  }
  return key.keyType === 'S' ? { S: prefix as string } : { B: prefix as Uint8Array };
}
