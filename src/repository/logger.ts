/**
 * A logger theorydb can write to: `console` and pino (and most others) fit. theorydb passes an
 * object of names and timings first and a message second, and never a value of an encrypted
 * field, nor any item value: only the operation, table, entity, attribute names, durations and
 * error codes.
 *
 * @example
 * ```ts
 * const db = new TheoryDb({ dynamodb, logger: pino({ level: 'debug' }) });
 * ```
 */
export interface TheoryDbLogger {
  debug?(details: Record<string, unknown>, message?: string): void;
  warn?(details: Record<string, unknown>, message?: string): void;
}

/** What one operation reports. */
export interface OperationLog {
  readonly operation: string;
  readonly table: string;
  readonly entity: string;
  readonly durationMs: number;
  readonly code?: string;
  readonly [extra: string]: unknown;
}

/** Writes an operation record, swallowing logger failures: a broken logger must not fail a write. */
export function logOperation(logger: TheoryDbLogger | undefined, entry: OperationLog): void {
  if (logger === undefined) return;
  try {
    if (entry.code === undefined) logger.debug?.({ ...entry }, `theorydb ${entry.operation}`);
    else logger.warn?.({ ...entry }, `theorydb ${entry.operation} failed`);
  } catch {
    // Deliberately ignored: logging is best effort, the operation's outcome is what matters.
  }
}
