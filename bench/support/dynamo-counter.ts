import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/**
 * Counts the requests a DynamoDB client sends, per command (`BatchWriteItemCommand`, ...), with a
 * named middleware, as the SDK intends cross-cutting concerns to be added.
 */
export class DynamoCounter {
  private readonly counts = new Map<string, number>();

  constructor(client: DynamoDBClient) {
    client.middlewareStack.add(
      (next, context) => (args) => {
        const name = context.commandName ?? 'unknown';
        this.counts.set(name, (this.counts.get(name) ?? 0) + 1);
        return next(args);
      },
      // finalizeRequest runs once per attempt, so SDK retries count as requests.
      { step: 'finalizeRequest', name: 'benchRequestCounter' },
    );
  }

  count(command: string): number {
    return this.counts.get(command) ?? 0;
  }

  reset(): void {
    this.counts.clear();
  }
}
