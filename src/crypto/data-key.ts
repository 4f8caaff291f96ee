import { inspect } from 'node:util';
import type { WrapEntry } from './envelope';
import { keyFingerprint } from './key-fingerprint';

/**
 * One AES-256 data key as KMS returned it: the plaintext key for local encryption and the wrapped
 * (KMS-encrypted) copy that is stored in every envelope sealed with it.
 *
 * Build instances with {@link dataKeyMaterial}, which hides `plaintextKey` from `JSON.stringify`,
 * `util.inspect`, `Object.keys` and spreads. A spread copy therefore has no `plaintextKey`: derive
 * new material with `dataKeyMaterial()` instead.
 *
 * @example
 * ```ts
 * const key: DataKeyMaterial = dataKeyMaterial(keyArn, plaintext32Bytes, wrapped);
 * key.fingerprint.equals(keyFingerprint(keyArn)); // true
 * ```
 */
export interface DataKeyMaterial {
  /** The ARN of the KMS key that wrapped this data key. */
  keyArn: string;
  /** `keyFingerprint(keyArn)`: 16 bytes. */
  fingerprint: Buffer;
  /** The 32-byte AES-256 key. Secret: never log, serialise or put it in an error. */
  plaintextKey: Buffer;
  /** The data key as encrypted by KMS (`CiphertextBlob`) under `keyArn`. */
  wrappedKey: Buffer;
  /**
   * Every wrapping of this data key that an envelope sealed with it stores: the one under
   * `keyArn` first, then one per additional key (`kms.additionalKeys`). A key unwrapped for
   * reading has only its own.
   */
  entries: readonly WrapEntry[];
}

/**
 * Frozen {@link DataKeyMaterial} whose secret cannot leak through the usual ways of printing an
 * object: `plaintextKey` is a non-enumerable property, and `toJSON` and `util.inspect` print
 * `[REDACTED]` in its place (and only the length of the wrapped key).
 *
 * @example
 * ```ts
 * const key = dataKeyMaterial(keyArn, Buffer.from(out.Plaintext!), Buffer.from(out.CiphertextBlob!));
 * JSON.stringify(key); // {"fingerprint":"9f2c...","plaintextKey":"[REDACTED]",...}
 * ```
 */
export function dataKeyMaterial(
  keyArn: string,
  plaintextKey: Buffer,
  wrappedKey: Buffer,
  additional: readonly WrapEntry[] = [],
): DataKeyMaterial {
  const fingerprint = keyFingerprint(keyArn);
  const entries = Object.freeze([
    Object.freeze({ fingerprint, wrappedKey }),
    ...additional.map((entry) => Object.freeze({ ...entry })),
  ]);
  const material = { keyArn, fingerprint, wrappedKey, entries };
  // No keyArn: not secret, but a summary has no use for the account and key id (see the
  // repository's printed-summary.ts); the fingerprint tells keys apart.
  const summary = (): Record<string, unknown> => ({
    fingerprint: material.fingerprint.toString('hex'),
    plaintextKey: '[REDACTED]',
    wrappedKey: `[${wrappedKey.length} bytes]`,
    entries: entries.length,
  });
  Object.defineProperties(material, {
    plaintextKey: { value: plaintextKey, enumerable: false },
    toJSON: { value: summary, enumerable: false },
    [inspect.custom]: {
      value: (_depth: number, options: object) => `DataKeyMaterial ${inspect(summary(), options)}`,
      enumerable: false,
    },
  });
  return Object.freeze(material) as DataKeyMaterial;
}
