import { ValidationError } from '../errors';

/** DynamoDB's limit on the actions of one TransactWriteItems or TransactGetItems. */
export const MAX_TRANSACTION_ACTIONS = 100;

/** Refuses an empty transaction and one over DynamoDB's limit, before anything is sent. */
export function assertActionCount(count: number, operation: string): void {
  if (count < 1 || count > MAX_TRANSACTION_ACTIONS) {
    throw new ValidationError(
      `${operation} needs 1 to ${MAX_TRANSACTION_ACTIONS} actions, got ${count}`,
    );
  }
}
