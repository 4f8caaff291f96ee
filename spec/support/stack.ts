import { LocalDynamo } from '../../src/testing/local-dynamo';
import { LocalKms } from '../../src/testing/local-kms';

// One DynamoDB Local and one LocalKms per test run, started the first time a spec asks for them
// (pure unit specs never pay for the JVM) and stopped by the root hook in spec/hooks.ts.
let dynamo: Promise<LocalDynamo> | undefined;
let kms: Promise<LocalKms> | undefined;

/** The run's DynamoDB Local. */
export function sharedDynamo(): Promise<LocalDynamo> {
  dynamo ??= LocalDynamo.start();
  return dynamo;
}

/** The run's LocalKms. Tests that inject faults must clear them (`clearFaults`) when done. */
export function sharedKms(): Promise<LocalKms> {
  kms ??= LocalKms.start();
  return kms;
}

export async function stopSharedStack(): Promise<void> {
  const running = [dynamo, kms];
  dynamo = undefined;
  kms = undefined;
  await Promise.all(running.map(async (server) => (await server?.catch(() => undefined))?.stop()));
}

let tableCounter = 0;

/** A table name unique in this run, so specs never see each other's items. */
export function uniqueTable(prefix: string): string {
  tableCounter += 1;
  return `${prefix}-${process.pid}-${tableCounter}`;
}
