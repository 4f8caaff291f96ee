import { createHash } from 'node:crypto';

/** Bytes of SHA-256 kept as a key fingerprint: enough to tell keys apart, not a secret. */
export const KEY_FINGERPRINT_LENGTH = 16;

/**
 * The fingerprint of a KMS key: the first {@link KEY_FINGERPRINT_LENGTH} bytes of SHA-256 over the
 * UTF-8 key ARN. Every envelope carries the fingerprint of the key that wrapped its data key, so a
 * reader can tell a value written under another key before it makes any KMS call.
 *
 * @example
 * ```ts
 * const fp = keyFingerprint('arn:aws:kms:eu-west-1:111122223333:key/1234abcd-...');
 * fp.length; // 16
 * ```
 */
export function keyFingerprint(keyArn: string): Buffer {
  const digest = createHash('sha256').update(keyArn, 'utf8').digest();
  // A copy, not a view, so callers cannot reach the rest of the digest through `.buffer`.
  return Buffer.from(digest.subarray(0, KEY_FINGERPRINT_LENGTH));
}
