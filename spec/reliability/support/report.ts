import { appendFileSync } from 'node:fs';

/**
 * Appends one line of JSON with a check's figures to the file named by
 * `THEORYDB_RELIABILITY_REPORT`, when set; docs/reliability.md is written from those lines. Does
 * nothing otherwise, so `npm test` prints nothing extra.
 *
 * @example
 * ```ts
 * recordFigures('envelope-fuzz', { mutations: 10_000, leaksFound: 0 });
 * ```
 */
export function recordFigures(check: string, figures: Record<string, unknown>): void {
  const file = process.env.THEORYDB_RELIABILITY_REPORT;
  if (file === undefined || file === '') return;
  const line = JSON.stringify({ check, at: new Date().toISOString(), ...figures }, (_k, v) =>
    typeof v === 'bigint' ? v.toString() : (v as unknown),
  );
  appendFileSync(file, `${line}\n`);
}
