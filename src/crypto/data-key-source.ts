import type { DataKeyMaterial } from './data-key';

/**
 * Where data keys come from: the two data-key calls of `KmsKeyProvider`. The scope and the cache
 * depend on this shape rather than on the class, so they hold no KMS client of their own. `signal`
 * cancels the request (see `KmsKeyProvider`); the cache never passes one, as its requests are
 * shared.
 *
 * @example
 * ```ts
 * const source: DataKeySource = new KmsKeyProvider({ client });
 * ```
 */
export interface DataKeySource {
  generateDataKey(keyArn: string, table: string, signal?: AbortSignal): Promise<DataKeyMaterial>;
  decryptDataKey(
    keyArn: string,
    wrappedKey: Buffer,
    table: string,
    signal?: AbortSignal,
  ): Promise<DataKeyMaterial>;
}

/**
 * The identity of a data key for encryption: one KMS key and one table.
 *
 * @example
 * ```ts
 * encryptionKeyId(keyArn, 'users'); // '["arn:aws:kms:...","users"]'
 * ```
 */
export function encryptionKeyId(keyArn: string, table: string): string {
  // JSON arrays, not separators: no two (keyArn, table) pairs can produce the same id.
  return JSON.stringify([keyArn, table]);
}

/**
 * The identity of a wrapped data key: its KMS key, its table and its wrapped bytes.
 *
 * @example
 * ```ts
 * decryptionKeyId(keyArn, 'users', envelope.wrappedKey);
 * ```
 */
export function decryptionKeyId(keyArn: string, table: string, wrappedKey: Buffer): string {
  return JSON.stringify([keyArn, table, wrappedKey.toString('base64')]);
}
