import { ValidationError } from '../errors';
import type { ComparisonOperator, Condition } from './condition';

const OPERATORS: ReadonlySet<unknown> = new Set<ComparisonOperator>([
  '=',
  '<>',
  '<',
  '<=',
  '>',
  '>=',
]);

const KINDS: ReadonlySet<unknown> = new Set<Condition['kind']>([
  'compare',
  'between',
  'in',
  'beginsWith',
  'contains',
  'exists',
  'notExists',
  'size',
  'and',
  'or',
  'not',
]);

/**
 * One node of a condition, checked to have a shape the renderer knows, before any of it is
 * rendered. A `Condition` is a plain value that callers may build themselves (from JSON, say),
 * and its operator is written into the expression text: an operator other than the six
 * comparisons could close its clause's parenthesis and OR away the clauses theorydb adds (a
 * version check, `ifNotExists`, an update's existence check, an application's own filter), or
 * name an attribute raw, past the resolver that refuses encrypted ones. Kinds, operators, paths
 * and the lists of `in`, `and` and `or` are checked here; values go behind placeholders anyway.
 *
 * Refused with `ValidationError`, before any request; the message quotes nothing of the node,
 * which may hold anything.
 *
 * @example
 * ```ts
 * checkedNode({ kind: 'compare', op: '= :v0) OR (attribute_exists(#n0)', path: 'a', value: 1 }, 'a condition');
 * // ValidationError: a condition: an unknown operator ...
 * ```
 */
export function checkedNode(node: unknown, usage: string): Condition {
  const refuse = (what: string) =>
    new ValidationError(
      `${usage}: ${what}; build conditions with the condition builder, such as (c) => c.eq('status', 'open')`,
    );
  if (typeof node !== 'object' || node === null || Array.isArray(node)) {
    throw refuse('not a condition');
  }
  const record = node as Record<string, unknown>;
  if (!KINDS.has(record.kind)) throw refuse('a condition of an unknown kind');
  const condition = node as Condition;
  switch (condition.kind) {
    case 'and':
    case 'or':
      if (!Array.isArray(condition.conditions)) throw refuse(`${condition.kind}() needs a list`);
      return condition;
    case 'not':
      return condition;
    default:
      if (typeof condition.path !== 'string') throw refuse('a condition path must be a string');
  }
  if ((condition.kind === 'compare' || condition.kind === 'size') && !OPERATORS.has(condition.op)) {
    throw refuse('an unknown comparison operator');
  }
  if (condition.kind === 'in' && !Array.isArray(condition.values)) {
    throw refuse('in() needs a list of values');
  }
  return condition;
}
