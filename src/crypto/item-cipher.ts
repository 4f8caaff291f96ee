import { EncryptionError } from '../errors';
import { open, seal } from './aead';
import type { DataKeyMaterial } from './data-key';
import { assertDataKeyConsistent } from './data-key-check';
import { encodeEnvelopeHeader, type ParsedEnvelope } from './envelope';
import { FORMAT_VERSION } from './envelope-layout';
import { nextNonce } from './nonce-source';

/** The associated data of an envelope, given its header: see `itemAadEncoder`. */
export type AadOf = (header: Buffer) => Buffer;

/**
 * Seal an item's sealed body into its envelope: a fresh random nonce, one entry per wrapping of
 * the data key (`key.entries`), one AES-256-GCM call with the header and what `aadOf` binds as
 * associated data. The body is wiped.
 *
 * @throws EncryptionError when the data key is inconsistent (`KEY_NOT_ALLOWED`, `KMS_ERROR`), or
 *   (from `aadOf`) `INTEGRITY` when the item cannot be bound.
 * @example
 * ```ts
 * const envelope = sealItem(dataKey, encodeSealedBody(fields), (header) => aadOf(header, item));
 * item.__td = { B: envelope };
 * ```
 */
export function sealItem(key: DataKeyMaterial, body: Buffer, aadOf: AadOf): Buffer {
  return sealItemWithNonce(key, body, aadOf, nextNonce());
}

/**
 * {@link sealItem} with the caller's nonce. Only `sealItem` and the golden vectors (through
 * insecure-fixed-nonce.ts) call it: a nonce must never be used twice under one data key.
 */
export function sealItemWithNonce(
  key: DataKeyMaterial,
  body: Buffer,
  aadOf: AadOf,
  nonce: Buffer,
): Buffer {
  try {
    assertDataKeyConsistent(key);
    const header = encodeEnvelopeHeader(key.entries, nonce);
    const { ciphertext, tag } = seal(key.plaintextKey, nonce, body, aadOf(header));
    return Buffer.concat([header, ciphertext, tag]);
  } finally {
    // Best effort: the body is ours alone, so wipe it once sealed (or on failure).
    body.fill(0);
  }
}

/**
 * Open a parsed envelope with the data key the reader's own entry unwrapped to, and return the
 * sealed body. Nothing is returned unless the GCM tag verifies.
 *
 * @throws EncryptionError `KEY_NOT_ALLOWED` when no entry names `key`'s KMS key; `INTEGRITY` when
 *   the entry holds another wrapped data key, or authentication fails (altered bytes, an altered
 *   signed attribute, or an envelope moved to another table, entity, item or binding).
 * @example
 * ```ts
 * const body = openItem(dataKey, parseEnvelope(item.__td.B), aad);
 * const values = decodeSealedBody(body);
 * ```
 */
export function openItem(key: DataKeyMaterial, envelope: ParsedEnvelope, aad: Buffer): Buffer {
  if (envelope.version !== FORMAT_VERSION) {
    throw new EncryptionError('MALFORMED_CIPHERTEXT', 'unsupported envelope format version');
  }
  const entry = envelope.entries.find((candidate) => candidate.fingerprint.equals(key.fingerprint));
  if (entry === undefined) {
    throw new EncryptionError(
      'KEY_NOT_ALLOWED',
      'the item was sealed under KMS keys that do not include the bound key',
    );
  }
  if (!entry.wrappedKey.equals(key.wrappedKey)) {
    throw new EncryptionError(
      'INTEGRITY',
      'the item was sealed with another data key than the one supplied',
    );
  }
  assertDataKeyConsistent(key);
  return open(key.plaintextKey, envelope.nonce, envelope.ciphertext, envelope.tag, aad);
}
