import { expect } from 'chai';
import { Entity, PartitionKey, TransactionCanceledError, Version, entityMetadata } from '../../src';
import { canceledError, type ActionSite } from '../../src/transactions/cancellation-reasons';

@Entity({ table: 'cancellation-reasons-unit' })
class Doc {
  @PartitionKey() id!: string;
  @Version() version?: number;
}

describe('canceledError', () => {
  const metadata = entityMetadata(Doc);
  const site = (action: ActionSite['action'], checks: ActionSite['checks']): ActionSite => ({
    metadata,
    action,
    checks,
  });

  it('maps every DynamoDB reason code, one reason per action, in order', () => {
    const codes = [
      'None',
      'TransactionConflict',
      'ThrottlingError',
      'ProvisionedThroughputExceeded',
      'ItemCollectionSizeLimitExceeded',
      'ValidationError',
      'SomethingNew',
    ];
    const error = canceledError(
      {
        name: 'TransactionCanceledException',
        CancellationReasons: codes.map((Code) => ({ Code })),
      },
      codes.map(() => site('check', { userCondition: true })),
      'transaction',
    );
    expect(error).to.be.instanceOf(TransactionCanceledError);
    expect(error.reasons.map((r) => [r.index, r.code, r.awsCode])).to.deep.equal([
      [0, 'NONE', 'None'],
      [1, 'TRANSACTION_CONFLICT', 'TransactionConflict'],
      [2, 'THROTTLED', 'ThrottlingError'],
      [3, 'THROTTLED', 'ProvisionedThroughputExceeded'],
      [4, 'ITEM_COLLECTION_SIZE_LIMIT', 'ItemCollectionSizeLimitExceeded'],
      [5, 'VALIDATION', 'ValidationError'],
      [6, 'UNKNOWN', 'SomethingNew'],
    ]);
    expect(error.retryable).to.equal(false);
  });

  it('is retryable only when every failure is a conflict or throttling', () => {
    const reasons = (codes: string[]) => ({
      name: 'TransactionCanceledException',
      CancellationReasons: codes.map((Code) => ({ Code })),
    });
    const sites = [
      site('save', { userCondition: false }),
      site('delete', { userCondition: false }),
    ];
    expect(canceledError(reasons(['None', 'TransactionConflict']), sites, 'tx').retryable).to.equal(
      true,
    );
    expect(
      canceledError(reasons(['ThrottlingError', 'TransactionConflict']), sites, 'tx').retryable,
    ).to.equal(true);
    expect(
      canceledError(reasons(['ConditionalCheckFailed', 'TransactionConflict']), sites, 'tx')
        .retryable,
    ).to.equal(false);
    expect(canceledError(reasons(['None', 'None']), sites, 'tx').retryable).to.equal(false);
  });

  it('classifies a failed condition with the returned item, then removes every item from the cause', () => {
    const sdkError = {
      name: 'TransactionCanceledException',
      CancellationReasons: [
        { Code: 'ConditionalCheckFailed', Item: { id: { S: 'k1' }, version: { N: '3' } } },
        { Code: 'ConditionalCheckFailed', Item: { id: { S: 'k2' }, version: { N: '2' } } },
        { Code: 'ConditionalCheckFailed' },
        { Code: 'ConditionalCheckFailed' },
        { Code: 'None', Item: { id: { S: 'k5' } } },
      ],
    };
    const error = canceledError(
      sdkError,
      [
        site('save', { userCondition: true, version: { expected: 2 } }), // stored 3: conflict
        site('update', { userCondition: true, version: { expected: 2 } }), // stored 2: condition
        site('save', { userCondition: false, version: { expected: undefined } }), // new: conflict
        site('delete', { userCondition: true }),
        site('check', { userCondition: true }),
      ],
      'transaction',
    );
    expect(error.reasons.map((r) => [r.code, r.expectedVersion])).to.deep.equal([
      ['VERSION_CONFLICT', 2],
      ['CONDITION_FAILED', undefined],
      ['VERSION_CONFLICT', undefined],
      ['CONDITION_FAILED', undefined],
      ['NONE', undefined],
    ]);
    expect(error.cause).to.equal(sdkError);
    expect(JSON.stringify(sdkError)).to.not.match(/k1|k2|k5/);
    expect(JSON.stringify(error)).to.not.match(/k1|k2|k5/);
    expect(error.message).to.equal(
      'transaction canceled: action 0 (save Doc): VERSION_CONFLICT; action 1 (update Doc): CONDITION_FAILED; ' +
        'action 2 (save Doc): VERSION_CONFLICT; action 3 (delete Doc): CONDITION_FAILED',
    );
  });

  it('gives UNKNOWN reasons when DynamoDB sent none', () => {
    const error = canceledError(
      { name: 'TransactionCanceledException' },
      [site('save', { userCondition: false })],
      'tx',
    );
    expect(error.reasons).to.deep.equal([
      {
        index: 0,
        entity: 'Doc',
        table: 'cancellation-reasons-unit',
        action: 'save',
        awsCode: 'Unknown',
        code: 'UNKNOWN',
      },
    ]);
  });
});
