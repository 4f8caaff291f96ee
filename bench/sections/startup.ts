import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Figures } from '../support/figures';
import type { BenchSettings } from '../support/settings';
import { median } from '../support/stats';

/**
 * What the child process runs: the time to `require` the compiled build (dist/, what the package
 * ships) and to build the first repository (discovery, validation, the compiled mapper) for an
 * entity declared with the decorators called as functions (plain JavaScript has no decorator
 * syntax). It prints one JSON line. `sdk` times `require('@aws-sdk/client-dynamodb')` alone, the
 * floor any DynamoDB library pays.
 */
const CHILD = String.raw`
const mode = process.argv[1];
const t0 = performance.now();
if (mode === 'sdk') {
  require('@aws-sdk/client-dynamodb');
  console.log(JSON.stringify({ requireMs: performance.now() - t0 }));
} else {
  const theorydb = require('./dist');
  const t1 = performance.now();
  const { DynamoDBClient } = require('@aws-sdk/client-dynamodb');
  class Order {}
  theorydb.PartitionKey({ type: String })(Order.prototype, 'customerId');
  theorydb.SortKey({ type: String })(Order.prototype, 'orderId');
  theorydb.Attribute({ type: String })(Order.prototype, 'status');
  theorydb.Attribute({ type: Number })(Order.prototype, 'total');
  theorydb.Attribute({ type: String })(Order.prototype, 'email');
  theorydb.Encrypted()(Order.prototype, 'email');
  theorydb.Entity({ table: 'orders', name: 'Order' })(Order);
  const db = new theorydb.TheoryDb({
    dynamodb: new DynamoDBClient({ region: 'us-east-1', endpoint: 'http://127.0.0.1:9',
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' } }),
  });
  db.repository(Order);
  const t2 = performance.now();
  console.log(JSON.stringify({ requireMs: t1 - t0, firstRepositoryMs: t2 - t1, totalMs: t2 - t0 }));
}
`;

interface ChildTimes {
  requireMs: number;
  firstRepositoryMs?: number;
  totalMs?: number;
}

/**
 * Section 7: start-up, in fresh child processes (so nothing is loaded yet): `require` of the
 * compiled package and the first repository, medians over `runs` processes, with the SDK's own
 * `require` for comparison. Needs `npm run build` (the bench script runs it first).
 */
export function startupSection(settings: BenchSettings, root: string): Figures {
  if (!existsSync(join(root, 'dist', 'index.js'))) {
    throw new Error('start-up needs the compiled package: run `npm run build` first');
  }
  const run = (mode: string): ChildTimes =>
    JSON.parse(
      execFileSync(process.execPath, ['-e', CHILD, mode], {
        cwd: root,
        encoding: 'utf8',
        env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
      }).trim(),
    ) as ChildTimes;
  const theorydb: ChildTimes[] = [];
  const sdk: ChildTimes[] = [];
  for (let i = 0; i < settings.startup.runs; i += 1) {
    theorydb.push(run('theorydb'));
    sdk.push(run('sdk'));
  }
  return {
    requireMs: median(theorydb.map((t) => t.requireMs)),
    firstRepositoryMs: median(theorydb.map((t) => t.firstRepositoryMs ?? Number.NaN)),
    totalMs: median(theorydb.map((t) => t.totalMs ?? Number.NaN)),
    sdkRequireMs: median(sdk.map((t) => t.requireMs)),
  };
}
