import * as fs from 'node:fs';
import * as path from 'node:path';
import { expect } from 'chai';
import * as ts from 'typescript';
import * as mainEntry from '../../src';
import {
  Encrypted,
  Entity,
  PartitionKey,
  QueryBuilder,
  Repository,
  ScanBuilder,
  TheoryDb,
  ValidationError,
} from '../../src';
import { recordCommands, type DynamoRecorder } from '../support/dynamo-recorder';
import { rejectionOf } from '../support/leak-check';
import { sharedDynamo, sharedKms, uniqueTable } from '../support/stack';

// Hole 1 of issue 10: `new Repository(db.contextFor(Cls, new Set(['secret'])))` used only main
// entry exports, needed no KMS, and wrote the field in clear. Plaintext opt-out must exist only
// through `theorydb/testing`'s plaintextFixture, behind its loopback check.

const SECRET = 'opt-out-secret-must-never-be-stored-0101';
const ROOT = path.resolve(__dirname, '../..');

@Entity({ table: uniqueTable('hole-opt-out'), name: 'OptOutCredential' })
class OptOutCredential {
  @PartitionKey() id!: string;
  @Encrypted() secret?: string;
}

type Loose = Record<string, unknown>;

describe('hole 1: no plaintext opt-out from the main entry', function () {
  this.timeout(60_000);
  let db: TheoryDb;
  let recorder: DynamoRecorder;

  before(async () => {
    const dynamo = await sharedDynamo();
    const kms = await sharedKms();
    const client = dynamo.newClient();
    recorder = recordCommands(client);
    // No KMS key at all: the attack needs none.
    db = new TheoryDb({ dynamodb: client });
    const keyId = await kms.createKey();
    await new TheoryDb({
      dynamodb: dynamo.client,
      kms: { client: kms.client(), keyId },
    }).createTable(OptOutCredential);
  });

  it('a TheoryDb has no context factory or client accessor at run time', () => {
    const loose = db as unknown as Loose;
    for (const name of ['contextFor', 'sharedContext', 'dynamodbClient', 'binding', 'cursorKey']) {
      expect(loose[name], name).to.equal(undefined);
    }
    const members = [
      ...Object.getOwnPropertyNames(db),
      ...Object.getOwnPropertyNames(Object.getPrototypeOf(db)),
    ];
    expect(members.filter((m) => /context|client|binding|internal/i.test(m))).to.deep.equal([]);
  });

  it('a Repository refuses any context it was not handed by theorydb, before sending anything', () => {
    const genuine = db.repository(OptOutCredential);
    expect((genuine as unknown as Loose).context).to.equal(undefined);
    const forged = {
      metadata: genuine.metadata,
      client: recorder.client,
      preflight: () => undefined,
      encryption: { active: false, encrypted: [] },
    };
    const Ctor = Repository as unknown as new (context: unknown) => Repository<OptOutCredential>;
    for (const context of [forged, undefined, null, {}, genuine]) {
      let thrown: unknown;
      try {
        new Ctor(context);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).to.be.instanceOf(ValidationError);
      expect((thrown as ValidationError).code).to.equal('VALIDATION');
    }
    expect(recorder.count('PutItemCommand')).to.equal(0);
  });

  it('the exported builder classes refuse a context theorydb did not build', () => {
    const forged = { metadata: db.repository(OptOutCredential).metadata, client: recorder.client };
    for (const Builder of [QueryBuilder, ScanBuilder]) {
      const Ctor = Builder as unknown as new (context: unknown, spec: unknown) => unknown;
      expect(() => new Ctor(forged, {}), Builder.name).to.throw(ValidationError);
    }
    expect(recorder.count()).to.equal(0);
  });

  it('the genuine repository of the same client fails closed without a key and sends nothing', async () => {
    const entity = Object.assign(new OptOutCredential(), { id: 'c1', secret: SECRET });
    const error = await rejectionOf(db.repository(OptOutCredential).save(entity));
    expect((error as { code?: string }).code).to.equal('ENCRYPTION_NOT_CONFIGURED');
    expect(recorder.count()).to.equal(0);
    expect(recorder.bodies()).to.not.include(SECRET);
  });

  it('the main entry exports nothing that builds contexts or reaches internals', () => {
    const names = Object.keys(mainEntry);
    for (const name of [
      'registerContext',
      'registeredContext',
      'internalsOf',
      'registerInternals',
      'ItemEncryption',
      'plaintextFixture',
    ]) {
      expect(names, name).to.not.include(name);
    }
  });

  describe('the emitted declarations', () => {
    let declarations: Map<string, string>;

    before(function () {
      this.timeout(60_000);
      declarations = emitDeclarations();
    });

    it('strip every internal member', () => {
      const theorydb = declarationOf(declarations, 'repository/theorydb.d.ts');
      const repository = declarationOf(declarations, 'repository/repository.d.ts');
      for (const hidden of ['contextFor', 'sharedContext', 'dynamodbClient', 'plaintextContext']) {
        expect(theorydb, hidden).to.not.include(hidden);
      }
      expect(repository).to.not.include('RepositoryContext');
      expect(repository).to.not.match(/constructor\s*\(/);
    });

    it('make the attack a compile error for a consumer', () => {
      const consumer = [
        "import { Repository, TheoryDb } from 'theorydb';",
        'declare const db: TheoryDb;',
        'declare class C { id: string }',
        "export const r = new Repository<C>((db as TheoryDb).contextFor(C, new Set(['secret'])));",
      ].join('\n');
      const codes = compileConsumer(declarations, consumer);
      expect(codes).to.include(2339); // Property 'contextFor' does not exist on type 'TheoryDb'.
      expect(codes).to.include(2554); // Expected 0 arguments, but got 1.
    });
  });
});

function buildOptions(): ts.CompilerOptions {
  const configPath = path.join(ROOT, 'tsconfig.build.json');
  const config = ts.readConfigFile(configPath, (file) => ts.sys.readFile(file));
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, ROOT);
  // noCheck: the suite type-checks the sources elsewhere; this only needs what tsc would emit.
  return {
    ...parsed.options,
    emitDeclarationOnly: true,
    declaration: true,
    sourceMap: false,
    noCheck: true,
  };
}

/** The package's .d.ts files as `tsc -p tsconfig.build.json` would emit them, kept in memory. */
function emitDeclarations(): Map<string, string> {
  const options = buildOptions();
  const out = new Map<string, string>();
  const host = ts.createCompilerHost(options);
  host.writeFile = (fileName, text) => out.set(path.resolve(fileName), text);
  const program = ts.createProgram({
    rootNames: [path.join(ROOT, 'src/index.ts'), path.join(ROOT, 'src/testing/index.ts')],
    options,
    host,
  });
  const result = program.emit(undefined, undefined, undefined, true);
  expect(result.emitSkipped).to.equal(false);
  return out;
}

function declarationOf(declarations: Map<string, string>, relative: string): string {
  const text = declarations.get(path.join(ROOT, 'dist', relative));
  if (text === undefined) expect.fail(`no declaration emitted for ${relative}`);
  return text;
}

/**
 * Compiles `code` as a consumer of package 'theorydb' whose files are `declarations`, laid out on
 * disk under node_modules (beside the repository's own, so its dependencies resolve); the
 * consumer's error codes.
 */
function compileConsumer(declarations: Map<string, string>, code: string): number[] {
  const project = fs.mkdtempSync(path.join(ROOT, 'node_modules', '.theorydb-consumer-'));
  try {
    const pkg = path.join(project, 'node_modules', 'theorydb');
    for (const [file, text] of declarations) {
      const target = path.join(pkg, path.relative(ROOT, file));
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, text);
    }
    fs.writeFileSync(
      path.join(pkg, 'package.json'),
      JSON.stringify({ name: 'theorydb', types: 'dist/index.d.ts' }),
    );
    const consumer = path.join(project, 'consumer.ts');
    fs.writeFileSync(consumer, code);
    const program = ts.createProgram({
      rootNames: [consumer],
      options: {
        strict: true,
        noEmit: true,
        module: ts.ModuleKind.CommonJS,
        moduleResolution: ts.ModuleResolutionKind.Node10,
        target: ts.ScriptTarget.ES2022,
        skipLibCheck: true,
        types: [],
        ignoreDeprecations: '6.0',
      },
    });
    const file = program.getSourceFile(consumer);
    return ts.getPreEmitDiagnostics(program, file).map((diagnostic) => diagnostic.code);
  } finally {
    fs.rmSync(project, { recursive: true, force: true });
  }
}
