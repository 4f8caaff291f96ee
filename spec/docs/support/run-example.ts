import { spawn } from 'node:child_process';

export interface ExampleRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
  /** Processes of the run (DynamoDB Local's JVM, say) still alive after it exited; now killed. */
  readonly strays: boolean;
}

/**
 * Runs `ts-node <script>` from `cwd`, as `npm start` does. The run gets its own process group, so
 * that on timeout the JVM it started dies with it, and so that whatever it leaves behind after
 * exiting can be seen (and killed) instead of outliving the test.
 */
export function runExample(script: string, cwd: string, timeoutMs: number): Promise<ExampleRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [require.resolve('ts-node/dist/bin'), script], {
      cwd,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const group = child.pid;
    if (group === undefined) {
      child.once('error', reject);
      return;
    }
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    // If mocha itself is stopped mid-run, the example must not outlive it.
    const killOnExit = (): void => killGroup(group);
    process.once('exit', killOnExit);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(group);
    }, timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      process.removeListener('exit', killOnExit);
      killGroup(group);
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      process.removeListener('exit', killOnExit);
      const strays = groupAlive(group);
      if (strays) killGroup(group);
      resolve({
        code,
        signal,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
        timedOut,
        strays,
      });
    });
  });
}

function killGroup(group: number): void {
  try {
    process.kill(-group, 'SIGKILL');
  } catch {
    // The group is already gone.
  }
}

function groupAlive(group: number): boolean {
  try {
    process.kill(-group, 0);
    return true;
  } catch {
    return false;
  }
}
