import { expect } from 'chai';
import { TheoryDb, type KmsOptions } from '../../../../src';
import { uniqueTable } from '../../../support/stack';
import { stack } from './stack';

// KMS requests are counted by LocalKms and their KeyId captured by a middleware on each TheoryDb's
// KMS client: the two records must agree, so a test's counts are the requests its client sent.

/** A LocalKms key, by the alias the options name it with and the ARN envelopes and errors carry. */
export interface Key {
  readonly alias: string;
  readonly arn: string;
}

/** One KMS request as the client sent it. */
export interface KmsRequest {
  readonly operation: string;
  readonly keyId: unknown;
}

/** What one measured action cost in KMS requests, and under which keys. */
export interface Measured {
  readonly DescribeKey: number;
  readonly GenerateDataKey: number;
  readonly Decrypt: number;
  readonly total: number;
  /** KeyId of every request, per operation, in the order sent. */
  readonly describe: unknown[];
  readonly generate: unknown[];
  readonly decrypt: unknown[];
}

/** A TheoryDb whose KMS client records the operation and KeyId of every request. */
export interface Bound {
  readonly db: TheoryDb;
  readonly requests: KmsRequest[];
}

let keyCounter = 0;

/** A new LocalKms key under a fresh alias. */
export async function newKey(label: string): Promise<Key> {
  keyCounter += 1;
  const alias = `alias/${uniqueTable(`retired-${label}-${keyCounter}`)}`;
  return { alias, arn: await stack().kms.createKey({ alias }) };
}

/** A TheoryDb with these KMS options, on a client of its own that records every request. */
export function bind(options: Omit<KmsOptions, 'client'>): Bound {
  const { dynamo, kms } = stack();
  const client = kms.client();
  const requests: KmsRequest[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      requests.push({
        operation: (context.commandName ?? 'unknown').replace(/Command$/, ''),
        keyId: (args.input as { KeyId?: unknown }).KeyId,
      });
      return next(args);
    },
    { step: 'initialize', name: 'retiredKeysSpecRequests' },
  );
  return { db: new TheoryDb({ dynamodb: dynamo.client, kms: { client, ...options } }), requests };
}

/**
 * The KMS requests `run` caused. Only `bound` may talk to LocalKms meanwhile: its own record
 * must agree with LocalKms's counters, so nothing is counted that the client did not send.
 */
export async function measure<T>(bound: Bound, run: () => Promise<T>): Promise<[Measured, T]> {
  const { kms } = stack();
  kms.resetCalls();
  bound.requests.length = 0;
  const value = await run();
  const of = (operation: string) =>
    bound.requests.filter((r) => r.operation === operation).map((r) => r.keyId);
  const measured: Measured = {
    DescribeKey: kms.calls('DescribeKey'),
    GenerateDataKey: kms.calls('GenerateDataKey'),
    Decrypt: kms.calls('Decrypt'),
    total: kms.calls(),
    describe: of('DescribeKey'),
    generate: of('GenerateDataKey'),
    decrypt: of('Decrypt'),
  };
  expect(bound.requests.length, 'requests sent by this client').to.equal(measured.total);
  expect(measured.describe).to.have.length(measured.DescribeKey);
  expect(measured.generate).to.have.length(measured.GenerateDataKey);
  expect(measured.decrypt).to.have.length(measured.Decrypt);
  return [measured, value];
}
