import type { DataKeyScope } from '../crypto/data-key-scope';
import { AbortedError, BatchIncompleteError, TheoryDbError } from '../errors';
import { convertDynamoError, type DynamoFailureContext } from './dynamo-error-converter';
import { logOperation } from './logger';
import { inOperationSpan, itemCountOf } from '../observability/telemetry';
import type { RepositoryContext } from './repository-context';
import { abortedError, isAborted } from './request-options';

/** How one operation reports a failed condition and what may cancel it. */
export interface OperationOptions {
  /** How a failed condition of this operation is reported. */
  readonly conditionKind?: (error: unknown) => DynamoFailureContext['condition'];
  /**
   * The caller's signal: aborted before the start, nothing runs (not even the preflight); aborted
   * when the operation fails, the failure is `AbortedError`. The data-key scope takes it too, so
   * it cancels the operation's KMS requests.
   */
  readonly abortSignal?: AbortSignal | undefined;
}

/**
 * Runs one repository operation: the preflight checks, a data-key scope for its lifetime, error
 * conversion, and one log record with names and timing only.
 */
export async function runOperation<T extends object, R>(
  context: RepositoryContext<T>,
  operation: string,
  body: (scope: DataKeyScope | undefined) => Promise<R>,
  options: OperationOptions = {},
): Promise<R> {
  const { metadata } = context;
  const where = { operation, table: metadata.table, entity: metadata.entityName };
  const conditionKind = options.conditionKind ?? (() => ({ kind: 'condition' as const }));
  return inOperationSpan(where, async (span) => {
    const started = performance.now();
    let scope: DataKeyScope | undefined;
    try {
      if (isAborted(options.abortSignal)) throw abortedError(where);
      await context.preflight();
      scope = context.encryption.newScope(options.abortSignal);
      const result = await body(scope);
      span.end({ itemCount: itemCountOf(result), kmsRequests: scope?.kmsRequests });
      logOperation(context.logger, { ...where, durationMs: performance.now() - started });
      return result;
    } catch (error) {
      const converted = abortedBy(options.abortSignal, error)
        ? abortedError(where, error)
        : convertDynamoError(error, {
            ...where,
            condition: isConditionFailure(error) ? conditionKind(error) : undefined,
          });
      const code = converted instanceof TheoryDbError ? converted.code : 'UNKNOWN';
      span.end({ kmsRequests: scope?.kmsRequests, code });
      logOperation(context.logger, { ...where, durationMs: performance.now() - started, code });
      throw converted;
    } finally {
      scope?.end();
    }
  });
}

/**
 * Whether `error` is the abort of `signal`: the SDK's AbortError (by name), the signal's reason
 * (thrown before a send), or what a batch made of it. A failure that is not an abort (a failed
 * condition that came back before the signal fired) keeps its own error.
 */
function abortedBy(signal: AbortSignal | undefined, error: unknown): boolean {
  if (!isAborted(signal)) return false;
  if (error === signal?.reason || error instanceof AbortedError) return true;
  if (error instanceof BatchIncompleteError) return true;
  return (error as { name?: unknown } | undefined)?.name === 'AbortError';
}

function isConditionFailure(error: unknown): boolean {
  return (error as { name?: unknown } | undefined)?.name === 'ConditionalCheckFailedException';
}
