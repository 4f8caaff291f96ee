export { TheoryDbError } from './theorydb-error';
export { EntityDefinitionError } from './entity-definition-error';
export { ValidationError } from './validation-error';
export { MappingError } from './mapping-error';
export { NotFoundError } from './not-found-error';
export { ConditionFailedError } from './condition-failed-error';
export { VersionConflictError } from './version-conflict-error';
export * from './transaction-canceled-error';
export { DynamoDbError, type DynamoDbErrorCode } from './dynamodb-error';
export {
  EncryptionError,
  type EncryptionErrorCode,
  type EncryptionErrorContext,
} from './encryption-error';
export { InvalidCursorError } from './invalid-cursor-error';
export { BatchIncompleteError, type BatchOperation } from './batch-incomplete-error';
export { ResponseMismatchError } from './response-mismatch-error';
export { AbortedError } from './aborted-error';
