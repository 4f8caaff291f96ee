import { createHash } from 'node:crypto';

/** Bytes of SHA-256 kept as a key fingerprint: enough to tell keys apart, not a secret. */
export const KEY_FINGERPRINT_LENGTH = 16;

/**
 * A multi-region key ARN: `arn:<partition>:kms:<region>:<account>:key/mrk-<id>`. Replicas of one
 * multi-region key share partition, account and key id, and differ only in region.
 */
const MRK_ARN = /^arn:([^:]+):kms:[^:]*:([^:]+):key\/(mrk-[0-9a-f]+)$/;

/**
 * The region-free form of a multi-region key ARN (the region field emptied), or the ARN itself
 * for any other key. Two ARNs have the same identity exactly when they are the same key or
 * replicas of one multi-region key: the DynamoDB Encryption SDK's "MRK match" rule. A single-region
 * key whose ARN differs only by region is another key, and keeps its own identity.
 *
 * @example
 * ```ts
 * keyIdentity('arn:aws:kms:eu-west-1:111122223333:key/mrk-1234abcd');
 * // 'arn:aws:kms::111122223333:key/mrk-1234abcd'
 * ```
 */
export function keyIdentity(keyArn: string): string {
  const match = MRK_ARN.exec(keyArn);
  return match === null ? keyArn : `arn:${match[1]}:kms::${match[2]}:key/${match[3]}`;
}

/**
 * The fingerprint of a KMS key: the first {@link KEY_FINGERPRINT_LENGTH} bytes of SHA-256 over the
 * UTF-8 {@link keyIdentity} of its ARN. Every envelope entry carries the fingerprint of the key
 * that wrapped it, so a reader finds its own entry, or tells that none is for it, before any KMS
 * call; replicas of a multi-region key share one fingerprint.
 *
 * @example
 * ```ts
 * const fp = keyFingerprint('arn:aws:kms:eu-west-1:111122223333:key/1234abcd-...');
 * fp.length; // 16
 * ```
 */
export function keyFingerprint(keyArn: string): Buffer {
  const digest = createHash('sha256').update(keyIdentity(keyArn), 'utf8').digest();
  // A copy, not a view, so callers cannot reach the rest of the digest through `.buffer`.
  return Buffer.from(digest.subarray(0, KEY_FINGERPRINT_LENGTH));
}
