import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { TheoryDb } from '../../src';
import type { LocalKms } from '../../src/testing';

/** The alias of the key every encrypted section uses. */
export const KEY_ALIAS = 'alias/theorydb-bench';

/** The opt-in data-key cache as the sections turn it on: long-lived, practically unbounded. */
export const CACHE = { maxAgeMs: 10 * 60_000, maxUses: 100_000_000 } as const;

/**
 * A fresh TheoryDb bound to the LocalKms key, with its own KMS client, so nothing is resolved or
 * cached yet: DescribeKey, GenerateDataKey and Decrypt are all counted from zero.
 */
export function encryptedDb(
  dynamodb: DynamoDBClient,
  kms: LocalKms,
  options: { cache: boolean },
): TheoryDb {
  return new TheoryDb({
    dynamodb,
    kms: {
      client: kms.client(),
      keyId: KEY_ALIAS,
      ...(options.cache ? { cache: { ...CACHE } } : {}),
    },
  });
}
