import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { LocalDynamo } from '../../src/testing';
import type { Peer } from '../peers/peer';
import { repoRoot } from './repo-root';

/**
 * The peers that are other libraries. They are not dependencies of the project: `node
 * bench/prepare.js` (run by `npm run bench`) installs them from bench/libraries/package.json into
 * bench/libraries/node_modules, so the project's own `npm install` pulls in neither them nor the
 * end-of-support AWS SDK v2 that TypeDORM requires. theorydb and the raw SDK need no such install.
 */
export const LIBRARY_PEER_KEYS = ['typedorm', 'electrodb', 'toolbox', 'dynamoose'] as const;
export type LibraryPeerKey = (typeof LIBRARY_PEER_KEYS)[number];

/** Makes one peer against a DynamoDB Local. */
export type PeerFactory = (dynamo: LocalDynamo) => Peer;

/** Where the peer libraries' package.json, lock and node_modules live. */
export function librariesDir(): string {
  return join(repoRoot(), 'bench', 'libraries');
}

/**
 * Why the library peers cannot run here (which packages of `dir`/package.json are not installed),
 * or undefined when every one is.
 */
export function librariesAbsence(dir: string = librariesDir()): string | undefined {
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>;
  };
  const missing = Object.keys(manifest.dependencies ?? {}).filter(
    (name) => !existsSync(join(dir, 'node_modules', name, 'package.json')),
  );
  if (missing.length === 0) return undefined;
  return (
    `the peer libraries are not installed (${missing.join(', ')} missing from ` +
    `bench/libraries/node_modules); run \`node bench/prepare.js\` (npm run bench does)`
  );
}

/**
 * Why the end-to-end section runs without the library peers, or undefined when they are installed.
 * Throws when they are `required` (npm run bench) and not installed.
 */
export function checkLibraries(
  mode: 'required' | 'ifInstalled',
  dir: string = librariesDir(),
): string | undefined {
  const absence = librariesAbsence(dir);
  if (absence !== undefined && mode === 'required') throw new Error(`bench: ${absence}`);
  return absence;
}

/** The library peers; only when {@link librariesAbsence} is undefined. */
export function loadLibraryPeers(): Record<LibraryPeerKey, PeerFactory> {
  // A require at run time, not an import: the modules below type-check only against the bench's
  // own install, and the root tsconfig (tsc and npm test on a fresh clone) must never reach them.
  const load = createRequire(__filename);
  return (load('../peers/library-peers') as { LIBRARY_PEERS: Record<LibraryPeerKey, PeerFactory> })
    .LIBRARY_PEERS;
}
