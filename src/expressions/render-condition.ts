import { convertToAttr } from '@aws-sdk/util-dynamodb';
import { ValidationError } from '../errors';
import { nestedEntityClass } from '../mapping/nested-entity-guard';
import type { Condition } from './condition';
import { checkedNode } from './condition-shape';
import type { ExpressionContext } from './expression-context';
import type { PathResolver } from './path-resolver';

const MAX_IN_VALUES = 100;

/**
 * Renders a condition into a DynamoDB condition expression, allocating placeholders in `context`.
 * `usage` names the expression for messages ("a filter", "a condition"). Every node is checked
 * first (`checkedNode`): a condition may be a caller's plain value, and only its values go behind
 * placeholders.
 */
export function renderCondition(
  condition: Condition,
  paths: PathResolver,
  context: ExpressionContext,
  usage: string,
): string {
  const render = (node: Condition): string => {
    const c = checkedNode(node, usage);
    switch (c.kind) {
      case 'compare': {
        const path = paths.resolve(c.path, usage);
        return `${context.name(path.attribute.attribute)} ${c.op} ${context.value(path.value(c.value))}`;
      }
      case 'between': {
        const path = paths.resolve(c.path, usage);
        const name = context.name(path.attribute.attribute);
        return `${name} BETWEEN ${context.value(path.value(c.low))} AND ${context.value(path.value(c.high))}`;
      }
      case 'in': {
        const path = paths.resolve(c.path, usage);
        if (c.values.length === 0 || c.values.length > MAX_IN_VALUES) {
          throw new ValidationError(
            `in('${c.path}') needs 1 to ${MAX_IN_VALUES} values, got ${c.values.length}`,
            undefined,
            c.path,
          );
        }
        const values = c.values.map((v) => context.value(path.value(v)));
        return `${context.name(path.attribute.attribute)} IN (${values.join(', ')})`;
      }
      case 'beginsWith': {
        const path = paths.resolve(c.path, usage);
        const prefix = c.prefix instanceof Uint8Array ? { B: c.prefix } : { S: String(c.prefix) };
        return `begins_with(${context.name(path.attribute.attribute)}, ${context.value(prefix)})`;
      }
      case 'contains': {
        const path = paths.resolve(c.path, usage);
        const kind = path.attribute.codec.kind;
        const element = kind === 'string' ? path.value(c.value) : elementValue(c.value, c.path);
        return `contains(${context.name(path.attribute.attribute)}, ${context.value(element)})`;
      }
      case 'exists':
        return `attribute_exists(${context.name(paths.resolve(c.path, usage).attribute.attribute)})`;
      case 'notExists':
        return `attribute_not_exists(${context.name(paths.resolve(c.path, usage).attribute.attribute)})`;
      case 'size': {
        const path = paths.resolve(c.path, usage);
        if (!Number.isFinite(c.value)) {
          throw new ValidationError(
            `size('${c.path}') must be compared with a finite number`,
            undefined,
            c.path,
          );
        }
        return `size(${context.name(path.attribute.attribute)}) ${c.op} ${context.value({ N: String(c.value) })}`;
      }
      case 'and':
      case 'or': {
        if (c.conditions.length === 0) {
          throw new ValidationError(`${c.kind}() needs at least one condition`);
        }
        if (c.conditions.length === 1) return render(c.conditions[0]);
        return c.conditions
          .map((inner) => `(${render(inner)})`)
          .join(c.kind === 'and' ? ' AND ' : ' OR ');
      }
      case 'not':
        return `NOT (${render(c.condition)})`;
    }
  };
  return render(condition);
}

/** An element of a set or list, written as DynamoDB would store it. */
function elementValue(value: unknown, path: string) {
  const refused = () =>
    new ValidationError(
      `contains('${path}') needs a string, number or binary element`,
      undefined,
      path,
    );
  // util-dynamodb refuses class instances today; an entity must be refused whatever it does.
  if (typeof value === 'object' && value !== null && nestedEntityClass(value) !== undefined) {
    throw refused();
  }
  try {
    return convertToAttr(value instanceof Date ? value.toISOString() : value);
  } catch {
    throw refused();
  }
}
