/**
 * One key attribute of an item as DynamoDB stores it: its name and its marshalled value.
 *
 * @example
 * ```ts
 * const pk: KeyPart = { name: 'pk', value: { S: 'USER#42' } };
 * ```
 */
export interface KeyPart {
  name: string;
  value: { S: string } | { N: string } | { B: Uint8Array };
}

/**
 * Where an encrypted value lives. It is bound into the associated data, so a ciphertext copied to
 * another table, entity, item or attribute no longer decrypts.
 *
 * @example
 * ```ts
 * const context: ValueContext = {
 *   table: 'app-main',
 *   entity: 'User',
 *   partitionKey: { name: 'pk', value: { S: 'USER#42' } },
 *   sortKey: { name: 'sk', value: { S: 'PROFILE' } },
 *   attribute: 'email',
 * };
 * ```
 */
export interface ValueContext {
  table: string;
  entity: string;
  partitionKey: KeyPart;
  sortKey?: KeyPart;
  /** The stored attribute name of the encrypted field. */
  attribute: string;
}
