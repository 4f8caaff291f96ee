/**
 * Sizes of the reliability checks. `npm test` runs the fast settings; `THEORYDB_FUZZ_LONG=1`
 * (see docs/reliability.md) runs the sizes the issue requires. Each size can also be set on its
 * own through the environment variable named beside it.
 */
export const LONG = process.env.THEORYDB_FUZZ_LONG === '1';

function size(name: string, fast: number, long: number): number {
  const raw = process.env[name];
  if (raw !== undefined && raw !== '') {
    const value = Number(raw);
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new RangeError(`${name} must be a positive integer`);
    }
    return value;
  }
  return LONG ? long : fast;
}

export const SETTINGS = {
  /** Mutated envelopes written to DynamoDB Local and read through `repo.find`. */
  envelopeMutations: size('THEORYDB_FUZZ_ENVELOPES', 1_500, 10_000),
  /** Random and mutated inputs fed straight to the envelope decoder. */
  parserInputs: size('THEORYDB_FUZZ_PARSER', 100_000, 100_000),
  /** fast-check runs of each property test against DynamoDB Local. */
  propertyRuns: size('THEORYDB_PROPERTY_RUNS', 150, 1_000),
  /** fast-check runs of the in-process property tests (no network). */
  unitPropertyRuns: size('THEORYDB_UNIT_PROPERTY_RUNS', 1_000, 1_000),
  /** Concurrent writers doing read-modify-write on versioned items. */
  writers: size('THEORYDB_WRITERS', 20, 50),
  /** Read-modify-write operations per writer. */
  operationsPerWriter: size('THEORYDB_OPS_PER_WRITER', 20, 200),
  /** Rounds of randomised DynamoDB fault storms per batch operation. */
  stormRounds: size('THEORYDB_STORM_ROUNDS', 6, 40),
} as const;

/** A mocha timeout that grows with the work: `perUnitMs` per unit plus a fixed allowance. */
export function timeoutFor(units: number, perUnitMs: number, baseMs = 30_000): number {
  return baseMs + Math.ceil(units * perUnitMs);
}
