import 'reflect-metadata';

export * from './decorators';
export * from './errors';
export type {
  AttributeOptions,
  Constructor,
  DateFormat,
  EncryptedOptions,
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
export type { KmsOptions } from './repository/kms-options';
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
