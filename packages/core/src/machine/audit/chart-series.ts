import type { Evaluation } from '../../evaluation/evaluator';
import { finiteOrNull, partialReadWarnings, type Verdict } from '../../rules/verdict';
import type { MachineSnapshot } from '../machine-state';
import { iso } from '../machine-steps';
import { ChartColumns } from './chart-columns';

/**
 * A backstop on the points kept per signal for the report's charts; the controller thins every
 * series to 60 points before each save (`audit-series-bound.ts`), so this is reached only by a
 * machine driven without a controller.
 */
const MAX_SERIES_POINTS = 2_000;

/**
 * Appends this evaluation's per-signal point (the first aggregate verdict) to the chart series
 * the audit record carries, and keeps the evaluation's decision as the last one.
 */
export function recordEvaluation(s: MachineSnapshot, evaluation: Evaluation): MachineSnapshot {
  return { ...s, series: appendEvaluation(s.series, evaluation), lastDecision: evaluation.decision };
}

/**
 * The chart series of {@link recordEvaluation} alone, so a transition that also replaces the
 * watch state and the pending commands copies the snapshot once (rollback-machine.ts).
 */
export function appendEvaluation(
  before: MachineSnapshot['series'],
  evaluation: Evaluation,
): Record<string, ChartColumns> {
  const series: Record<string, ChartColumns> = { ...before };
  // The evaluation's time as its points' `at` says it (`iso` truncates to the millisecond), so
  // the column holds the instant the point object held; the text itself only for a point kept
  // as its object (one with warnings), not at every evaluation.
  const t = isoMillis(evaluation.at);
  let first: ChartColumns | undefined;
  for (const summary of evaluation.signals) {
    const v = aggregateVerdict(summary.verdicts);
    if (!v) continue;
    const before = series[summary.signal] ?? ChartColumns.EMPTY;
    // The warnings' Set only for a signal with a partial read (almost never).
    const warnings = anyPartialRead(summary.verdicts) ? partialReadWarnings(summary.verdicts) : NO_WARNINGS;
    const phase = evaluation.purpose;
    const value = finiteOrNull(v.value);
    const threshold = finiteOrNull(v.threshold);
    // One object per point, its keys in the order the point object has them (a point with
    // warnings is kept as its object: the columns have no field for them).
    const points =
      warnings.warnings !== undefined
        ? before.append({
            at: iso(evaluation.at),
            phase,
            rule: v.rule,
            status: v.status,
            value,
            threshold,
            ...(v.statistic ? { statistic: finiteOrNull(v.statistic.value) } : {}),
            ...warnings,
          })
        : v.statistic
          ? before.appendFields({
              t,
              phase,
              rule: v.rule,
              status: v.status,
              value,
              threshold,
              statistic: finiteOrNull(v.statistic.value),
            })
          : before.appendFields({ t, phase, rule: v.rule, status: v.status, value, threshold });
    const kept = points.length > MAX_SERIES_POINTS ? points.newest(MAX_SERIES_POINTS) : points;
    // One column of times for the signals whose points are at the same times (all of them, at
    // most steps): see `ChartColumns.withTimesOf`.
    first ??= kept;
    series[summary.signal] = kept === first ? kept : kept.withTimesOf(first);
  }
  return series;
}

const NO_WARNINGS: { warnings?: string[] } = Object.freeze({});

/** Whether a verdict is a partial read (`partialReadWarnings` finds warnings only in those). */
function anyPartialRead(verdicts: readonly Verdict[]): boolean {
  for (const v of verdicts) if (v.error?.code === 'SOURCE_PARTIAL_DATA') return true;
  return false;
}

/** A signal's chart verdict: its first aggregate one (no segment), else its first. */
function aggregateVerdict(verdicts: readonly Verdict[]): Verdict | undefined {
  for (const v of verdicts) if (v.segment === undefined) return v;
  return verdicts[0];
}

/** The largest time value a Date holds (ECMA-262 TimeClip): 100,000,000 days either side of 1970. */
const MAX_TIME_MS = 8.64e15;

/**
 * `Date.parse(iso(ms))` without the text: a Date truncates its time value to an integer towards
 * zero (TimeClip, +0 for -0), and its ISO text reads back as that integer. A time a Date cannot
 * hold goes through `iso`, which throws for it as it always did.
 */
export function isoMillis(ms: number): number {
  if (!(Math.abs(ms) <= MAX_TIME_MS)) return Date.parse(iso(ms));
  return Math.trunc(ms) + 0;
}
