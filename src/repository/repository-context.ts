import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { EntityMapper } from '../mapping/entity-mapper';
import type { EntityMetadata } from '../metadata/entity-metadata';
import type { ItemEncryption } from './item-encryption';
import type { TheoryDbLogger } from './logger';

/**
 * How batch operations retry UnprocessedItems / UnprocessedKeys: exponential backoff with full
 * jitter (a random delay between 0 and min(maxDelayMs, baseDelayMs * 2^attempt)), at most
 * `maxAttempts` requests per chunk in all.
 */
export interface BatchRetryOptions {
  /** Requests per chunk, the first included. Default 8. */
  readonly maxAttempts: number;
  /** Default 25 ms. */
  readonly baseDelayMs: number;
  /** Default 2000 ms. */
  readonly maxDelayMs: number;
}

/** What a repository's operations share. Built once per repository. */
export interface RepositoryContext<T extends object> {
  readonly metadata: EntityMetadata<T>;
  readonly mapper: EntityMapper<T>;
  readonly encryption: ItemEncryption;
  readonly client: DynamoDBClient;
  readonly logger: TheoryDbLogger | undefined;
  readonly now: () => Date;
  /** The HMAC key that makes query and scan cursors tamper-evident (32 bytes). */
  readonly cursorKey: Buffer;
  /** How batch operations retry unprocessed items. */
  readonly batchRetry: BatchRetryOptions;
  /**
   * Runs before anything is sent: the key check of every repository, and the loopback check of a
   * plaintext fixture.
   */
  readonly preflight: () => Promise<void> | void;
}
