// Mocha root hooks. Local servers are started lazily by spec/support/stack.ts, once per run,
// the first time a spec asks for them, and stopped here when the run ends.
import 'reflect-metadata';
import { stopSharedStack } from './support/stack';

process.env.AWS_EC2_METADATA_DISABLED = 'true';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

export const mochaHooks = {
  async afterAll(): Promise<void> {
    await stopSharedStack();
  },
};
