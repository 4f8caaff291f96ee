import { TheoryDb, type Constructor } from '../../../../src';
import type { LocalDynamo, LocalKms } from '../../../../src/testing';
import { sharedDynamo, sharedKms } from '../../../support/stack';

// Retired keys (`kms.retired`): a field moved to a new KMS key keeps reading the values sealed
// under the keys it used before, with Decrypt pinned to the very key the envelope names, writes
// only under its current key, and still refuses a value under any key the operator did not list
// for that field's binding. Each spec file in spec/encryption/retired-keys/ covers one aspect, on
// DynamoDB Local and LocalKms, and runs alone or with the others.

/** The run's DynamoDB Local and LocalKms, as the retired-keys helpers use them. */
export interface Stack {
  readonly dynamo: LocalDynamo;
  readonly kms: LocalKms;
}

// Both servers are one per run (spec/support/stack.ts), so one module-level handle serves every
// file; holding it here keeps `bind`, `refusal` and the other helpers synchronous, as the tests
// that call them expect.
let started: Stack | undefined;

/**
 * Starts (or joins) the run's servers and creates the tables of `entities`. Each spec file calls
 * it in its `before` hook with the entities it uses, so a file runs alone as well as with the
 * others.
 */
export async function startRetiredKeys(entities: readonly Constructor<object>[]): Promise<Stack> {
  started = { dynamo: await sharedDynamo(), kms: await sharedKms() };
  const setup = new TheoryDb({ dynamodb: started.dynamo.client });
  for (const target of entities) await setup.createTable(target);
  return started;
}

/** The servers {@link startRetiredKeys} joined; fails when no `before` hook started them. */
export function stack(): Stack {
  if (started === undefined) throw new Error('startRetiredKeys() must run in a before hook first');
  return started;
}
