import 'reflect-metadata';

export * from './decorators';
export * from './errors';
export type {
  AttributeOptions,
  Constructor,
  DateFormat,
  EncryptedOptions,
  SignedOptions,
  EntityOptions,
  IndexOptions,
  TypeHint,
} from './metadata/declarations';
export type {
  AttributeMetadata,
  EntityMetadata,
  IndexMetadata,
  KeyAttributeMetadata,
} from './metadata/entity-metadata';
export { entityMetadata } from './metadata/discovery';
export { REDACTED, plainWithSecrets } from './metadata/redaction';
export { TheoryDb, type TheoryDbOptions, type CreateTableOptions } from './repository/theorydb';
export { Repository } from './repository/repository';
export type { SaveOptions } from './repository/save-operation';
export type { FindOptions } from './repository/find-operation';
export type { DeleteOptions } from './repository/delete-operation';
export type { ConditionFailureOptions } from './repository/condition-failure-options';
export type { RequestOptions } from './repository/request-options';
export type { AdditionalKey, KmsOptions, NamedKeyOptions } from './repository/kms-options';
export { DATA_KEY_CACHE_CAPS } from './crypto/data-key-cache-caps';
export type { TheoryDbLogger } from './repository/logger';
export { PrimaryKey, type EntityKey, type KeyValue } from './repository/entity-key';
export type { BatchRetryOptions } from './repository/repository-context';
export type {
  Condition,
  ComparisonOperator,
  ConditionPath,
  ConditionValue,
} from './expressions/condition';
export {
  ConditionBuilder,
  type ConditionInput,
  type SizeComparison,
} from './expressions/condition-builder';
export type { BatchFindOptions } from './batch/batch-find';
export { QueryBuilder, type QueryPartition } from './query/query-builder';
export { ScanBuilder } from './query/scan-builder';
export type { ReadBuilder } from './query/read-builder';
export type { ReadPage, PageOptions, SegmentOptions } from './query/read-page';
export { SortKeyConditionBuilder, type SortKeyCondition } from './query/sort-key-condition';
export type { TransactionBuilder } from './transactions/transaction-builder';
export type { TransactFindResult, TransactGet } from './transactions/transact-find';
export type { TransactionUpdateOptions, UpdateChanges, UpdateOptions } from './update/update-spec';
export type { StreamAttributeValue, StreamImage } from './streams/stream-image';
