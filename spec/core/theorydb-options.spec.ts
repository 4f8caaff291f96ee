import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { expect } from 'chai';
import { TheoryDb, type TheoryDbOptions, ValidationError } from '../../src';

// Construction sends nothing: these clients never reach a network.
const dynamodb = new DynamoDBClient({
  region: 'us-east-1',
  endpoint: 'http://127.0.0.1:9',
  credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
});
const client = new KMSClient({
  region: 'us-east-1',
  endpoint: 'http://127.0.0.1:9',
  credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
});

function refusal(options: unknown): ValidationError {
  try {
    new TheoryDb(options as TheoryDbOptions);
  } catch (error) {
    expect(error).to.be.instanceOf(ValidationError);
    expect((error as ValidationError).code).to.equal('VALIDATION');
    return error as ValidationError;
  }
  throw new Error(`expected a ValidationError for ${JSON.stringify(options)}`);
}

describe('TheoryDb options', () => {
  after(() => {
    dynamodb.destroy();
    client.destroy();
  });

  it('accepts a complete kms binding with a cache', () => {
    const db = new TheoryDb({
      dynamodb,
      kms: {
        client,
        keyId: 'alias/app',
        keys: { audit: 'alias/audit' },
        timeoutMs: 500,
        cache: { maxAgeMs: 60_000, maxUses: 100, maxEntries: 10 },
      },
    });
    expect(db).to.be.instanceOf(TheoryDb);
  });

  const kms = (extra: Record<string, unknown>) => ({
    dynamodb,
    kms: { client, keyId: 'alias/app', ...extra },
  });
  const cases: [string, unknown, RegExp][] = [
    ['kms without a client', { dynamodb, kms: { keyId: 'alias/app' } }, /kms\.client is required/],
    ['an empty keyId', kms({ keyId: '' }), /kms\.keyId must be a non-empty/],
    ['an empty named key', kms({ keys: { audit: ' ' } }), /kms\.keys\.audit must be a non-empty/],
    ['timeoutMs 0', kms({ timeoutMs: 0 }), /kms\.timeoutMs/],
    ['timeoutMs NaN', kms({ timeoutMs: Number.NaN }), /kms\.timeoutMs/],
    ['timeoutMs Infinity', kms({ timeoutMs: Number.POSITIVE_INFINITY }), /kms\.timeoutMs/],
    ['cache null', kms({ cache: null }), /kms\.cache: must be an object/],
    ['cache without bounds', kms({ cache: {} }), /kms\.cache: maxAgeMs/],
    ['cache maxUses 0', kms({ cache: { maxAgeMs: 1000, maxUses: 0 } }), /kms\.cache: maxUses/],
    ['cache maxAgeMs -1', kms({ cache: { maxAgeMs: -1, maxUses: 1 } }), /kms\.cache: maxAgeMs/],
    [
      'cache maxEntries 1.5',
      kms({ cache: { maxAgeMs: 1000, maxUses: 1, maxEntries: 1.5 } }),
      /kms\.cache: maxEntries/,
    ],
  ];
  for (const [label, options, message] of cases) {
    it(`refuses ${label} with a ValidationError naming the option`, () => {
      expect(refusal(options).message).to.match(message);
    });
  }
});
