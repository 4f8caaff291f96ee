import type { DataKeyScope } from '../crypto/data-key-scope';
import { TheoryDbError } from '../errors';
import { convertDynamoError, type DynamoFailureContext } from './dynamo-error-converter';
import { logOperation } from './logger';
import type { RepositoryContext } from './repository-context';

/**
 * Runs one repository operation: the preflight checks, a data-key scope for its lifetime, error
 * conversion, and one log record with names and timing only.
 */
export async function runOperation<T extends object, R>(
  context: RepositoryContext<T>,
  operation: string,
  body: (scope: DataKeyScope | undefined) => Promise<R>,
  /** How a failed condition of this operation is reported. */
  conditionKind: (error: unknown) => DynamoFailureContext['condition'] = () => ({
    kind: 'condition',
  }),
): Promise<R> {
  const { metadata } = context;
  const started = performance.now();
  try {
    await context.preflight();
    const result = await body(context.encryption.newScope());
    logOperation(context.logger, {
      operation,
      table: metadata.table,
      entity: metadata.entityName,
      durationMs: performance.now() - started,
    });
    return result;
  } catch (error) {
    const converted = convertDynamoError(error, {
      operation,
      table: metadata.table,
      entity: metadata.entityName,
      condition: isConditionFailure(error) ? conditionKind(error) : undefined,
    });
    logOperation(context.logger, {
      operation,
      table: metadata.table,
      entity: metadata.entityName,
      durationMs: performance.now() - started,
      code: converted instanceof TheoryDbError ? converted.code : 'UNKNOWN',
    });
    throw converted;
  }
}

function isConditionFailure(error: unknown): boolean {
  return (error as { name?: unknown } | undefined)?.name === 'ConditionalCheckFailedException';
}
