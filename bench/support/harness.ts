import { median } from './stats';

/** One side of a comparison: runs `ops` operations of its kind, one after another. */
export interface Contender {
  readonly name: string;
  readonly batch: (ops: number) => Promise<void> | void;
}

/** How a comparison is run. */
export interface CompareSettings {
  /** Rounds recorded. Each round runs every contender's batch once. */
  readonly rounds: number;
  /** Rounds run first and thrown away (JIT warm-up, connection pools, caches). */
  readonly warmup: number;
  /** Operations per batch. */
  readonly ops: number;
}

/** What a comparison measured, per contender: operations per second in each recorded round. */
export interface Measured {
  readonly samples: ReadonlyMap<string, readonly number[]>;
}

declare const gc: (() => void) | undefined;

/** Collects garbage when node runs with --expose-gc, so a comparison starts from a clean heap. */
export function collectGarbage(): void {
  if (typeof gc === 'function') gc();
}

/**
 * Runs the contenders interleaved: every round runs each contender's batch once, so a slow moment
 * of a shared, noisy machine falls on all of them alike. The order is shuffled every round (with
 * a fixed seed, so runs are repeatable): with a fixed rotation, each contender always ran right
 * after the same neighbour and paid for that neighbour's garbage (measured: a 10-15% bias in the
 * end-to-end table). The first `warmup` rounds are not recorded.
 */
export async function compare(
  contenders: readonly Contender[],
  settings: CompareSettings,
): Promise<Measured> {
  const samples = new Map<string, number[]>(contenders.map((c) => [c.name, []]));
  const random = seededRandom(0x7e0d);
  // Once per comparison, not per batch: a forced full collection also drops compiled code and
  // shrinks the heap, which made every batch after it slower (measured: about 2.5x).
  collectGarbage();
  for (let round = 0; round < settings.warmup + settings.rounds; round += 1) {
    const order = shuffled(contenders, random);
    for (const contender of order) {
      const started = performance.now();
      await contender.batch(settings.ops);
      const seconds = (performance.now() - started) / 1000;
      if (round >= settings.warmup) samples.get(contender.name)?.push(settings.ops / seconds);
    }
  }
  return { samples };
}

/** The median throughput (operations per second) of a contender. */
export function medianOps(measured: Measured, name: string): number {
  return median(samplesOf(measured, name));
}

/**
 * The median over rounds of `a`'s throughput divided by `b`'s in the same round: the figure the
 * targets are stated in. Pairing by round cancels most of the machine's drift.
 */
export function ratio(measured: Measured, a: string, b: string): number {
  const as = samplesOf(measured, a);
  const bs = samplesOf(measured, b);
  return median(as.map((value, i) => value / bs[i]));
}

function samplesOf(measured: Measured, name: string): readonly number[] {
  const samples = measured.samples.get(name);
  if (samples === undefined) throw new Error(`no contender named ${name}`);
  return samples;
}

/** A copy of `items` in random order (Fisher-Yates). */
function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy;
}

/** A small deterministic PRNG (mulberry32): numbers in [0, 1). */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
