/**
 * Requests received by a LocalKms, per operation. Every request that reaches the server is
 * counted when it arrives, before faults are applied, so a request answered with an injected
 * error, delayed, or dropped by a connection reset still counts: the counter measures what the
 * client sent, not what succeeded.
 */
export class CallCounter {
  private readonly perOperation = new Map<string, number>();
  private total = 0;

  record(operation: string): void {
    this.total += 1;
    this.perOperation.set(operation, (this.perOperation.get(operation) ?? 0) + 1);
  }

  count(operation?: string): number {
    return operation === undefined ? this.total : (this.perOperation.get(operation) ?? 0);
  }

  reset(): void {
    this.total = 0;
    this.perOperation.clear();
  }
}
