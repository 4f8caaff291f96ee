import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The repository root (where package.json names theorydb), from compiled or ts-node code alike. */
export function repoRoot(): string {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (
      existsSync(manifest) &&
      (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'theorydb'
    ) {
      return dir;
    }
    if (dirname(dir) === dir) throw new Error('bench: cannot find the theorydb repository root');
  }
}
