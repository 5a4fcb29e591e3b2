import type { AuditPoint } from '../../audit/audit-record';
import type { Evaluation } from '../../evaluation/evaluator';
import { finiteOrNull, partialReadWarnings } from '../../rules/verdict';
import type { MachineSnapshot } from '../machine-state';
import { iso } from '../machine-steps';

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
  const series: Record<string, readonly AuditPoint[]> = { ...s.series };
  // One time string for the evaluation's points, shared by every signal's point (a watch keeps
  // 60 points per signal in memory, each with its time).
  const at = iso(evaluation.at);
  for (const summary of evaluation.signals) {
    const v = summary.verdicts.find((x) => x.segment === undefined) ?? summary.verdicts[0];
    if (!v) continue;
    const point: AuditPoint = {
      at,
      phase: evaluation.purpose,
      rule: v.rule,
      status: v.status,
      value: finiteOrNull(v.value),
      threshold: finiteOrNull(v.threshold),
      ...(v.statistic ? { statistic: finiteOrNull(v.statistic.value) } : {}),
      ...partialReadWarnings(summary.verdicts),
    };
    const points = [...(series[summary.signal] ?? []), point];
    series[summary.signal] = points.length > MAX_SERIES_POINTS ? points.slice(-MAX_SERIES_POINTS) : points;
  }
  return { ...s, series, lastDecision: evaluation.decision };
}
