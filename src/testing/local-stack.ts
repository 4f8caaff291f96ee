import { LocalDynamo, type LocalDynamoOptions } from './local-dynamo';
import { LocalKms } from './local-kms';

/** DynamoDB Local and LocalKms, started together. */
export interface LocalStack {
  readonly dynamo: LocalDynamo;
  readonly kms: LocalKms;
  /** Stops both servers. */
  stop(): Promise<void>;
}

/**
 * Starts DynamoDB Local and LocalKms together on free loopback ports, for tests and demos.
 *
 * @example
 * ```ts
 * const stack = await localStack();
 * const keyArn = await stack.kms.createKey({ alias: 'alias/app' });
 * const db = new TheoryDb({
 *   dynamodb: stack.dynamo.client,
 *   kms: { client: stack.kms.client(), keyId: 'alias/app' },
 * });
 * // ...
 * await stack.stop();
 * ```
 */
export async function localStack(options: LocalDynamoOptions = {}): Promise<LocalStack> {
  const region = options.region ?? 'us-east-1';
  const kms = await LocalKms.start({ region });
  let dynamo: LocalDynamo;
  try {
    dynamo = await LocalDynamo.start({ ...options, region });
  } catch (error) {
    await kms.stop();
    throw error;
  }
  return {
    dynamo,
    kms,
    async stop() {
      await Promise.all([dynamo.stop(), kms.stop()]);
    },
  };
}
