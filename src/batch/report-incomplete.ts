import { type BatchOperation, BatchIncompleteError } from '../errors/batch-incomplete-error';
import type { RepositoryContext } from '../repository/repository-context';
import type { ChunkOutcome } from './retry-with-backoff';

/** One of the caller's inputs: its position in the input array and the value itself. */
export interface TracedInput<S> {
  readonly position: number;
  readonly source: S;
}

/**
 * Throws {@link BatchIncompleteError} when some chunk left units undone (or never started): every
 * input whose unit was not acknowledged is reported as unprocessed, in input order, and the cause
 * is the failure of the first chunk that stopped. Returns normally when every unit was done.
 * `inputs` lists the caller's inputs a unit stands for (several for a deduplicated key).
 */
export function reportIncomplete<T extends object, S, U>(
  context: RepositoryContext<T>,
  operation: BatchOperation,
  units: readonly U[],
  outcomes: readonly (ChunkOutcome<U> | undefined)[],
  inputs: (unit: U) => readonly TracedInput<S>[],
): void {
  const stopped = outcomes.find((outcome) => outcome === undefined || outcome.left.length > 0);
  if (stopped === undefined) return;
  const done = new Set<U>();
  for (const outcome of outcomes) outcome?.done.forEach((unit) => done.add(unit));
  const traced = (wanted: boolean): TracedInput<S>[] =>
    units
      .filter((unit) => done.has(unit) === wanted)
      .flatMap(inputs)
      .sort((a, b) => a.position - b.position);
  const processed = traced(true);
  const unprocessed = traced(false);
  const failure = outcomes.find((outcome) => outcome !== undefined && outcome.left.length > 0);
  throw new BatchIncompleteError<S>({
    operation,
    table: context.metadata.table,
    entity: context.metadata.entityName,
    maxAttempts: context.batchRetry.maxAttempts,
    unprocessed: unprocessed.map((input) => input.source),
    unprocessedIndexes: unprocessed.map((input) => input.position),
    processed: processed.map((input) => input.source),
    processedIndexes: processed.map((input) => input.position),
    ...(failure?.failure === undefined ? {} : { cause: failure.failure }),
  });
}
