import type { EntityMetadata } from '../metadata/entity-metadata';
import { type ConditionInput, toCondition } from './condition-builder';
import type { ExpressionContext } from './expression-context';
import { PathResolver } from './path-resolver';
import { renderCondition } from './render-condition';

/**
 * The caller's condition of a write (`save`, `delete`, `update`, a transaction action), rendered
 * against the entity's attributes into `context`. `usage` names it in messages.
 */
export function renderWriteCondition<T>(
  metadata: EntityMetadata,
  input: ConditionInput<T>,
  context: ExpressionContext,
  usage = 'a condition',
): string {
  return renderCondition(toCondition(input), new PathResolver(metadata), context, usage);
}
