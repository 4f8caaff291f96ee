/** Sizes of every section. `full` is what `npm run bench` runs; `quick` only proves it works. */
export interface BenchSettings {
  readonly quick: boolean;
  /** Interleaved rounds for the client-side comparisons (sections 1 and 2). */
  readonly cpu: { rounds: number; warmup: number; ops: number; queryOps: number; mapOps: number };
  /** Counts of the KMS section (3). */
  readonly kms: { sequential: number; concurrent: number; batch: number; query: number };
  /**
   * Rounds against DynamoDB Local (section 4). One operation per contender per round: the server
   * (a JVM with GC pauses) and the shared machine vary from one batch to the next by 2x, so pairs
   * of single operations side by side, and their median, are the steadiest comparison.
   */
  readonly e2e: {
    warmup: number;
    putRounds: number;
    getRounds: number;
    queryRounds: number;
    queryItems: number;
    /** Requests sent before measuring, to let DynamoDB Local's JIT settle. */
    serverWarmup: number;
  };
  /** The scan of the memory section (5). */
  readonly memory: { items: number; pageItems: number };
  /** Child processes timed by the start-up section (7). */
  readonly startup: { runs: number };
}

export const FULL: BenchSettings = {
  quick: false,
  cpu: { rounds: 61, warmup: 5, ops: 100, queryOps: 40, mapOps: 10_000 },
  kms: { sequential: 1000, concurrent: 200, batch: 1000, query: 1000 },
  e2e: {
    warmup: 30,
    putRounds: 500,
    getRounds: 500,
    queryRounds: 150,
    queryItems: 100,
    serverWarmup: 1500,
  },
  memory: { items: 100_000, pageItems: 1000 },
  startup: { runs: 7 },
};

export const QUICK: BenchSettings = {
  quick: true,
  cpu: { rounds: 3, warmup: 1, ops: 20, queryOps: 10, mapOps: 500 },
  kms: { sequential: 30, concurrent: 20, batch: 60, query: 60 },
  e2e: {
    warmup: 1,
    putRounds: 3,
    getRounds: 3,
    queryRounds: 2,
    queryItems: 10,
    serverWarmup: 5,
  },
  memory: { items: 3000, pageItems: 500 },
  startup: { runs: 1 },
};
