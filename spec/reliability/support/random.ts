import { randomInt } from 'node:crypto';

/** A small seeded PRNG, so a failing fuzz run can be replayed from its seed. */
export interface Random {
  readonly seed: number;
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [0, n). */
  int(n: number): number;
  /** An integer in [low, high], both included. */
  range(low: number, high: number): number;
  /** True with probability `p`. */
  chance(p: number): boolean;
  pick<T>(values: readonly T[]): T;
  bytes(length: number): Buffer;
}

/**
 * mulberry32: 32 bits of state, good enough to spread mutations, and fully determined by `seed`.
 *
 * @example
 * ```ts
 * const rng = seededRandom(42);
 * rng.int(10); // always the same sequence for seed 42
 * ```
 */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number): number => Math.floor(next() * n);
  return {
    seed,
    next,
    int,
    range: (low, high) => low + int(high - low + 1),
    chance: (p) => next() < p,
    pick: (values) => values[int(values.length)],
    bytes: (length) => {
      const out = Buffer.alloc(length);
      for (let i = 0; i < length; i += 1) out[i] = int(256);
      return out;
    },
  };
}

/**
 * The seed of a fuzz run: `THEORYDB_FUZZ_SEED` when set (to replay a failure), otherwise random.
 * Every failure message of the fuzzers names it.
 */
export function fuzzSeed(): number {
  const fromEnv = process.env.THEORYDB_FUZZ_SEED;
  if (fromEnv !== undefined && fromEnv !== '') {
    const seed = Number(fromEnv);
    if (!Number.isSafeInteger(seed)) throw new RangeError('THEORYDB_FUZZ_SEED must be an integer');
    return seed >>> 0;
  }
  return randomInt(0, 2 ** 31);
}

/** Waits for the event loop to turn: long synchronous loops call it so timers and I/O run. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
