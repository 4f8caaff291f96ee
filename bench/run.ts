import './support/env';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { DeleteTableCommand, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { LocalDynamo, LocalKms } from '../src/testing';
import { encryptionSection } from './sections/encryption';
import { endToEndSection } from './sections/end-to-end';
import { kmsRequestsSection } from './sections/kms-requests';
import { memorySection } from './sections/memory';
import { overheadSection } from './sections/overhead';
import { sizeSection } from './sections/size';
import { startupSection } from './sections/startup';
import { EXPECTED_FIGURES } from './support/figure-keys';
import { checkTargets, type Figures, type TargetResult } from './support/figures';
import {
  LIBRARY_PEER_KEYS,
  type LibraryPeerKey,
  checkLibraries,
  loadLibraryPeers,
} from './support/libraries';
import { KEY_ALIAS } from './support/local-kms-db';
import { describeMachine, type Machine } from './support/machine';
import { renderReport } from './support/report';
import { repoRoot } from './support/repo-root';
import { type BenchSettings, FULL, QUICK } from './support/settings';
import { TARGETS } from './support/targets';

/** The sections, in the order they run. */
export const SECTIONS = [
  'overhead',
  'encryption',
  'kms',
  'e2e',
  'memory',
  'size',
  'startup',
] as const;
export type Section = (typeof SECTIONS)[number];

/** Options of {@link runBench}. */
export interface BenchOptions {
  /** Tiny sizes: proves every section runs and reports, in seconds; the numbers mean nothing. */
  readonly quick?: boolean;
  /** Where the JSON goes. Default: bench/results.json. */
  readonly out?: string;
  /** Only these sections (default: all). Targets of the others show as not met. */
  readonly only?: readonly Section[];
  /** Servers to use instead of starting DynamoDB Local and LocalKms (the smoke test's). */
  readonly stack?: { dynamo: LocalDynamo; kms: LocalKms };
  /** Progress lines; default console.log. */
  readonly log?: (line: string) => void;
  /**
   * Whether the end-to-end section may run without the peer libraries (bench/libraries, installed
   * by `node bench/prepare.js`): 'required' (the default, `npm run bench`) refuses to start
   * without them; 'ifInstalled' (the smoke test on a fresh clone) runs theorydb and the raw SDK
   * only and records the others in {@link BenchResult.peersAbsent}.
   */
  readonly libraryPeers?: 'required' | 'ifInstalled';
}

/** What `results.json` holds. */
export interface BenchResult {
  readonly date: string;
  readonly machine: Machine;
  readonly settings: BenchSettings;
  readonly durationSeconds: number;
  /** Every figure, `section.key` → number. */
  readonly figures: Figures;
  readonly targets: readonly TargetResult[];
  /** The library peers the end-to-end section did not run, and why; absent when it ran them all. */
  readonly peersAbsent?: { readonly peers: readonly LibraryPeerKey[]; readonly reason: string };
}

/** Runs the benchmark, writes the JSON and returns it. */
export async function runBench(options: BenchOptions = {}): Promise<BenchResult> {
  const settings = options.quick === true ? QUICK : FULL;
  const log = options.log ?? ((line: string) => console.log(line));
  const root = repoRoot();
  const out = resolve(root, options.out ?? join('bench', 'results.json'));
  const wanted = new Set<Section>(options.only ?? SECTIONS);
  const absence = wanted.has('e2e')
    ? checkLibraries(options.libraryPeers ?? 'required')
    : undefined;
  if (absence !== undefined)
    log(`bench: WARNING, e2e without ${LIBRARY_PEER_KEYS.join(', ')}: ${absence}`);
  const started = performance.now();
  const figures: Figures = {};
  const add = (section: string, values: Figures) => {
    for (const [key, value] of Object.entries(values)) figures[`${section}.${key}`] = value;
  };
  const stack = options.stack ?? (await startStack(wanted, log));
  try {
    if (stack.kms !== undefined) await ensureKey(stack.kms);
    const sections: Record<Section, () => Promise<Figures> | Figures> = {
      overhead: () => overheadSection(settings),
      encryption: () => encryptionSection(settings, need(stack.kms)),
      kms: () => kmsRequestsSection(settings, need(stack.dynamo), need(stack.kms)),
      e2e: () =>
        endToEndSection(
          settings,
          need(stack.dynamo),
          absence === undefined ? loadLibraryPeers() : {},
        ),
      memory: () => memoryInOwnProcess(settings),
      size: () => sizeSection(need(stack.kms)),
      startup: () => startupSection(settings, ensureBuilt(root, log)),
    };
    for (const section of SECTIONS) {
      if (!wanted.has(section)) continue;
      const sectionStarted = performance.now();
      log(`bench: ${section}...`);
      add(section, await sections[section]());
      log(
        `bench: ${section} done in ${((performance.now() - sectionStarted) / 1000).toFixed(1)} s`,
      );
    }
  } finally {
    if (options.stack === undefined) {
      await Promise.all([stack.dynamo?.stop(), stack.kms?.stop()]);
    } else if (wanted.has('kms') || wanted.has('e2e')) {
      await dropBenchTables(options.stack.dynamo);
    }
  }
  const result: BenchResult = {
    date: new Date().toISOString(),
    machine: describeMachine(),
    settings,
    durationSeconds: (performance.now() - started) / 1000,
    figures,
    targets: checkTargets(TARGETS, figures),
    ...(absence === undefined
      ? {}
      : { peersAbsent: { peers: LIBRARY_PEER_KEYS, reason: absence } }),
  };
  if (options.only === undefined) {
    const missing = EXPECTED_FIGURES.filter((key) => !Number.isFinite(figures[key]));
    if (missing.length > 0)
      log(`bench: WARNING, figures missing or not numbers: ${missing.join(', ')}`);
  }
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  log('');
  log(renderReport(figures, result.targets));
  log('');
  log(`bench: ${result.durationSeconds.toFixed(0)} s; results in ${out}`);
  return result;
}

interface Stack {
  dynamo?: LocalDynamo;
  kms?: LocalKms;
}

async function startStack(
  wanted: ReadonlySet<Section>,
  log: (line: string) => void,
): Promise<Stack> {
  const needsDynamo = wanted.has('kms') || wanted.has('e2e');
  const needsKms = wanted.has('encryption') || wanted.has('kms') || wanted.has('size');
  if (needsDynamo) log('bench: starting DynamoDB Local...');
  const [dynamo, kms] = await Promise.all([
    needsDynamo ? LocalDynamo.start() : undefined,
    needsKms ? LocalKms.start() : undefined,
  ]);
  return { dynamo, kms };
}

async function ensureKey(kms: LocalKms): Promise<void> {
  try {
    await kms.createKey({ alias: KEY_ALIAS });
  } catch {
    // The alias exists already (a LocalKms shared with an earlier run): use that key.
  }
}

function need<T>(server: T | undefined): T {
  if (server === undefined)
    throw new Error('bench: a local server this section needs was not started');
  return server;
}

/**
 * The memory section in a process of its own when running compiled (`npm run bench`), so the
 * RSS it reports is the scan's and not what earlier sections left in the heap. Under ts-node
 * (the smoke test) it runs in place: a child would pay ts-node's start-up again.
 */
async function memoryInOwnProcess(settings: BenchSettings): Promise<Figures> {
  if (!__filename.endsWith('.js')) return memorySection(settings);
  const args = ['--expose-gc', __filename, MEMORY_CHILD, ...(settings.quick ? ['--quick'] : [])];
  const output = execFileSync(process.execPath, args, { encoding: 'utf8' });
  return JSON.parse(output.trim().split('\n').pop() ?? '{}') as Figures;
}

const MEMORY_CHILD = '--memory-child';

/** Builds dist/ when it is missing (the `bench` script builds it anyway), for start-up timing. */
function ensureBuilt(root: string, log: (line: string) => void): string {
  if (!existsSync(join(root, 'dist', 'index.js'))) {
    log('bench: building dist/ for the start-up section...');
    execFileSync(
      process.execPath,
      [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
      {
        cwd: root,
        stdio: 'inherit',
      },
    );
  }
  return root;
}

/** Deletes the tables the bench made in a DynamoDB Local it was lent. */
async function dropBenchTables(dynamo: LocalDynamo): Promise<void> {
  const { TableNames = [] } = await dynamo.client.send(new ListTablesCommand({}));
  for (const table of TableNames.filter((name) => name.startsWith('bench-'))) {
    await dynamo.client.send(new DeleteTableCommand({ TableName: table }));
  }
}

/** `node bench/run.js [--quick] [--out file] [--only a,b]` */
function parseArgs(argv: readonly string[]): BenchOptions {
  let quick = false;
  let out: string | undefined;
  let only: Section[] | undefined;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (arg === '--quick') quick = true;
    else if (arg === '--out') out = argv[(i += 1)];
    else if (arg === '--only') {
      only = (argv[(i += 1)] ?? '').split(',') as Section[];
      const unknown = only.filter((s) => !SECTIONS.includes(s));
      if (unknown.length > 0) throw new Error(`bench: unknown section ${unknown.join(', ')}`);
    } else
      throw new Error(
        `bench: unknown argument ${arg}; use --quick, --out <file>, --only <sections>`,
      );
  }
  return { quick, out, only };
}

if (require.main === module && process.argv.includes(MEMORY_CHILD)) {
  memorySection(process.argv.includes('--quick') ? QUICK : FULL).then(
    (figures) => {
      console.log(JSON.stringify(figures));
      process.exit(0);
    },
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
} else if (require.main === module) {
  runBench(parseArgs(process.argv.slice(2))).then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
