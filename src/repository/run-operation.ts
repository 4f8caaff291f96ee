import type { DataKeyScope } from '../crypto/data-key-scope';
import { TheoryDbError } from '../errors';
import { convertDynamoError, type DynamoFailureContext } from './dynamo-error-converter';
import { logOperation } from './logger';
import { inOperationSpan, itemCountOf } from '../observability/telemetry';
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
  const where = { operation, table: metadata.table, entity: metadata.entityName };
  return inOperationSpan(where, async (span) => {
    const started = performance.now();
    let scope: DataKeyScope | undefined;
    try {
      await context.preflight();
      scope = context.encryption.newScope();
      const result = await body(scope);
      span.end({ itemCount: itemCountOf(result), kmsRequests: scope?.kmsRequests });
      logOperation(context.logger, { ...where, durationMs: performance.now() - started });
      return result;
    } catch (error) {
      const converted = convertDynamoError(error, {
        ...where,
        condition: isConditionFailure(error) ? conditionKind(error) : undefined,
      });
      const code = converted instanceof TheoryDbError ? converted.code : 'UNKNOWN';
      span.end({ kmsRequests: scope?.kmsRequests, code });
      logOperation(context.logger, { ...where, durationMs: performance.now() - started, code });
      throw converted;
    }
  });
}

function isConditionFailure(error: unknown): boolean {
  return (error as { name?: unknown } | undefined)?.name === 'ConditionalCheckFailedException';
}
