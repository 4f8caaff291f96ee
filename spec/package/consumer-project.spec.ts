import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { expect } from 'chai';
import * as ts from 'typescript';
import type { LocalDynamo } from '../../src/testing';
import { fencedBlocks, type FencedBlock } from '../docs/support/fenced-blocks';
import { sharedDynamo, sharedKms, uniqueTable } from '../support/stack';
import { ensureDist, npmPack, ROOT } from './support/packed';

// issue 14's "Done when": a new user's project, made with `npm init -y && npx tsc --init`, reaches
// a working encrypted save and find by following the README's "Use theorydb in your project"
// alone, in both decorator modes, with theorydb installed from the packed tarball. Everything the
// user types is taken from the README itself (the tsconfig options, the install list,
// credential.ts, main.ts), so a README that is not enough fails here.

const README = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const { blocks } = fencedBlocks(README, 'README.md');
const TSC = path.join(ROOT, 'node_modules', '.bin', 'tsc');
const NODE_MODULES = realpathSync(path.join(ROOT, 'node_modules'));
const run = promisify(execFile);

type Mode = 'legacy' | 'standard';

/** The README block that starts with `start` (after its fence), in the user section. */
function readmeBlock(lang: string, start: string | RegExp): FencedBlock {
  const found = blocks.find(
    (block) =>
      block.lang === lang &&
      (typeof start === 'string' ? block.code.startsWith(start) : start.test(block.code)),
  );
  if (found === undefined) throw new Error(`README.md has no ${lang} block starting ${start}`);
  return found;
}

/** The compilerOptions the README tells the user to set, for one decorator mode. */
function readmeCompilerOptions(mode: Mode): Record<string, unknown> {
  const legacy = (block: FencedBlock) => block.code.includes('"experimentalDecorators": true');
  const json = blocks.filter((block) => block.lang === 'json' && block.code.includes('"target"'));
  const block = json.find((candidate) => legacy(candidate) === (mode === 'legacy'));
  if (block === undefined)
    throw new Error(`README.md has no tsconfig block for ${mode} decorators`);
  return (JSON.parse(block.code) as { compilerOptions: Record<string, unknown> }).compilerOptions;
}

/** The packages of the README's first `npm install theorydb ...` line, without their ranges. */
function readmeRuntimePackages(): string[] {
  const install = readmeBlock('sh', 'npm install theorydb ').code.split('\n')[0];
  return install
    .split(/\s+/)
    .slice(2)
    .filter((word) => !word.startsWith('-') && word !== 'theorydb')
    .map((word) => word.replace(/(?!^)@.*$/, ''));
}

/** credential.ts as the README shows it; under standard decorators each property gets its type. */
function credentialSource(mode: Mode | 'untyped', table: string): string {
  const code = readmeBlock('ts', '// credential.ts\n').code.replace(
    "table: 'credentials'",
    `table: '${table}'`,
  );
  return mode === 'standard'
    ? code.replace(/@(PartitionKey|Attribute|Encrypted)\(\)/g, '@$1({ type: String })')
    : code;
}

/**
 * A new user's project: `npm init -y`, `tsc --init` (the repository's own TypeScript, so nothing
 * is downloaded), the README's compiler options merged into the generated tsconfig, and theorydb
 * installed from the tarball with the README's runtime packages.
 *
 * The dependencies come from the repository's node_modules, as directory installs (npm links
 * them), with `--offline`: `npm ci` fills the npm cache with tarballs but not with the registry's
 * package documents, so `npm install theorydb.tgz @aws-sdk/...` would have to ask the registry to
 * resolve every range (ENOTCACHED offline; seconds to minutes online). With every dependency of
 * the tarball already present as a link, npm resolves nothing, installs in about a second and
 * never touches the network; the tarball itself is extracted exactly as a user's install does.
 */
async function newProject(dir: string, mode: Mode, tarball: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  await run('npm', ['init', '-y'], { cwd: dir });
  await run(TSC, ['--init'], { cwd: dir });
  const tsconfigPath = path.join(dir, 'tsconfig.json');
  const parsed = ts.parseConfigFileTextToJson(tsconfigPath, readFileSync(tsconfigPath, 'utf8'));
  const tsconfig = parsed.config as { compilerOptions: Record<string, unknown> };
  Object.assign(tsconfig.compilerOptions, readmeCompilerOptions(mode));
  writeFileSync(tsconfigPath, JSON.stringify(tsconfig, null, 2));

  const manifest = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
  };
  const dependencies = new Set([...readmeRuntimePackages(), ...Object.keys(manifest.dependencies)]);
  await run(
    'npm',
    [
      'install',
      '--offline',
      '--no-audit',
      '--no-fund',
      '--ignore-scripts',
      '--no-package-lock',
      tarball,
      ...[...dependencies].map((name) => path.join(NODE_MODULES, name)),
    ],
    { cwd: dir },
  );
}

/** `tsc -p .` in the project: its exit code and everything it printed. */
async function compile(dir: string, ...flags: string[]): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run(TSC, ['-p', '.', ...flags], { cwd: dir });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
}

describe('a new project built from the packed tarball by following the README', function () {
  this.timeout(60_000);
  let work: string;
  let tarball: string;
  let dynamo: LocalDynamo;
  let env: NodeJS.ProcessEnv;
  const projects = new Map<Mode, Promise<string>>();

  /** The project of one mode, made once. */
  function project(mode: Mode): Promise<string> {
    let made = projects.get(mode);
    if (made === undefined) {
      const dir = path.join(work, mode);
      made = newProject(dir, mode, tarball).then(() => dir);
      projects.set(mode, made);
    }
    return made;
  }

  before(async function () {
    ensureDist(this);
    work = mkdtempSync(path.join(tmpdir(), 'theorydb-consumer-'));
    tarball = path.join(work, npmPack(work).filename);
    // The two projects are made while the local stack starts: most of the spec's time.
    const [kms] = await Promise.all([
      sharedKms(),
      sharedDynamo().then((started) => (dynamo = started)),
      project('legacy'),
      project('standard'),
    ]);
    // main.ts's `keyId: 'alias/credentials'`, and its clients made with `{}`: the SDK reads the
    // endpoints, region and credentials from the standard environment variables.
    await kms.createKey({ alias: 'alias/credentials' });
    env = {
      ...process.env,
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      AWS_ENDPOINT_URL_KMS: kms.endpoint,
      AWS_REGION: dynamo.region,
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    };
  });

  after(() => {
    if (work !== undefined) rmSync(work, { recursive: true, force: true });
  });

  for (const mode of ['legacy', 'standard'] as const) {
    it(`${mode} decorators: tsc -p . compiles the README's code and node runs an encrypted save and find`, async () => {
      const dir = await project(mode);
      const table = uniqueTable(`consumer-${mode}`);
      writeFileSync(path.join(dir, 'credential.ts'), credentialSource(mode, table));
      writeFileSync(path.join(dir, 'main.ts'), readmeBlock('ts', '// main.ts\n').code);

      const compiled = await compile(dir);
      expect(compiled.output).to.equal('');
      expect(compiled.code).to.equal(0);
      const { stdout } = await run(process.execPath, ['main.js'], { cwd: dir, env });
      expect(stdout).to.equal(
        "s3cr3t\nCredential { id: 'c1', owner: 'ada', secret: '[REDACTED]' }\n",
      );

      // Format-independent: the stored item, every binary attribute read as bytes, holds the id
      // in clear and the secret nowhere.
      const { Item } = await dynamo.client.send(
        new GetItemCommand({ TableName: table, Key: { id: { S: 'c1' } } }),
      );
      expect(Item?.id).to.deep.equal({ S: 'c1' });
      const raw = JSON.stringify(Item, (_key, value: unknown) =>
        value instanceof Uint8Array ? Buffer.from(value).toString('latin1') : value,
      );
      expect(raw).to.contain('ada');
      expect(raw).to.not.contain('s3cr3t');
    });
  }

  it('legacy entity without experimentalDecorators: compiled as standard decorators, its first use fails with ENTITY_DEFINITION naming the fix', async () => {
    const dir = await project('standard');
    writeFileSync(
      path.join(dir, 'credential.ts'),
      credentialSource('untyped', uniqueTable('untyped')),
    );
    writeFileSync(path.join(dir, 'main.ts'), readmeBlock('ts', '// main.ts\n').code);
    const compiled = await compile(dir);
    expect(compiled.output).to.equal('');
    const failed = await run(process.execPath, ['main.js'], { cwd: dir, env }).then(
      () => expect.fail('main.js exited 0'),
      (error: { code?: number; stdout: string; stderr: string }) => error,
    );
    expect(failed.code).to.equal(1);
    expect(failed.stdout).to.equal('');
    expect(failed.stderr).to.contain("code: 'ENTITY_DEFINITION'");
    expect(failed.stderr).to.contain(
      'Credential.id: has no type: standard decorators carry no type information',
    );
    expect(failed.stderr).to.contain('@PartitionKey({ type: String })');
    expect(failed.stderr).to.not.contain('s3cr3t');
  });
});
