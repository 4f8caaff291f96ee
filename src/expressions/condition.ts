/** A comparison operator of a condition. */
export type ComparisonOperator = '=' | '<>' | '<' | '<=' | '>' | '>=';

/**
 * A condition on an entity's properties, as an immutable tree. Built with a
 * {@link ConditionBuilder}, rendered into a DynamoDB expression (with every name and value behind a
 * placeholder) only when a request is made, so one condition can serve many requests.
 */
export type Condition =
  | {
      readonly kind: 'compare';
      readonly op: ComparisonOperator;
      readonly path: string;
      readonly value: unknown;
    }
  | {
      readonly kind: 'between';
      readonly path: string;
      readonly low: unknown;
      readonly high: unknown;
    }
  | { readonly kind: 'in'; readonly path: string; readonly values: readonly unknown[] }
  | { readonly kind: 'beginsWith'; readonly path: string; readonly prefix: unknown }
  | { readonly kind: 'contains'; readonly path: string; readonly value: unknown }
  | { readonly kind: 'exists' | 'notExists'; readonly path: string }
  | {
      readonly kind: 'size';
      readonly op: ComparisonOperator;
      readonly path: string;
      readonly value: number;
    }
  | { readonly kind: 'and' | 'or'; readonly conditions: readonly Condition[] }
  | { readonly kind: 'not'; readonly condition: Condition };

/** The property paths of `T` a condition can name. */
export type ConditionPath<T> = keyof T & string;

/** The value type of a property, for comparisons. */
export type ConditionValue<T, K extends keyof T> = NonNullable<T[K]>;
