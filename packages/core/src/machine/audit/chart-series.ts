import type { Evaluation } from '../../evaluation/evaluator';
import { finiteOrNull, partialReadWarnings } from '../../rules/verdict';
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
  const series: Record<string, ChartColumns> = { ...s.series };
  // The evaluation's time as its points' `at` says it (`iso` truncates to the millisecond), so
  // the column holds the instant the point object held.
  const at = iso(evaluation.at);
  const t = Date.parse(at);
  for (const summary of evaluation.signals) {
    const v = summary.verdicts.find((x) => x.segment === undefined) ?? summary.verdicts[0];
    if (!v) continue;
    const before = series[summary.signal] ?? ChartColumns.EMPTY;
    const warnings = partialReadWarnings(summary.verdicts);
    const statistic = v.statistic ? { statistic: finiteOrNull(v.statistic.value) } : {};
    // A point with warnings is kept as its object (the columns have no field for them).
    const fields = {
      phase: evaluation.purpose,
      rule: v.rule,
      status: v.status,
      value: finiteOrNull(v.value),
      threshold: finiteOrNull(v.threshold),
      ...statistic,
    };
    const points =
      warnings.warnings === undefined
        ? before.appendFields({ t, ...fields })
        : before.append({ at, ...fields, ...warnings });
    series[summary.signal] = points.length > MAX_SERIES_POINTS ? points.newest(MAX_SERIES_POINTS) : points;
  }
  return { ...s, series, lastDecision: evaluation.decision };
}
