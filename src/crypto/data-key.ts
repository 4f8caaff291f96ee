import { inspect } from 'node:util';
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
  /** The data key as encrypted by KMS (`CiphertextBlob`), stored in each envelope. */
  wrappedKey: Buffer;
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
): DataKeyMaterial {
  const material = { keyArn, fingerprint: keyFingerprint(keyArn), wrappedKey };
  // No keyArn: not secret, but a summary has no use for the account and key id (see the
  // repository's printed-summary.ts); the fingerprint tells keys apart.
  const summary = (): Record<string, unknown> => ({
    fingerprint: material.fingerprint.toString('hex'),
    plaintextKey: '[REDACTED]',
    wrappedKey: `[${wrappedKey.length} bytes]`,
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
