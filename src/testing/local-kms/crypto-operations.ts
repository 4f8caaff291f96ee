import { randomBytes } from 'node:crypto';
import { blobKeyId, openBlob, sealBlob } from './ciphertext-blob';
import { KmsException, validation } from './kms-exception';
import type { KeyStore } from './key-store';
import {
  checkSymmetricAlgorithm,
  encryptionContext,
  optionalInteger,
  optionalString,
  requiredBlob,
  requiredString,
  type RequestBody,
} from './request-fields';

/** The cryptographic operations of LocalKms: GenerateDataKey, Encrypt and Decrypt. */

/** KMS limits: Encrypt takes up to 4 KiB of plaintext, Decrypt up to 6 KiB of ciphertext. */
const MAX_PLAINTEXT = 4096;
const MAX_CIPHERTEXT = 6144;
const DATA_KEY_BYTES: Record<string, number> = { AES_256: 32, AES_128: 16 };

export function generateDataKey(store: KeyStore, body: RequestBody): Record<string, unknown> {
  const key = store.resolve(requiredString(body, 'KeyId'));
  const length = dataKeyLength(body);
  const context = encryptionContext(body);
  store.assertUsable(key);
  const plaintext = randomBytes(length);
  return {
    CiphertextBlob: sealBlob(key.keyId, key.material, plaintext, context).toString('base64'),
    Plaintext: plaintext.toString('base64'),
    KeyId: key.arn,
  };
}

export function encrypt(store: KeyStore, body: RequestBody): Record<string, unknown> {
  const key = store.resolve(requiredString(body, 'KeyId'));
  const plaintext = requiredBlob(body, 'Plaintext', MAX_PLAINTEXT);
  const context = encryptionContext(body);
  checkSymmetricAlgorithm(body);
  store.assertUsable(key);
  return {
    CiphertextBlob: sealBlob(key.keyId, key.material, plaintext, context).toString('base64'),
    KeyId: key.arn,
    EncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
  };
}

/**
 * Decrypt checks, in order: the blob is one of ours, the `KeyId` (when given) names the key that
 * made it, that key is usable, and the blob authenticates under the given encryption context.
 */
export function decrypt(store: KeyStore, body: RequestBody): Record<string, unknown> {
  const blob = requiredBlob(body, 'CiphertextBlob', MAX_CIPHERTEXT);
  const keyRef = optionalString(body, 'KeyId');
  const context = encryptionContext(body);
  checkSymmetricAlgorithm(body);
  const requested = keyRef === undefined ? undefined : store.resolve(keyRef);
  const claimedId = blobKeyId(blob);
  // An unknown key id means the blob was made elsewhere or its header was altered: either way
  // it is not a ciphertext this service can vouch for.
  const owner = claimedId === undefined ? undefined : store.find(claimedId);
  if (owner === undefined) throw invalidCiphertext();
  if (requested !== undefined && requested !== owner) {
    throw new KmsException(
      'IncorrectKeyException',
      'The key ID in the request does not identify the key that encrypted the ciphertext',
    );
  }
  store.assertUsable(owner);
  const plaintext = openBlob(owner.material, blob, context);
  if (plaintext === undefined) throw invalidCiphertext();
  return {
    KeyId: owner.arn,
    Plaintext: plaintext.toString('base64'),
    EncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
  };
}

/** Exactly one of `KeySpec` and `NumberOfBytes`, as KMS requires. */
function dataKeyLength(body: RequestBody): number {
  const spec = optionalString(body, 'KeySpec');
  const count = optionalInteger(body, 'NumberOfBytes', 1, 1024);
  if ((spec === undefined) === (count === undefined)) {
    throw validation('Specify exactly one of KeySpec and NumberOfBytes');
  }
  if (count !== undefined) return count;
  const length = DATA_KEY_BYTES[spec ?? ''];
  if (length === undefined) throw validation(`KeySpec ${spec} is not valid`);
  return length;
}

function invalidCiphertext(): KmsException {
  return new KmsException('InvalidCiphertextException', 'The ciphertext is invalid');
}
