// The `theorydb/testing` entry: local servers and fixtures for tests. Never imported by the main
// entry, so production bundles do not carry it.
export { LocalDynamo, type LocalDynamoOptions } from './local-dynamo';
export { LocalKms, type LocalKmsOptions, type LocalKmsClientOptions } from './local-kms';
export type { FailNextOptions, FaultScope } from './local-kms';
export { localStack, type LocalStack } from './local-stack';
export { plaintextFixture } from './plaintext-fixture';
export { PlaintextFixtureError } from './plaintext-fixture-error';
export { LocalStackError } from './local-stack-error';
