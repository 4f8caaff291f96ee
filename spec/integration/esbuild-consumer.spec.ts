import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { build } from 'esbuild';
import type { LocalDynamo, LocalKms } from '../../src/testing';
import { sharedDynamo, sharedKms, uniqueTable } from '../support/stack';

// A small consumer bundled by esbuild, as tsx, vitest and bun compile code: no design:type is
// ever emitted, whatever the tsconfig says. It runs in its own Node process against the local
// stack, in both decorator modes, with `type` options (a working encrypted save and find) and
// without them (the message that names the real cause).

const ROOT = path.resolve(__dirname, '../..');
// Inside the repository, so the bundle's external packages resolve from its node_modules.
const OUT = path.join(ROOT, 'node_modules/.cache/theorydb-esbuild-consumer');
const SECRET = 'esbuild-consumer-secret-5150';

function consumer(typed: boolean): string {
  const type = typed ? '{ type: String }' : '';
  return `
import { inspect } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { Attribute, Encrypted, Entity, PartitionKey, TheoryDb } from '../../src';

@Entity({ table: process.env.TABLE!, name: 'Credential' })
class Credential {
  @PartitionKey(${type}) id!: string;
  @Attribute(${type}) owner!: string;
  @Encrypted(${type}) secret!: string;
}

async function main() {
  const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
  const db = new TheoryDb({
    dynamodb: new DynamoDBClient({ endpoint: process.env.DYNAMO, region: process.env.REGION, credentials }),
    kms: {
      client: new KMSClient({ endpoint: process.env.KMS, region: process.env.KMS_REGION, credentials }),
      keyId: process.env.KEY_ID!,
    },
  });
  await db.createTable(Credential);
  const credentialsRepo = db.repository(Credential);
  await credentialsRepo.save(Object.assign(new Credential(), { id: 'c1', owner: 'ada', secret: process.env.SECRET! }));
  const found = await credentialsRepo.find({ id: 'c1' });
  console.log(JSON.stringify({ secret: found?.secret, printed: inspect(found) }));
}
main().catch((error: { code?: string; message?: string }) => {
  console.log(JSON.stringify({ code: error.code, message: error.message }));
});
`;
}

/** Bundles the consumer with esbuild and runs it; its one line of output, parsed. */
async function run(
  name: string,
  typed: boolean,
  experimentalDecorators: boolean,
  env: Record<string, string>,
): Promise<Record<string, string>> {
  const result = await build({
    stdin: {
      contents: consumer(typed),
      loader: 'ts',
      resolveDir: __dirname,
      sourcefile: `${name}.ts`,
    },
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    write: false,
    logLevel: 'silent',
    tsconfigRaw: { compilerOptions: { experimentalDecorators, useDefineForClassFields: false } },
  });
  mkdirSync(OUT, { recursive: true });
  const file = path.join(OUT, `${name}.js`);
  writeFileSync(file, result.outputFiles[0].text);
  const { stdout } = await promisify(execFile)(process.execPath, [file], {
    env: { ...process.env, ...env, AWS_EC2_METADATA_DISABLED: 'true' },
    timeout: 30_000,
  });
  return JSON.parse(stdout.trim().split('\n').pop()!) as Record<string, string>;
}

describe('a consumer bundled with esbuild (no decorator metadata), run against the local stack', function () {
  this.timeout(60_000);
  let env: Record<string, string>;

  before(async () => {
    const [dynamo, kms]: [LocalDynamo, LocalKms] = await Promise.all([sharedDynamo(), sharedKms()]);
    env = {
      DYNAMO: dynamo.endpoint,
      REGION: dynamo.region,
      KMS: kms.endpoint,
      KMS_REGION: kms.region,
      KEY_ID: await kms.createKey(),
      SECRET,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    };
  });

  for (const [mode, experimentalDecorators] of [
    ['legacy', true],
    ['standard', false],
  ] as const) {
    it(`${mode} decorators with { type } options: an encrypted save and find`, async () => {
      const output = await run(`${mode}-typed`, true, experimentalDecorators, {
        ...env,
        TABLE: uniqueTable(`esbuild-${mode}`),
      });
      expect(output).to.deep.equal({
        secret: SECRET,
        printed: "Credential { id: 'c1', owner: 'ada', secret: '[REDACTED]' }",
      });
    });
  }

  it('legacy decorators without types: the error names the runner, not emitDecoratorMetadata', async () => {
    const output = await run('legacy-untyped', false, true, {
      ...env,
      TABLE: uniqueTable('esbuild-untyped'),
    });
    expect(output.code).to.equal('ENTITY_DEFINITION');
    expect(output.message).to.equal(
      'Credential.id: has no type: the compiler or runner emits no decorator metadata (no ' +
        'property of Credential has design:type). tsx, esbuild, vitest and bun never emit it, ' +
        'whatever the tsconfig says. Give each property its type, @PartitionKey({ type: String }) ' +
        '(or Number, Boolean, BigInt, Date, Uint8Array, Object, Array, Set, or a class), or use ' +
        'standard decorators (README: "Decorators: legacy and standard")',
    );
    expect(output.message).to.not.match(/emitDecoratorMetadata/);
  });

  it('standard decorators without types: the error says standard decorators carry none', async () => {
    const output = await run('standard-untyped', false, false, {
      ...env,
      TABLE: uniqueTable('esbuild-std-untyped'),
    });
    expect(output.code).to.equal('ENTITY_DEFINITION');
    expect(output.message).to.match(
      /^Credential\.id: has no type: standard decorators carry no type information/,
    );
    expect(output.message).to.contain('@PartitionKey({ type: String })');
  });
});
