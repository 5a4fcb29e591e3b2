import type { ControllerDecision } from '../machine/state-table';
import { quantile } from '../stats/order-statistics';
import type { Scenario } from './scenario-schema';

/** One controller's outcome on one scenario (the `backtest --json` line, minus the extras). */
export interface DecisionRecord {
  readonly name: string;
  readonly decision: ControllerDecision;
  /** The step at which it decided; `null` when it never decided (kept by default). */
  readonly decidedAtStep: number | null;
}

/** The parts of a scenario that scoring reads. */
export type ScoredScenario = Pick<Scenario, 'name' | 'stepSeconds' | 'truth'>;

/** How one scenario was scored. */
export interface ScenarioOutcome {
  readonly name: string;
  readonly verdict: Scenario['truth']['verdict'];
  readonly decision: ControllerDecision;
  readonly decidedAtStep: number | null;
  /** A `rollback` scenario that was rolled back. */
  readonly detected: boolean;
  /** A `keep` or `incident` scenario that was rolled back. */
  readonly falseRollback: boolean;
  /** An `incident` scenario routed to an incident (and not rolled back). */
  readonly incidentRouted: boolean;
  /** `(decidedAtStep - faultStartStep) * stepSeconds` for a detection at or after the fault start. */
  readonly delaySeconds: number | null;
  /** Rolled back before the fault began: counted as detected, kept out of the delays. */
  readonly early: boolean;
  /** No record was given for this scenario: scored as `keep`. */
  readonly missing: boolean;
}

/** The FORMAT.md scores of a set of scenarios. */
export interface DecisionScore {
  readonly scenarios: number;
  readonly rollbackScenarios: number;
  readonly detected: number;
  /** detected / rollbackScenarios; `null` when there is no rollback scenario. */
  readonly detectionRate: number | null;
  readonly keepScenarios: number;
  /** Count of `keep` and `incident` scenarios that were rolled back. */
  readonly falseRollbacks: number;
  readonly incidentScenarios: number;
  readonly incidentsRouted: number;
  /** incidentsRouted / incidentScenarios; `null` when there is no incident scenario. */
  readonly incidentRoutingRate: number | null;
  /** Delays of the detections (seconds), in scenario order. */
  readonly delaysSeconds: readonly number[];
  readonly delayMedianSeconds: number | null;
  readonly delayP95Seconds: number | null;
  /** Rollback scenarios rolled back before their fault began. */
  readonly earlyRollbacks: readonly string[];
  /** Scenarios with no record (scored as `keep`). */
  readonly missingRecords: readonly string[];
  /** Records naming no given scenario (ignored). */
  readonly unknownRecords: readonly string[];
  readonly outcomes: readonly ScenarioOutcome[];
}

/**
 * Scores decisions against the ground truth as FORMAT.md defines it: detection rate (share of
 * `rollback` scenarios rolled back), false rollbacks (`keep` and `incident` scenarios rolled
 * back), detection delay median and p95 over detected scenarios, incident routing (share of
 * `incident` scenarios routed to an incident). `escalate` is neither a rollback nor an incident
 * route. A rollback decided before the fault started counts as detected (FORMAT.md) but its
 * negative delay is left out of the delay statistics and the scenario is listed in
 * `earlyRollbacks`, so a lucky false alarm does not flatter the delays.
 */
export function scoreDecisions(
  scenarios: readonly ScoredScenario[],
  records: readonly DecisionRecord[],
): DecisionScore {
  const byName = new Map<string, DecisionRecord>();
  for (const r of records) byName.set(r.name, r);
  const known = new Set(scenarios.map((s) => s.name));

  const outcomes: ScenarioOutcome[] = scenarios.map((s) => {
    const record = byName.get(s.name);
    const decision: ControllerDecision = record?.decision ?? 'keep';
    const decidedAtStep = record?.decidedAtStep ?? null;
    const rolledBack = decision === 'rollback';
    const verdict = s.truth.verdict;
    const start = s.truth.faultStartStep;
    let delaySeconds: number | null = null;
    let early = false;
    if (verdict === 'rollback' && rolledBack && start !== null && decidedAtStep !== null) {
      if (decidedAtStep < start) early = true;
      else delaySeconds = (decidedAtStep - start) * s.stepSeconds;
    }
    return {
      name: s.name,
      verdict,
      decision,
      decidedAtStep,
      detected: verdict === 'rollback' && rolledBack,
      falseRollback: verdict !== 'rollback' && rolledBack,
      incidentRouted: verdict === 'incident' && decision === 'incident',
      delaySeconds,
      early,
      missing: record === undefined,
    };
  });

  const count = (p: (o: ScenarioOutcome) => boolean) => outcomes.filter(p).length;
  const rollbackScenarios = count((o) => o.verdict === 'rollback');
  const incidentScenarios = count((o) => o.verdict === 'incident');
  const detected = count((o) => o.detected);
  const incidentsRouted = count((o) => o.incidentRouted);
  const delaysSeconds = outcomes.flatMap((o) => (o.delaySeconds === null ? [] : [o.delaySeconds]));
  return {
    scenarios: outcomes.length,
    rollbackScenarios,
    detected,
    detectionRate: rollbackScenarios === 0 ? null : detected / rollbackScenarios,
    keepScenarios: count((o) => o.verdict === 'keep'),
    falseRollbacks: count((o) => o.falseRollback),
    incidentScenarios,
    incidentsRouted,
    incidentRoutingRate: incidentScenarios === 0 ? null : incidentsRouted / incidentScenarios,
    delaysSeconds,
    delayMedianSeconds: quantile(delaysSeconds, 0.5),
    delayP95Seconds: quantile(delaysSeconds, 0.95),
    earlyRollbacks: outcomes.filter((o) => o.early).map((o) => o.name),
    missingRecords: outcomes.filter((o) => o.missing).map((o) => o.name),
    unknownRecords: records.filter((r) => !known.has(r.name)).map((r) => r.name),
    outcomes,
  };
}
