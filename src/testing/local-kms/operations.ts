import { decrypt, encrypt, generateDataKey } from './crypto-operations';
import type { KeyStore } from './key-store';
import {
  cancelKeyDeletion,
  createAlias,
  createKey,
  describeKey,
  disableKey,
  enableKey,
  replicateKey,
  scheduleKeyDeletion,
} from './key-operations';
import type { RequestBody } from './request-fields';

/** A LocalKms operation: the parsed request body in, the response body out, or a KmsException. */
export type Operation = (store: KeyStore, body: RequestBody) => Record<string, unknown>;

/** The operations LocalKms answers, by the name after `TrentService.` in `X-Amz-Target`. */
export const OPERATIONS: ReadonlyMap<string, Operation> = new Map<string, Operation>([
  ['CreateKey', createKey],
  ['ReplicateKey', replicateKey],
  ['DescribeKey', describeKey],
  ['CreateAlias', createAlias],
  ['EnableKey', enableKey],
  ['DisableKey', disableKey],
  ['ScheduleKeyDeletion', scheduleKeyDeletion],
  ['CancelKeyDeletion', cancelKeyDeletion],
  ['GenerateDataKey', generateDataKey],
  ['Encrypt', encrypt],
  ['Decrypt', decrypt],
]);
