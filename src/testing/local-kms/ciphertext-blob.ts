import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * The LocalKms ciphertext blob. Not the real KMS format (which is private to AWS), but it has the
 * properties tests rely on: it names the key that made it, it is authenticated, and it is bound to
 * the encryption context.
 *
 * ```
 * offset  0  version     1 byte (0x01)
 * offset  1  key id      36 bytes, ASCII: a UUID, or `mrk-` and 32 hex digits
 * offset 37  nonce       12 bytes
 * offset 49  ciphertext  n bytes (AES-256-GCM)
 * end - 16   tag         16 bytes
 * ```
 *
 * The AAD is the 37-byte header followed by the canonical encryption context, so changing the key
 * id, the context or any ciphertext byte makes opening fail. The replicas of a multi-region key
 * share its key id and material, so a blob made in one region opens in every region of the key.
 */
const VERSION = 0x01;
const KEY_ID_OFFSET = 1;
const KEY_ID_LENGTH = 36;
const NONCE_OFFSET = KEY_ID_OFFSET + KEY_ID_LENGTH;
const NONCE_LENGTH = 12;
const BODY_OFFSET = NONCE_OFFSET + NONCE_LENGTH;
const TAG_LENGTH = 16;

/** The smallest blob: header, nonce, one byte of ciphertext, tag. */
const MIN_LENGTH = BODY_OFFSET + 1 + TAG_LENGTH;

/** Encrypt `plaintext` under `material` (32 bytes) for the key `keyId`. */
export function sealBlob(
  keyId: string,
  material: Buffer,
  plaintext: Buffer,
  context: Record<string, string>,
): Buffer {
  const header = Buffer.alloc(NONCE_OFFSET);
  header[0] = VERSION;
  header.write(keyId, KEY_ID_OFFSET, KEY_ID_LENGTH, 'ascii');
  const nonce = randomBytes(NONCE_LENGTH);
  const cipher = createCipheriv('aes-256-gcm', material, nonce);
  cipher.setAAD(Buffer.concat([header, canonicalContext(context)]));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([header, nonce, body, cipher.getAuthTag()]);
}

/**
 * The key id a blob claims to be made by, or `undefined` when the blob is not one of ours. Only a
 * claim: nothing is authenticated until {@link openBlob} succeeds.
 */
export function blobKeyId(blob: Buffer): string | undefined {
  if (blob.length < MIN_LENGTH || blob[0] !== VERSION) return undefined;
  return blob.toString('ascii', KEY_ID_OFFSET, NONCE_OFFSET);
}

/** Decrypt a blob with the key's material; `undefined` when it does not authenticate. */
export function openBlob(
  material: Buffer,
  blob: Buffer,
  context: Record<string, string>,
): Buffer | undefined {
  if (blob.length < MIN_LENGTH || blob[0] !== VERSION) return undefined;
  const header = blob.subarray(0, NONCE_OFFSET);
  const nonce = blob.subarray(NONCE_OFFSET, BODY_OFFSET);
  const body = blob.subarray(BODY_OFFSET, blob.length - TAG_LENGTH);
  const tag = blob.subarray(blob.length - TAG_LENGTH);
  try {
    const decipher = createDecipheriv('aes-256-gcm', material, nonce);
    decipher.setAAD(Buffer.concat([header, canonicalContext(context)]));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(body), decipher.final()]);
  } catch {
    return undefined;
  }
}

/**
 * An unambiguous byte encoding of an encryption context: pairs sorted by key, each string
 * length-prefixed (4 bytes, big-endian), preceded by the pair count. KMS treats the context as an
 * unordered map, so order must not matter, and no two different maps may encode the same.
 */
export function canonicalContext(context: Record<string, string>): Buffer {
  const keys = Object.keys(context).sort();
  const parts: Buffer[] = [u32(keys.length)];
  for (const key of keys) {
    for (const text of [key, context[key] ?? '']) {
      const bytes = Buffer.from(text, 'utf8');
      parts.push(u32(bytes.length), bytes);
    }
  }
  return Buffer.concat(parts);
}

function u32(value: number): Buffer {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32BE(value);
  return bytes;
}
