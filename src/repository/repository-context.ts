import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { EntityMapper } from '../mapping/entity-mapper';
import type { EntityMetadata } from '../metadata/entity-metadata';
import type { ItemEncryption } from './item-encryption';
import type { TheoryDbLogger } from './logger';

/** What a repository's operations share. Built once per repository. */
export interface RepositoryContext<T extends object> {
  readonly metadata: EntityMetadata<T>;
  readonly mapper: EntityMapper<T>;
  readonly encryption: ItemEncryption;
  readonly client: DynamoDBClient;
  readonly logger: TheoryDbLogger | undefined;
  readonly now: () => Date;
  /**
   * Runs before anything is sent: the key check of every repository, and the loopback check of a
   * plaintext fixture.
   */
  readonly preflight: () => Promise<void> | void;
}
