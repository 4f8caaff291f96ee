export { LocalKms, type LocalKmsOptions, type LocalKmsClientOptions } from './local-kms';
export type { FailNextOptions, FaultScope } from './faults';
