import { expect } from 'chai';
import {
  ConditionalCheckFailedException,
  InternalServerError,
  ProvisionedThroughputExceededException,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import * as theorydb from '../../src';
import {
  ConditionFailedError,
  DynamoDbError,
  EncryptionError,
  EntityDefinitionError,
  MappingError,
  NotFoundError,
  ResponseMismatchError,
  TheoryDbError,
  ValidationError,
  VersionConflictError,
} from '../../src';
import { convertDynamoError } from '../../src/repository/dynamo-error-converter';

const metadata = { $metadata: {} };
const context = { operation: 'find', table: 'users', entity: 'User' };

describe('errors', () => {
  it('every exported error class extends TheoryDbError', () => {
    const errorClasses = Object.entries(theorydb).filter(
      ([, value]) => typeof value === 'function' && value.prototype instanceof Error,
    );
    const names = errorClasses.map(([name]) => name);
    for (const expected of [
      'EntityDefinitionError',
      'ValidationError',
      'MappingError',
      'NotFoundError',
      'ConditionFailedError',
      'VersionConflictError',
      'DynamoDbError',
      'EncryptionError',
      'ResponseMismatchError',
    ]) {
      expect(names).to.include(expected);
    }
    for (const [name, value] of errorClasses) {
      if (value === TheoryDbError) continue;
      expect((value as { prototype: unknown }).prototype, name).to.be.instanceOf(TheoryDbError);
    }
  });

  describe('each error carries a stable code, its class name and a JSON form', () => {
    const cases: [TheoryDbError, string, Record<string, unknown>][] = [
      [
        EntityDefinitionError.at('User', 'email', 'a problem'),
        'ENTITY_DEFINITION',
        { entity: 'User', property: 'email' },
      ],
      [
        new ValidationError('User.id must be a string, got number', 'User', 'id'),
        'VALIDATION',
        { entity: 'User', property: 'id' },
      ],
      [
        new MappingError('User.age: stored attribute "age" is S, expected N', 'User', 'age'),
        'MAPPING',
        { entity: 'User', property: 'age' },
      ],
      [new NotFoundError('User: no item with this key', 'User'), 'NOT_FOUND', { entity: 'User' }],
      [
        new ConditionFailedError('save on users (User): the condition was not met', 'User'),
        'CONDITION_FAILED',
        { entity: 'User' },
      ],
      [
        new VersionConflictError('save on users (User): version conflict', 'User', 3),
        'VERSION_CONFLICT',
        { entity: 'User', expectedVersion: 3 },
      ],
      [
        new DynamoDbError('DYNAMODB_THROTTLED', 'find failed', 'ThrottlingException', true),
        'DYNAMODB_THROTTLED',
        { awsName: 'ThrottlingException', retryable: true },
      ],
      [
        new EncryptionError('INTEGRITY', 'User.secret did not decrypt', {
          entity: 'User',
          field: 'secret',
        }),
        'INTEGRITY',
        { entity: 'User', field: 'secret', keyArn: undefined, retryable: false },
      ],
      [
        new ResponseMismatchError('find on users (User): mismatch', 'find', 'users', 'User', 'id'),
        'RESPONSE_MISMATCH',
        { operation: 'find', table: 'users', entity: 'User', attribute: 'id' },
      ],
    ];
    for (const [error, code, fields] of cases) {
      it(`${error.constructor.name} (${code})`, () => {
        expect(error).to.be.instanceOf(Error);
        expect(error).to.be.instanceOf(TheoryDbError);
        expect(error.code).to.equal(code);
        expect(error.name).to.equal(error.constructor.name);
        expect(error.stack).to.be.a('string').that.includes(error.constructor.name);
        expect(error.toJSON()).to.deep.equal({
          name: error.constructor.name,
          code,
          message: error.message,
          ...fields,
        });
        expect(JSON.parse(JSON.stringify(error))).to.deep.equal(
          JSON.parse(JSON.stringify(error.toJSON())),
        );
      });
    }

    it('EntityDefinitionError.at names the class and the property', () => {
      const onProperty = EntityDefinitionError.at('User', 'email', 'is wrong');
      expect(onProperty.message).to.equal('User.email: is wrong');
      const onClass = EntityDefinitionError.at('User', undefined, 'is wrong');
      expect(onClass.message).to.equal('User: is wrong');
      expect(onClass.property).to.equal(undefined);
    });
  });

  describe('DynamoDB failures are converted by SDK error name, keeping the SDK error as cause', () => {
    const convert = (error: unknown) => convertDynamoError(error, context) as DynamoDbError;

    it('ResourceNotFoundException -> DYNAMODB_TABLE_NOT_FOUND', () => {
      const sdk = new ResourceNotFoundException({
        message: 'Requested resource not found',
        ...metadata,
      });
      const error = convert(sdk);
      expect(error).to.be.instanceOf(DynamoDbError);
      expect(error.code).to.equal('DYNAMODB_TABLE_NOT_FOUND');
      expect(error.awsName).to.equal('ResourceNotFoundException');
      expect(error.retryable).to.equal(false);
      expect(error.cause).to.equal(sdk);
      expect(error.message).to.equal('find on users (User) failed: ResourceNotFoundException');
    });

    it('throttling -> DYNAMODB_THROTTLED, retryable', () => {
      const sdk = new ProvisionedThroughputExceededException({ message: 'slow down', ...metadata });
      const error = convert(sdk);
      expect([error.code, error.awsName, error.retryable]).to.deep.equal([
        'DYNAMODB_THROTTLED',
        'ProvisionedThroughputExceededException',
        true,
      ]);
      expect(error.cause).to.equal(sdk);
      // Recognised by name, so a second copy of the SDK converts the same way.
      const foreign = { name: 'ThrottlingException', message: 'from another SDK copy' };
      expect(convert(foreign).code).to.equal('DYNAMODB_THROTTLED');
      expect(convert(foreign).cause).to.equal(foreign);
    });

    it('server and network failures -> DYNAMODB_UNAVAILABLE, retryable', () => {
      const internal = convert(new InternalServerError({ message: 'boom', ...metadata }));
      expect([internal.code, internal.awsName, internal.retryable]).to.deep.equal([
        'DYNAMODB_UNAVAILABLE',
        'InternalServerError',
        true,
      ]);
      const status = convert({ name: 'SomethingOdd', $metadata: { httpStatusCode: 503 } });
      expect([status.code, status.awsName, status.retryable]).to.deep.equal([
        'DYNAMODB_UNAVAILABLE',
        'SomethingOdd',
        true,
      ]);
      const refused = convert(
        Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
      );
      expect([refused.code, refused.awsName, refused.retryable]).to.deep.equal([
        'DYNAMODB_UNAVAILABLE',
        'Error',
        true,
      ]);
    });

    it('ValidationException -> DYNAMODB_VALIDATION; anything else -> DYNAMODB_ERROR', () => {
      const validation = convert({ name: 'ValidationException', message: 'bad' });
      expect([validation.code, validation.retryable]).to.deep.equal(['DYNAMODB_VALIDATION', false]);
      const other = convert({ name: 'ResourceInUseException' });
      expect([other.code, other.awsName, other.retryable]).to.deep.equal([
        'DYNAMODB_ERROR',
        'ResourceInUseException',
        false,
      ]);
      const nameless = convert('a string was thrown');
      expect([nameless.code, nameless.awsName]).to.deep.equal(['DYNAMODB_ERROR', 'Error']);
      expect(nameless.cause).to.equal('a string was thrown');
    });

    it('ConditionalCheckFailedException -> CONDITION_FAILED or VERSION_CONFLICT by context', () => {
      const sdk = new ConditionalCheckFailedException({ message: 'failed', ...metadata });
      const plain = convertDynamoError(sdk, { ...context, operation: 'save' });
      expect(plain).to.be.instanceOf(ConditionFailedError);
      expect(plain.code).to.equal('CONDITION_FAILED');
      expect(plain.cause).to.equal(sdk);
      expect(plain.message).to.equal('save on users (User): the condition was not met');

      const version = convertDynamoError(sdk, {
        ...context,
        operation: 'save',
        condition: { kind: 'version', expected: 4 },
      }) as VersionConflictError;
      expect(version).to.be.instanceOf(VersionConflictError);
      expect(version.code).to.equal('VERSION_CONFLICT');
      expect(version.expectedVersion).to.equal(4);
      expect(version.cause).to.equal(sdk);
      expect(version.message).to.equal(
        'save on users (User): version conflict, the stored version is no longer 4',
      );

      const created = convertDynamoError(sdk, {
        ...context,
        operation: 'save',
        condition: { kind: 'version', expected: undefined },
      }) as VersionConflictError;
      expect(created.message).to.equal(
        'save on users (User): version conflict, an item with this key already exists',
      );
    });

    it('passes theorydb errors through unchanged', () => {
      const original = new ValidationError('x');
      expect(convertDynamoError(original, context)).to.equal(original);
    });
  });
});
