import {
  type DecisionRecord,
  type DecisionScore,
  type GeneratorMeta,
  loadScenarios,
  quantile,
  type Scenario,
  scoreDecisions,
} from '@rollgate/testkit/scenarios';
import type { Decision } from '../peers/peer-decision';
import { PEERS, type PeerController } from '../peers/peers';
import type { BenchModule, BenchSection } from '../section';

export type { Decision } from '../peers/peer-decision';

/** Name of the scenario that docs/benchmarks.md uses as the reference case (0.5% → 3% at 10 req/s). */
export const REFERENCE_CASE = 'rollback-errors-reference-10rps';

export interface DecisionQualityOptions {
  /** Rollgate's decision on one scenario (the lead wires the evaluator in). */
  readonly rollgate: (scenario: Scenario) => Promise<Decision> | Decision;
  /** Files or directories of scenarios (e.g. bench/scenarios and packages/testkit/scenarios/examples). */
  readonly scenarioDirs: readonly string[];
  /** Peer rules to compare with; the default is every emulation in peers.ts. */
  readonly peers?: readonly PeerController[];
  /** Row label of the injected controller. */
  readonly rollgateName?: string;
}

/** One controller's decisions and scores over the corpus. */
export interface ControllerResult {
  readonly name: string;
  readonly decisions: ReadonlyMap<string, Decision>;
  readonly score: DecisionScore;
  /** Per error-rate rollback scenario: delay / SPRT expected time (Infinity when missed). */
  readonly sprtRatios: readonly number[];
  readonly sprtRatioMedian: number | null;
}

/** Everything the section prints, for tests and for other reports. */
export interface DecisionQualityResult {
  readonly scenarios: readonly { readonly scenario: Scenario; readonly meta: GeneratorMeta | null }[];
  readonly loadFailures: readonly string[];
  readonly controllers: readonly ControllerResult[];
}

function ratiosToSprt(
  scenarios: DecisionQualityResult['scenarios'],
  decisions: ReadonlyMap<string, Decision>,
): number[] {
  const ratios: number[] = [];
  for (const { scenario, meta } of scenarios) {
    const sprt = meta?.sprt_seconds;
    const start = scenario.truth.faultStartStep;
    if (scenario.truth.verdict !== 'rollback' || sprt === undefined || start === null) continue;
    const d = decisions.get(scenario.name);
    if (d?.decision === 'rollback' && d.decidedAtStep !== null && d.decidedAtStep >= start) {
      ratios.push(((d.decidedAtStep - start) * scenario.stepSeconds) / sprt);
    } else {
      ratios.push(Number.POSITIVE_INFINITY);
    }
  }
  return ratios;
}

function medianWithInfinity(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = (sorted.length - 1) / 2;
  const lo = sorted[Math.floor(mid)] as number;
  const hi = sorted[Math.ceil(mid)] as number;
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return Number.isFinite(lo) ? hi : lo;
  return quantile(sorted, 0.5);
}

function result(
  name: string,
  scenarios: DecisionQualityResult['scenarios'],
  decisions: Map<string, Decision>,
): ControllerResult {
  const records: DecisionRecord[] = [...decisions].map(([n, d]) => ({
    name: n,
    decision: d.decision,
    decidedAtStep: d.decidedAtStep,
  }));
  const score = scoreDecisions(
    scenarios.map((s) => s.scenario),
    records,
  );
  const sprtRatios = ratiosToSprt(scenarios, decisions);
  return { name, decisions, score, sprtRatios, sprtRatioMedian: medianWithInfinity(sprtRatios) };
}

/**
 * Runs Rollgate and every peer over the scenarios and scores them (FORMAT.md). A scenario file
 * that does not load is reported and skipped; a Rollgate call that throws counts as `escalate`.
 */
export async function runDecisionQuality(options: DecisionQualityOptions): Promise<DecisionQualityResult> {
  const loaded = await loadScenarios([...options.scenarioDirs]);
  const scenarios = loaded.flatMap((r) => (r.ok ? [{ scenario: r.scenario, meta: r.meta }] : []));
  const loadFailures = loaded.flatMap((r) => (r.ok ? [] : r.errors));

  const rollgate = new Map<string, Decision>();
  for (const { scenario } of scenarios) {
    try {
      rollgate.set(scenario.name, await options.rollgate(scenario));
    } catch (error) {
      rollgate.set(scenario.name, {
        decision: 'escalate',
        decidedAtStep: null,
        signal: null,
        reason: `controller threw: ${error instanceof Error ? error.message : String(error)}`,
      });
    }
  }
  const controllers: ControllerResult[] = [result(options.rollgateName ?? 'Rollgate', scenarios, rollgate)];
  for (const peer of options.peers ?? PEERS) {
    const decisions = new Map<string, Decision>();
    for (const { scenario } of scenarios) decisions.set(scenario.name, peer.decide(scenario));
    controllers.push(result(peer.name, scenarios, decisions));
  }
  return { scenarios, loadFailures, controllers };
}

const pct = (x: number | null) => (x === null ? 'n/a' : `${(100 * x).toFixed(1)}%`);
const secs = (x: number | null) => (x === null ? 'n/a' : x.toFixed(0));
const ratio = (x: number | null) => (x === null ? 'n/a' : Number.isFinite(x) ? x.toFixed(2) : '∞');

function cell(scenario: Scenario, d: Decision | undefined): string {
  if (!d) return 'none';
  const start = scenario.truth.faultStartStep;
  if (d.decision === 'rollback') {
    if (scenario.truth.verdict !== 'rollback') return 'rollback (false)';
    if (d.decidedAtStep !== null && start !== null) {
      const delay = (d.decidedAtStep - start) * scenario.stepSeconds;
      return delay < 0 ? `rollback (early, ${delay} s)` : `rollback +${delay} s`;
    }
    return 'rollback';
  }
  if (scenario.truth.verdict === 'rollback') return `${d.decision} (missed)`;
  return d.decision;
}

/** The tables of a finished run. */
export function decisionQualitySections(r: DecisionQualityResult): BenchSection[] {
  const first = r.controllers[0];
  const counts = first
    ? `${first.score.scenarios} scenarios: ${first.score.rollbackScenarios} rollback, ${first.score.keepScenarios} keep, ${first.score.incidentScenarios} incident`
    : 'no scenarios';
  const summary: BenchSection = {
    title: 'Decision quality: Rollgate and peer rules on the scenario corpus',
    description:
      `Each controller decides every scenario of bench/scenarios and the shared examples (packages/testkit/scenarios/examples; ${counts}). ` +
      'Peers are emulations of Flagger, Argo Rollouts and Kayenta decision rules with thresholds tuned per service ' +
      'from the pre-deploy window (bench/README.md). Delays are from the fault onset to the decision.',
    columns: [
      'Controller',
      'Detection rate',
      'False rollbacks',
      'Incidents routed',
      'Median delay (s)',
      'p95 delay (s)',
      'Median delay / SPRT (error faults)',
    ],
    rows: r.controllers.map((c) => [
      c.name,
      `${pct(c.score.detectionRate)} (${c.score.detected}/${c.score.rollbackScenarios})`,
      c.score.falseRollbacks,
      `${c.score.incidentsRouted}/${c.score.incidentScenarios}`,
      secs(c.score.delayMedianSeconds),
      secs(c.score.delayP95Seconds),
      `${ratio(c.sprtRatioMedian)} (n=${c.sprtRatios.length})`,
    ]),
    notes: [
      "Median delay / SPRT: per error-rate rollback scenario, detection delay divided by Wald's expected SPRT " +
        "detection time (alpha = beta = 0.01, `sprt_seconds` in _meta.json) with the rates known: on the segment's own " +
        "traffic for a segment fault, and for a ramp the time its expected log-likelihood ratio reaches Wald's bound " +
        "as the rate climbs (not the final rate's figure, which would credit the SPRT with a fault not yet there). " +
        'A missed fault counts as infinite.',
      earlyRollbacksNote(r),
      ...rollgateTargets(r),
      ...(r.loadFailures.length > 0 ? [`Scenario files not loaded: ${r.loadFailures.join(' | ')}`] : []),
    ],
  };
  const detail: BenchSection = {
    title: 'Decision quality: per scenario',
    description: 'Decision of each controller on each scenario; "+N s" is the delay after the fault onset.',
    columns: ['Scenario', 'Truth', ...r.controllers.map((c) => c.name)],
    rows: r.scenarios.map(({ scenario }) => [
      scenario.name,
      scenario.truth.verdict,
      ...r.controllers.map((c) => cell(scenario, c.decisions.get(scenario.name))),
    ]),
  };
  return [summary, detail];
}

/** Rollbacks decided before the fault began: detected by FORMAT.md's rule, but not in the delays. */
function earlyRollbacksNote(r: DecisionQualityResult): string {
  const early = r.controllers
    .filter((c) => c.score.earlyRollbacks.length > 0)
    .map((c) => `${c.name}: ${c.score.earlyRollbacks.join(', ')}`);
  return early.length > 0
    ? `A rollback decided before the fault began counts as detected (FORMAT.md) but not in the delays: ${early.join('; ')}.`
    : 'A rollback decided before the fault began would count as detected (FORMAT.md) but not in the delays; none happened.';
}

/** The issue's targets, checked for the injected controller. */
function rollgateTargets(r: DecisionQualityResult): string[] {
  const c = r.controllers[0];
  if (!c) return [];
  const s = c.score;
  const reference = r.scenarios.find((x) => x.scenario.name === REFERENCE_CASE);
  let referenceLine = `Reference case ${REFERENCE_CASE} not in the corpus.`;
  if (reference) {
    const d = c.decisions.get(REFERENCE_CASE);
    const start = reference.scenario.truth.faultStartStep ?? 0;
    const delay =
      d?.decision === 'rollback' && d.decidedAtStep !== null
        ? (d.decidedAtStep - start) * reference.scenario.stepSeconds
        : null;
    referenceLine = `Reference case (0.5% -> 3% at 10 req/s), this corpus's single draw of it: detected after ${delay === null ? 'never' : `${delay} s`} (target: a median under 25 s): ${delay !== null && delay < 25 ? 'met' : 'not met'} on this draw; the median over 300 draws is in "the reference case through the whole default contract" below.`;
  }
  const met = (ok: boolean) => (ok ? 'met' : 'not met');
  return [
    `${c.name} targets: detection >= 98%: ${met((s.detectionRate ?? 0) >= 0.98)}; zero false rollbacks: ${met(s.falseRollbacks === 0)}; every incident routed: ${met(s.incidentsRouted === s.incidentScenarios)}; median delay <= 2x SPRT on error faults: ${met(c.sprtRatioMedian !== null && c.sprtRatioMedian <= 2)}.`,
    referenceLine,
  ];
}

/**
 * The decision-quality benchmark module: Rollgate (injected) next to the peer emulations on the
 * scenario corpus.
 */
export function decisionQualityBench(options: DecisionQualityOptions): BenchModule {
  return async (ctx) => {
    ctx.log(`decision quality: loading scenarios from ${options.scenarioDirs.join(', ')}`);
    const r = await runDecisionQuality(options);
    ctx.log(`decision quality: ${r.scenarios.length} scenarios, ${r.controllers.length} controllers`);
    return decisionQualitySections(r);
  };
}
