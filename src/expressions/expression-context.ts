import type { AttributeValue } from '@aws-sdk/client-dynamodb';

/**
 * Allocates placeholders for one request's expressions, so every attribute name and value goes
 * through `ExpressionAttributeNames` / `ExpressionAttributeValues` and reserved words (`name`,
 * `status`, `data`, ...) and odd characters are never a problem. One context per request: the
 * condition, key condition, filter, projection and update of a request share it.
 */
export class ExpressionContext {
  private readonly names: Record<string, string> = {};
  private readonly nameOf = new Map<string, string>();
  private readonly values: Record<string, AttributeValue> = {};
  private valueCount = 0;

  /** The placeholder (`#n0`, ...) for an attribute name; the same name gets the same one. */
  name(attribute: string): string {
    let placeholder = this.nameOf.get(attribute);
    if (placeholder === undefined) {
      placeholder = `#n${this.nameOf.size}`;
      this.nameOf.set(attribute, placeholder);
      this.names[placeholder] = attribute;
    }
    return placeholder;
  }

  /** A fresh placeholder (`:v0`, ...) for a value. */
  value(value: AttributeValue): string {
    const placeholder = `:v${this.valueCount++}`;
    this.values[placeholder] = value;
    return placeholder;
  }

  /** The maps to put on the request; undefined when empty, as DynamoDB refuses empty maps. */
  attributes(): {
    ExpressionAttributeNames?: Record<string, string>;
    ExpressionAttributeValues?: Record<string, AttributeValue>;
  } {
    return {
      ...(this.nameOf.size > 0 ? { ExpressionAttributeNames: this.names } : {}),
      ...(this.valueCount > 0 ? { ExpressionAttributeValues: this.values } : {}),
    };
  }
}

/** Joins condition clauses with AND, each parenthesised; undefined when there is none. */
export function allOf(clauses: readonly string[]): string | undefined {
  if (clauses.length === 0) return undefined;
  if (clauses.length === 1) return clauses[0];
  return clauses.map((c) => `(${c})`).join(' AND ');
}
