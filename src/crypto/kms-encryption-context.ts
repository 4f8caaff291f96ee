/**
 * The KMS `EncryptionContext` of every data key theorydb generates or unwraps. KMS binds the
 * wrapped key to it, so a data key made for one table cannot be unwrapped in the name of another.
 * Stable labels only, never item values: the context appears in plaintext in CloudTrail logs, and
 * a per-item context would defeat data-key reuse within an operation.
 *
 * @example
 * ```ts
 * kmsEncryptionContext('users'); // { 'theorydb:v': '1', 'theorydb:table': 'users' }
 * ```
 */
export function kmsEncryptionContext(table: string): Record<string, string> {
  return { 'theorydb:v': '1', 'theorydb:table': table };
}
