import { KmsException, validation } from './kms-exception';
import { epochSeconds, keyMetadata } from './key-metadata';
import type { KeyStore } from './key-store';
import {
  optionalBoolean,
  optionalInteger,
  optionalString,
  requiredString,
  type RequestBody,
} from './request-fields';

/**
 * The key management operations of LocalKms: create, replicate, describe, alias, enable, disable
 * and the deletion schedule. Each takes the parsed request body and returns the response body.
 */

const KEY_USAGES = ['ENCRYPT_DECRYPT', 'SIGN_VERIFY', 'GENERATE_VERIFY_MAC', 'KEY_AGREEMENT'];

export function createKey(store: KeyStore, body: RequestBody): Record<string, unknown> {
  const usage = optionalString(body, 'KeyUsage') ?? 'ENCRYPT_DECRYPT';
  if (!KEY_USAGES.includes(usage)) throw validation(`KeyUsage ${usage} is not valid`);
  const spec = optionalString(body, 'KeySpec') ?? optionalString(body, 'CustomerMasterKeySpec');
  // A valid request for something LocalKms does not model is refused loudly rather than
  // answered with a symmetric key the test did not ask for.
  if (usage !== 'ENCRYPT_DECRYPT' || (spec !== undefined && spec !== 'SYMMETRIC_DEFAULT')) {
    throw new KmsException(
      'UnsupportedOperationException',
      'LocalKms supports only KeyUsage ENCRYPT_DECRYPT with KeySpec SYMMETRIC_DEFAULT',
    );
  }
  const description = descriptionOf(body);
  const multiRegion = optionalBoolean(body, 'MultiRegion') ?? false;
  return { KeyMetadata: keyMetadata(store.create(description, multiRegion)) };
}

/**
 * ReplicateKey, sent to the primary key's region: the replica is created in the instance of
 * `ReplicaRegion` (same partition), and the response describes the replica. Like the real
 * service, the key id is the primary's key id or key ARN, never an alias. Unlike it, the replica
 * is `Enabled` at once (KMS shows `Creating` for a few seconds first).
 */
export function replicateKey(store: KeyStore, body: RequestBody): Record<string, unknown> {
  const keyRef = requiredString(body, 'KeyId');
  const region = requiredString(body, 'ReplicaRegion');
  const replica = store.replicate(keyRef, region, descriptionOf(body));
  return { ReplicaKeyMetadata: keyMetadata(replica), ReplicaTags: [] };
}

function descriptionOf(body: RequestBody): string {
  const description = optionalString(body, 'Description') ?? '';
  if (description.length > 8192) throw validation('Description must be at most 8192 characters');
  return description;
}

export function describeKey(store: KeyStore, body: RequestBody): Record<string, unknown> {
  // DescribeKey answers for disabled and pending-deletion keys too, as in KMS.
  return { KeyMetadata: keyMetadata(store.resolve(requiredString(body, 'KeyId'))) };
}

export function createAlias(store: KeyStore, body: RequestBody): Record<string, unknown> {
  store.createAlias(requiredString(body, 'AliasName'), requiredString(body, 'TargetKeyId'));
  return {};
}

export function enableKey(store: KeyStore, body: RequestBody): Record<string, unknown> {
  const key = store.resolveKey(requiredString(body, 'KeyId'));
  if (key.state === 'PendingDeletion') throw pendingDeletion(key.arn);
  key.state = 'Enabled';
  return {};
}

export function disableKey(store: KeyStore, body: RequestBody): Record<string, unknown> {
  const key = store.resolveKey(requiredString(body, 'KeyId'));
  if (key.state === 'PendingDeletion') throw pendingDeletion(key.arn);
  key.state = 'Disabled';
  return {};
}

export function scheduleKeyDeletion(store: KeyStore, body: RequestBody): Record<string, unknown> {
  const key = store.resolveKey(requiredString(body, 'KeyId'));
  const days = optionalInteger(body, 'PendingWindowInDays', 7, 30) ?? 30;
  if (key.state === 'PendingDeletion') throw pendingDeletion(key.arn);
  key.state = 'PendingDeletion';
  key.deletionDate = new Date(Date.now() + days * 86_400_000);
  return {
    KeyId: key.arn,
    DeletionDate: epochSeconds(key.deletionDate),
    KeyState: key.state,
    PendingWindowInDays: days,
  };
}

/** Undo a scheduled deletion; like KMS, the key comes back Disabled, not Enabled. */
export function cancelKeyDeletion(store: KeyStore, body: RequestBody): Record<string, unknown> {
  const key = store.resolveKey(requiredString(body, 'KeyId'));
  if (key.state !== 'PendingDeletion') {
    throw new KmsException('KMSInvalidStateException', `${key.arn} is not pending deletion`);
  }
  key.state = 'Disabled';
  key.deletionDate = undefined;
  return { KeyId: key.arn };
}

function pendingDeletion(arn: string): KmsException {
  return new KmsException('KMSInvalidStateException', `${arn} is pending deletion`);
}
