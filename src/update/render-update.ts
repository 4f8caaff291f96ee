import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { ExpressionContext } from '../expressions/expression-context';

/** One change of an update, on a stored attribute, with its value already as DynamoDB stores it. */
export type UpdateAction =
  | {
      readonly kind: 'set' | 'add' | 'append';
      readonly attribute: string;
      readonly value: AttributeValue;
    }
  | { readonly kind: 'remove'; readonly attribute: string };

/**
 * Renders update actions into one UpdateExpression, every name and value behind a placeholder of
 * `expressions` (so `name`, `status`, `data` and other reserved words need no care). `append`
 * becomes `list_append(if_not_exists(#a, :empty), :v)`, so appending to a missing list creates it.
 *
 * @example
 * ```ts
 * renderUpdate([{ kind: 'add', attribute: 'count', value: { N: '1' } }], expressions);
 * // 'ADD #n0 :v0'
 * ```
 */
export function renderUpdate(
  actions: readonly UpdateAction[],
  expressions: ExpressionContext,
): string {
  const set: string[] = [];
  const remove: string[] = [];
  const add: string[] = [];
  for (const action of actions) {
    const name = expressions.name(action.attribute);
    switch (action.kind) {
      case 'set':
        set.push(`${name} = ${expressions.value(action.value)}`);
        break;
      case 'append': {
        const empty = expressions.value({ L: [] });
        set.push(
          `${name} = list_append(if_not_exists(${name}, ${empty}), ${expressions.value(action.value)})`,
        );
        break;
      }
      case 'remove':
        remove.push(name);
        break;
      case 'add':
        add.push(`${name} ${expressions.value(action.value)}`);
        break;
    }
  }
  const clauses: string[] = [];
  if (set.length > 0) clauses.push(`SET ${set.join(', ')}`);
  if (remove.length > 0) clauses.push(`REMOVE ${remove.join(', ')}`);
  if (add.length > 0) clauses.push(`ADD ${add.join(', ')}`);
  return clauses.join(' ');
}
