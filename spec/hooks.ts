// Mocha root hooks. Local servers are started lazily by spec/support/stack.ts, once per run,
// the first time a spec asks for them, and stopped here when the run ends. The leak guard
// (spec/support/leak-guard.ts) captures output, log records and errors for the whole run and
// fails it, once the servers are stopped, if any sentinel secret was printed.
import 'reflect-metadata';
import { installLeakGuard, leakGuardAfterAll, leakGuardAfterEach } from './support/leak-guard';
import { stopSharedStack } from './support/stack';

process.env.AWS_EC2_METADATA_DISABLED = 'true';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

installLeakGuard();

export const mochaHooks = {
  afterEach: leakGuardAfterEach,
  afterAll: [
    async function stopStack(): Promise<void> {
      await stopSharedStack();
    },
    leakGuardAfterAll,
  ],
};
