/**
 * Flagger's canary analysis, emulated on a scenario.
 *
 * Follows fluxcd/flagger `pkg/controller/scheduler.go` (advanceCanary) and
 * `pkg/controller/scheduler_metrics.go` (runBuiltinMetricChecks / runMetricChecks), and the docs
 * "Canary analysis" and "Metrics analysis" (docs.flagger.app/usage/metrics):
 * - every `interval` (1m) the scheduler first checks `FailedChecks >= analysis.threshold` and
 *   rolls back if so, then runs the metric checks; the first metric outside its
 *   `thresholdRange` fails the whole check and increments FailedChecks. FailedChecks is not reset
 *   by a later passing check, so the count is cumulative over the analysis. The rollback thus
 *   lands on the tick after the threshold-th failed check.
 * - the built-in `request-success-rate` (min, percent of non-5xx) and `request-duration`
 *   (max p99 in ms, `histogram_quantile(0.99, ...)` over the interval) checks; a query that
 *   returns no value ("no values found ... probably not receiving traffic") fails the check.
 * - custom MetricTemplates for memory, ready pods and restarts (tuning.ts `minuteChecks`).
 *
 * Simplifications: the new version serves the scenario's traffic from the deploy (no traffic
 * weights), checks start with the first complete minute after the deploy, and a rollback that
 * would land after the last step of the scenario is not taken (the bake is over).
 * Thresholds are tuned per service by `tuneThresholds` (tuning.ts).
 */
import type { Scenario } from '@rollgate/testkit/scenarios';
import { bakeMinutes } from './minute-windows';
import { type Decision, kept } from './peer-decision';
import { minuteChecks, type PeerThresholds, tuneThresholds } from './tuning';

export interface FlaggerOptions {
  /** `analysis.threshold`: failed checks before rollback (e.g. 1 or 5). */
  readonly threshold: number;
  /** Override the tuned thresholds. */
  readonly thresholds?: PeerThresholds;
}

/** Flagger's decision on a scenario (see the file comment). */
export function flagger(scenario: Scenario, options: FlaggerOptions): Decision {
  const thresholds = options.thresholds ?? tuneThresholds(scenario);
  const minutes = bakeMinutes(scenario);
  let failedChecks = 0;
  let last: { signal: string; detail: string } | null = null;
  for (const minute of minutes) {
    if (failedChecks >= options.threshold && last) {
      return {
        decision: 'rollback',
        decidedAtStep: minute.to,
        signal: last.signal,
        reason: `${failedChecks} failed checks >= threshold ${options.threshold}; last: ${last.detail}`,
      };
    }
    const failing = minuteChecks(minute, thresholds).find((c) => c.outcome !== 'pass');
    if (failing) {
      failedChecks++;
      last = {
        signal: failing.outcome === 'no-data' ? 'no-data' : failing.signal,
        detail: `${failing.metric}: ${failing.outcome === 'no-data' ? 'no values found' : failing.detail}`,
      };
    }
  }
  return kept(
    failedChecks >= options.threshold
      ? `threshold reached at the last check; the rollback tick falls after the bake`
      : `${failedChecks} failed checks < threshold ${options.threshold}`,
  );
}
