import { TheoryDbError } from './theorydb-error';

/**
 * DynamoDB's response holds an item that is not the one the read asked for: `find`/`get`,
 * `transactFind` or an update's returned values brought back another key, a `query` brought back
 * an item outside its partition or sort-key condition (of the table or of the index queried), or a
 * batch brought back a key it was not sent. The network path to DynamoDB is not trusted: a
 * genuine response for another item, replayed, would otherwise decrypt perfectly (its associated
 * data matches its own key) and hand one user's secrets to another.
 *
 * Nothing of the response is returned or decrypted: the check runs before any KMS call. The
 * operation's write, for an update, has nonetheless been sent. The message names the operation,
 * table, entity and the key attribute that differed (`attribute`, absent for a batch, where the
 * item matches none of the keys), never a value.
 *
 * A new class rather than a code of an existing one: `DynamoDbError` is DynamoDB failing a request
 * (its codes say retrying may help), `EncryptionError` concerns encrypted fields (this check also
 * guards entities without any), and `MappingError` is an item that does not fit its entity. Here
 * DynamoDB answered, the item fits, and it is the wrong one: treat it as tampering, alert on it.
 *
 * @example
 * ```ts
 * try {
 *   await users.get({ id: 'u1' });
 * } catch (err) {
 *   if (err instanceof ResponseMismatchError) alertSecurity(err.code, err.operation); // RESPONSE_MISMATCH
 *   throw err;
 * }
 * ```
 */
export class ResponseMismatchError extends TheoryDbError {
  readonly code = 'RESPONSE_MISMATCH' as const;

  constructor(
    message: string,
    /** The repository operation that refused the response (`find`, `query`, `batchFind`, ...). */
    readonly operation: string,
    readonly table: string,
    /** The entity name (`@Entity({ name })`). */
    readonly entity: string,
    /** The DynamoDB name of the key attribute that differed, when one did. */
    readonly attribute?: string,
  ) {
    super(message);
  }

  override toJSON(): Record<string, unknown> {
    return {
      ...super.toJSON(),
      operation: this.operation,
      table: this.table,
      entity: this.entity,
      attribute: this.attribute,
    };
  }
}
