/**
 * Argo Rollouts' AnalysisRun, emulated on a scenario.
 *
 * Follows argoproj/argo-rollouts `analysis/analysis.go` (assessMetric: a metric is Failed when
 * `failed > failureLimit`, Error when `consecutiveErrors > consecutiveErrorLimit` (default 4),
 * and a Failed or Error metric fails the run, which aborts the rollout back to the stable
 * version) and `metricproviders/prometheus/prometheus.go` (the query result is evaluated with
 * `successCondition`; an empty result makes `result[0]` fail to evaluate, an Error measurement),
 * and the "Analysis" docs (argoproj.github.io/argo-rollouts/features/analysis).
 *
 * Each metric is measured every `interval` (1m) over the minute that just ended, each with its
 * own counters: success rate (`result[0] >= min`), p99 duration (`result[0] <= max`), and where
 * exported memory, ready pods and restarts (tuning.ts `minuteChecks`). A successful or failed
 * measurement resets the consecutive-error count. Thresholds are tuned by `tuneThresholds`.
 */
import type { Scenario } from '@rollgate/testkit/scenarios';
import { bakeMinutes } from './minute-windows';
import { type Decision, kept } from './peer-decision';
import { minuteChecks, type PeerThresholds, tuneThresholds } from './tuning';

export interface ArgoRolloutsOptions {
  /** `failureLimit`: failed measurements tolerated (the run fails at failureLimit + 1). */
  readonly failureLimit: number;
  /** `consecutiveErrorLimit` (Argo's default 4). */
  readonly consecutiveErrorLimit?: number;
  readonly thresholds?: PeerThresholds;
}

/** Argo Rollouts' decision on a scenario (see the file comment). */
export function argoRollouts(scenario: Scenario, options: ArgoRolloutsOptions): Decision {
  const thresholds = options.thresholds ?? tuneThresholds(scenario);
  const errorLimit = options.consecutiveErrorLimit ?? 4;
  const failed = new Map<string, number>();
  const consecutiveErrors = new Map<string, number>();
  for (const minute of bakeMinutes(scenario)) {
    for (const check of minuteChecks(minute, thresholds)) {
      if (check.outcome === 'no-data') {
        const errors = (consecutiveErrors.get(check.metric) ?? 0) + 1;
        consecutiveErrors.set(check.metric, errors);
        if (errors > errorLimit) {
          return {
            decision: 'rollback',
            decidedAtStep: minute.to,
            signal: 'no-data',
            reason: `${check.metric}: ${errors} consecutive Error measurements > consecutiveErrorLimit ${errorLimit}`,
          };
        }
        continue;
      }
      consecutiveErrors.set(check.metric, 0);
      if (check.outcome === 'fail') {
        const count = (failed.get(check.metric) ?? 0) + 1;
        failed.set(check.metric, count);
        if (count > options.failureLimit) {
          return {
            decision: 'rollback',
            decidedAtStep: minute.to,
            signal: check.signal,
            reason: `${check.metric}: ${count} failed measurements > failureLimit ${options.failureLimit}; ${check.detail}`,
          };
        }
      }
    }
  }
  return kept('analysis run completed without exceeding failureLimit or consecutiveErrorLimit');
}
