/** Figures of one section, by key (`save.theorydbOpsPerSec`, ...): all numbers. */
export type Figures = Record<string, number>;

/** A figure a target is checked against. */
export interface Target {
  readonly id: string;
  /** What must hold, in words, for the report. */
  readonly description: string;
  /** The figure key (in the whole result, `section.key`). */
  readonly figure: string;
  readonly comparison: 'atLeast' | 'atMost' | 'equal';
  readonly threshold: number;
}

/** A target with the value measured. */
export interface TargetResult extends Target {
  readonly measured: number;
  readonly met: boolean;
}

/** Checks every target against the figures (`section.key` → value). */
export function checkTargets(
  targets: readonly Target[],
  figures: Readonly<Record<string, number>>,
): TargetResult[] {
  return targets.map((target) => {
    const measured = figures[target.figure] ?? Number.NaN;
    const met =
      target.comparison === 'atLeast'
        ? measured >= target.threshold
        : target.comparison === 'atMost'
          ? measured <= target.threshold
          : measured === target.threshold;
    return { ...target, measured, met };
  });
}
