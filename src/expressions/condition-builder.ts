import type { ComparisonOperator, Condition, ConditionPath, ConditionValue } from './condition';

/** Comparisons on the size of an attribute (string length, bytes, elements). */
export interface SizeComparison {
  eq(value: number): Condition;
  ne(value: number): Condition;
  lt(value: number): Condition;
  lte(value: number): Condition;
  gt(value: number): Condition;
  gte(value: number): Condition;
}

/**
 * Builds conditions on the properties of `T`: filters of queries and scans, and conditions of
 * saves, deletes, updates and transaction checks. Property names are checked by the compiler and
 * again at run time; values are converted the way the property is stored. Encrypted properties
 * accept only `exists` and `notExists`: DynamoDB sees their ciphertext, never their value.
 *
 * @example
 * ```ts
 * repo.scan().filter((c) =>
 *   c.and(c.eq('status', 'open'), c.or(c.gt('total', 100), c.beginsWith('tag', 'vip'))),
 * );
 * await repo.save(order, { condition: (c) => c.eq('status', 'draft') });
 * ```
 */
export class ConditionBuilder<T> {
  eq<K extends ConditionPath<T>>(path: K, value: ConditionValue<T, K>): Condition {
    return compare('=', path, value);
  }

  ne<K extends ConditionPath<T>>(path: K, value: ConditionValue<T, K>): Condition {
    return compare('<>', path, value);
  }

  lt<K extends ConditionPath<T>>(path: K, value: ConditionValue<T, K>): Condition {
    return compare('<', path, value);
  }

  lte<K extends ConditionPath<T>>(path: K, value: ConditionValue<T, K>): Condition {
    return compare('<=', path, value);
  }

  gt<K extends ConditionPath<T>>(path: K, value: ConditionValue<T, K>): Condition {
    return compare('>', path, value);
  }

  gte<K extends ConditionPath<T>>(path: K, value: ConditionValue<T, K>): Condition {
    return compare('>=', path, value);
  }

  between<K extends ConditionPath<T>>(
    path: K,
    low: ConditionValue<T, K>,
    high: ConditionValue<T, K>,
  ): Condition {
    return Object.freeze({ kind: 'between', path, low, high });
  }

  /** The property equals one of `values` (1 to 100 of them, DynamoDB's limit). */
  in<K extends ConditionPath<T>>(path: K, values: readonly ConditionValue<T, K>[]): Condition {
    return Object.freeze({ kind: 'in', path, values: Object.freeze([...values]) });
  }

  beginsWith<K extends ConditionPath<T>>(path: K, prefix: string | Uint8Array): Condition {
    return Object.freeze({ kind: 'beginsWith', path, prefix });
  }

  /** A string property contains a substring, or a set or list property contains an element. */
  contains<K extends ConditionPath<T>>(path: K, value: unknown): Condition {
    return Object.freeze({ kind: 'contains', path, value });
  }

  exists<K extends ConditionPath<T>>(path: K): Condition {
    return Object.freeze({ kind: 'exists', path });
  }

  notExists<K extends ConditionPath<T>>(path: K): Condition {
    return Object.freeze({ kind: 'notExists', path });
  }

  size<K extends ConditionPath<T>>(path: K): SizeComparison {
    const on = (op: ComparisonOperator) => (value: number) =>
      Object.freeze({ kind: 'size', op, path, value }) as Condition;
    return { eq: on('='), ne: on('<>'), lt: on('<'), lte: on('<='), gt: on('>'), gte: on('>=') };
  }

  and(...conditions: Condition[]): Condition {
    return Object.freeze({ kind: 'and', conditions: Object.freeze([...conditions]) });
  }

  or(...conditions: Condition[]): Condition {
    return Object.freeze({ kind: 'or', conditions: Object.freeze([...conditions]) });
  }

  not(condition: Condition): Condition {
    return Object.freeze({ kind: 'not', condition });
  }
}

/** A condition, or a function building one from a {@link ConditionBuilder}. */
export type ConditionInput<T> = Condition | ((c: ConditionBuilder<T>) => Condition);

const builder = new ConditionBuilder<unknown>();

/** The condition of a {@link ConditionInput}. */
export function toCondition<T>(input: ConditionInput<T>): Condition {
  return typeof input === 'function' ? input(builder) : input;
}

function compare(op: ComparisonOperator, path: string, value: unknown): Condition {
  return Object.freeze({ kind: 'compare', op, path, value });
}
