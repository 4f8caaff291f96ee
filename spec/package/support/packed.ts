import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** The repository's root, whose package.json is the published one. */
export const ROOT = join(__dirname, '..', '..', '..');

/**
 * Builds dist/ when it is missing. CI builds before `npm test`; a developer's `npm test` may run
 * with no dist/, so it is built here once (about 15 s) and only then. A dist/ left by an older
 * build is not rebuilt: `npm run build` cleans it first.
 */
export function ensureDist(context: Mocha.Context): void {
  if (existsSync(join(ROOT, 'dist', 'index.js'))) return;
  context.timeout(180_000);
  execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'pipe' });
}

interface PackResult {
  readonly filename: string;
  readonly files: readonly { readonly path: string }[];
}

/** `npm pack` of the repository: the tarball written into `destination`, or with none, the list. */
export function npmPack(destination?: string): PackResult {
  const args = ['pack', '--json', '--ignore-scripts'];
  args.push(...(destination === undefined ? ['--dry-run'] : ['--pack-destination', destination]));
  const output = execFileSync('npm', args, {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const [result] = JSON.parse(output) as PackResult[];
  return result;
}
