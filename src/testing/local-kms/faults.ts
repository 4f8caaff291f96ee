import { ValidationError } from '../../errors';
import { KmsException } from './kms-exception';

/**
 * Options shared by the fault controls: which operation they apply to (all when omitted).
 *
 * @example
 * ```ts
 * kms.resetConnections(1, { operation: 'Decrypt' });
 * ```
 */
export interface FaultScope {
  /** An operation name such as `Decrypt`; every operation when omitted. */
  operation?: string;
}

/**
 * Options of `LocalKms.failNext`.
 *
 * @example
 * ```ts
 * kms.failNext(1, 'AccessDeniedException', { operation: 'Decrypt', message: 'denied by test' });
 * ```
 */
export interface FailNextOptions extends FaultScope {
  /**
   * HTTP status of the error response: by default 500 for `KMSInternalException`, 503 for
   * `DependencyTimeoutException` and 400 for everything else.
   */
  status?: number;
  /** The `message` of the error response. */
  message?: string;
}

interface CountedRule {
  remaining: number;
  operation: string | undefined;
}

interface FailRule extends CountedRule {
  exception: KmsException;
}

/** The statuses KMS uses for its service-side errors; everything else it raises is a 400. */
const DEFAULT_STATUS: Record<string, number> = {
  KMSInternalException: 500,
  DependencyTimeoutException: 503,
};

/**
 * The fault plan of a LocalKms: queued failures, queued connection resets and latencies. Rules are
 * consumed in the order they were added; a request consumes at most one rule of each kind.
 */
export class Faults {
  private failures: FailRule[] = [];
  private resets: CountedRule[] = [];
  private readonly latencies = new Map<string | undefined, number>();

  failNext(count: number, exceptionName: string, options: FailNextOptions = {}): void {
    checkCount(count);
    if (typeof exceptionName !== 'string' || exceptionName.length === 0) {
      throw new ValidationError('failNext: exceptionName must be a non-empty string');
    }
    const status = options.status ?? DEFAULT_STATUS[exceptionName] ?? 400;
    if (!Number.isInteger(status) || status < 400 || status > 599) {
      throw new ValidationError('failNext: status must be an HTTP error status (400-599)');
    }
    const message = options.message ?? `Injected ${exceptionName} (LocalKms.failNext)`;
    this.failures.push({
      remaining: count,
      operation: options.operation,
      exception: new KmsException(exceptionName, message, status),
    });
  }

  /** The failure the next `operation` request must answer with, if one is queued. */
  takeFailure(operation: string): KmsException | undefined {
    const rule = take(this.failures, operation);
    this.failures = this.failures.filter((r) => r.remaining > 0);
    return rule?.exception;
  }

  resetConnections(count: number, scope: FaultScope = {}): void {
    checkCount(count);
    this.resets.push({ remaining: count, operation: scope.operation });
  }

  /** True when the next `operation` request must have its connection destroyed. */
  takeReset(operation: string): boolean {
    const rule = take(this.resets, operation);
    this.resets = this.resets.filter((r) => r.remaining > 0);
    return rule !== undefined;
  }

  /**
   * Per-operation latency wins over the all-operations latency. 0 removes the setting: for one
   * operation when one is named, every latency otherwise.
   */
  setLatency(ms: number, scope: FaultScope = {}): void {
    if (!Number.isFinite(ms) || ms < 0) {
      throw new ValidationError('setLatency: ms must be a finite number >= 0');
    }
    if (ms > 0) this.latencies.set(scope.operation, ms);
    else if (scope.operation === undefined) this.latencies.clear();
    else this.latencies.delete(scope.operation);
  }

  latency(operation: string): number {
    return this.latencies.get(operation) ?? this.latencies.get(undefined) ?? 0;
  }

  clear(): void {
    this.failures = [];
    this.resets = [];
    this.latencies.clear();
  }
}

function take<T extends CountedRule>(rules: T[], operation: string): T | undefined {
  const rule = rules.find(
    (r) => r.remaining > 0 && (r.operation === undefined || r.operation === operation),
  );
  if (rule !== undefined) rule.remaining -= 1;
  return rule;
}

function checkCount(count: number): void {
  if (!Number.isInteger(count) || count < 1) {
    throw new ValidationError('count must be a positive integer');
  }
}
