import { KmsException, validation } from './kms-exception';

/**
 * Readers for the fields of a KMS JSON request. Each one either returns a value of the documented
 * type or throws `ValidationException`, so a handler never works on a wrong-shaped request (the
 * real service answers such requests the same way).
 */
export type RequestBody = Record<string, unknown>;

/** A required, non-empty string field. */
export function requiredString(body: RequestBody, field: string): string {
  const value = body[field];
  if (typeof value !== 'string' || value.length === 0) {
    throw validation(`${field} is required and must be a non-empty string`);
  }
  return value;
}

/** An optional string field; `undefined` when absent or null. */
export function optionalString(body: RequestBody, field: string): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw validation(`${field} must be a string`);
  return value;
}

/** An optional boolean field; `undefined` when absent or null. */
export function optionalBoolean(body: RequestBody, field: string): boolean | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw validation(`${field} must be a boolean`);
  return value;
}

/** An optional integer field within [min, max]. */
export function optionalInteger(
  body: RequestBody,
  field: string,
  min: number,
  max: number,
): number | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw validation(`${field} must be an integer between ${min} and ${max}`);
  }
  return value;
}

/**
 * A required base64 blob field, decoded, with the length bounds KMS documents. Base64 is checked
 * strictly: Node's decoder silently skips bad characters, which would hide a malformed request.
 */
export function requiredBlob(body: RequestBody, field: string, maxBytes: number): Buffer {
  const value = body[field];
  if (typeof value !== 'string' || !BASE64.test(value)) {
    throw validation(`${field} is required and must be base64`);
  }
  const bytes = Buffer.from(value, 'base64');
  if (bytes.length < 1 || bytes.length > maxBytes) {
    throw validation(`${field} must be between 1 and ${maxBytes} bytes`);
  }
  return bytes;
}

/** An optional `EncryptionContext`: a flat map of strings to strings (empty when absent). */
export function encryptionContext(body: RequestBody): Record<string, string> {
  const value = body.EncryptionContext;
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw validation('EncryptionContext must be a map of strings to strings');
  }
  const context: Record<string, string> = {};
  for (const [key, entry] of Object.entries(value)) {
    if (typeof entry !== 'string') {
      throw validation('EncryptionContext must be a map of strings to strings');
    }
    context[key] = entry;
  }
  return context;
}

/**
 * LocalKms keys are symmetric only, so any algorithm other than the symmetric default is a key
 * usage error, as it is on a real symmetric key.
 */
export function checkSymmetricAlgorithm(body: RequestBody): void {
  const algorithm = optionalString(body, 'EncryptionAlgorithm');
  if (algorithm !== undefined && algorithm !== 'SYMMETRIC_DEFAULT') {
    throw new KmsException(
      'InvalidKeyUsageException',
      `EncryptionAlgorithm ${algorithm} is not valid for a symmetric key`,
    );
  }
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
