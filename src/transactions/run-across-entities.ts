import type { DataKeyScope } from '../crypto/data-key-scope';
import { TheoryDbError } from '../errors';
import { convertDynamoError } from '../repository/dynamo-error-converter';
import { logOperation } from '../repository/logger';
import { abortedError, isAborted } from '../repository/request-options';
import { inOperationSpan, itemCountOf } from '../observability/telemetry';
import type { RepositoryContext } from '../repository/repository-context';

/**
 * Runs one operation over several entities (a transaction): the preflight of every entity before
 * anything is sent, ONE data-key scope for all of them, error conversion, and one log record with
 * the tables and entities involved (names and timing only). The contexts come from one `TheoryDb`,
 * so they share its client, logger and key binding.
 */
export async function runAcrossEntities<R>(
  contexts: readonly RepositoryContext<object>[],
  operation: string,
  body: (scope: DataKeyScope | undefined) => Promise<R>,
  /** The items the operation writes, for its span; by default those its result holds. */
  items?: number,
  /** The caller's signal: see `runOperation`. */
  abortSignal?: AbortSignal,
): Promise<R> {
  const first = contexts[0];
  const where = {
    operation,
    table: [...new Set(contexts.map((c) => c.metadata.table))].join(','),
    entity: [...new Set(contexts.map((c) => c.metadata.entityName))].join(','),
  };
  return inOperationSpan(where, async (span) => {
    const started = performance.now();
    let scope: DataKeyScope | undefined;
    try {
      if (isAborted(abortSignal)) throw abortedError(where);
      for (const context of contexts) await context.preflight();
      // Any encrypting context's binding is the TheoryDb's one: its scope serves every entity.
      scope = contexts.find((c) => c.encryption.active)?.encryption.newScope(abortSignal);
      const result = await body(scope);
      span.end({ itemCount: items ?? itemCountOf(result), kmsRequests: scope?.kmsRequests });
      logOperation(first.logger, { ...where, durationMs: performance.now() - started });
      return result;
    } catch (error) {
      const converted = isAborted(abortSignal)
        ? abortedError(where, error)
        : convertDynamoError(error, where);
      const code = converted instanceof TheoryDbError ? converted.code : 'UNKNOWN';
      span.end({ kmsRequests: scope?.kmsRequests, code });
      logOperation(first.logger, { ...where, durationMs: performance.now() - started, code });
      throw converted;
    } finally {
      scope?.end();
    }
  });
}
