// Installs the benchmark's peer libraries (TypeDORM, ElectroDB, dynamodb-toolbox, Dynamoose) into
// bench/libraries/node_modules with `npm ci` from bench/libraries/package-lock.json, unless that
// exact lock is installed already. They are not dependencies of the project, so its own
// `npm install` never fetches them (nor the AWS SDK v2 that TypeDORM requires).
// Run by `npm run bench`; CI runs it before type-checking the peers (bench/tsconfig.json).
'use strict';
const { spawnSync } = require('node:child_process');
const { createHash } = require('node:crypto');
const { existsSync, readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

const dir = join(__dirname, 'libraries');
const stamp = join(dir, 'node_modules', '.theorydb-prepared');

const wanted = createHash('sha256')
  .update(readFileSync(join(dir, 'package.json')))
  .update(readFileSync(join(dir, 'package-lock.json')))
  .digest('hex');

if (existsSync(stamp) && readFileSync(stamp, 'utf8') === wanted) {
  console.log('bench/prepare: peer libraries installed (bench/libraries/node_modules)');
} else {
  console.log('bench/prepare: installing the peer libraries into bench/libraries/node_modules');
  // Under `npm run`, npm_execpath is the npm that runs us: use the same one.
  const npm = process.env.npm_execpath;
  const [command, prefix] =
    npm !== undefined && npm.endsWith('.js') ? [process.execPath, [npm]] : ['npm', []];
  const result = spawnSync(command, [...prefix, 'ci', '--no-audit', '--no-fund'], {
    cwd: dir,
    stdio: 'inherit',
    shell: process.platform === 'win32' && command === 'npm',
  });
  if (result.status !== 0) {
    console.error(
      `bench/prepare: npm ci in bench/libraries failed (${result.status ?? result.signal})`,
    );
    process.exit(1);
  }
  writeFileSync(stamp, wanted);
}
