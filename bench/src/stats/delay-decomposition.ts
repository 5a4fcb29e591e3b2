import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createBaselineRateTest,
  type MachineSnapshot,
  summarizeRateTest,
  updateRateTest,
} from '@rollgate/core';
import { type ContractOverrides, REPLAY_EPOCH_MS } from '@rollgate/core/scenarios';
import { replayScenario, type Scenario } from '@rollgate/testkit/scenarios';
import { FINAL_LOOK_SHARE, plansFinalLook } from '../../../packages/core/src/rules/sequential-count';
import { DEFAULT_RATIOS, reachableRatios } from '../../../packages/core/src/stats/rate-mixture';
import { generateFamilies } from '../scenarios/family-corpus';

/**
 * Where the delay of error-rate faults goes (issue 12, docs/statistics.md "Where the delay
 * goes"). For each error fault of a family set: the step the SPRT reference decides on the
 * scenario's own counts (both rates known, alpha 0.01), the step a baseline test built as the
 * evaluator builds it first crosses its threshold, the same test without one of its parts at a
 * time (the variants), and the step Rollgate's replay confirms the rollback. Delays are seconds
 * after the fault's first step, as the families table counts them.
 *
 * `node --conditions=source --import tsx bench/src/stats/delay-decomposition.ts [set] [count] [families]`
 */

/** One way of building the error-rate test. */
export interface Variant {
  readonly name: string;
  /** Baseline prior events (`BASELINE_PRIOR_EVENTS`, 3): added, or a floor with `priorFloor`. */
  readonly prior: number;
  readonly priorFloor?: boolean;
  /** The prior fades above `priorFade` baseline events: prior x min(1, priorFade / B). */
  readonly priorFade?: number;
  /** The baseline e-value's shifts (`BASELINE_SHIFTS`). */
  readonly kappas: readonly number[];
  /** `BURST_CAP_RATIO` (12), or null for no cap; `capWhenBursty`: only on an evidenced dispersion. */
  readonly cap: number | null;
  readonly capWhenBursty?: boolean;
  /** The cap rises to the events the step before also had (a burst is one step; a fault lasts). */
  readonly capSustained?: boolean;
  /** With `capSustained`: the step before's events plus this many (a rise one event steeper). */
  readonly capStep?: number;
  /**
   * The step before's events over its cap are counted now when this step also shows the fault:
   * `over`, this step is over its own cap too; `any`, this step has an event. Only where the
   * dispersion is 1 or both steps are divided by it (so the counted sums stay below the
   * uncapped ones, step type for step type).
   */
  readonly carry?: 'over' | 'any' | 'cap' | 'usual';
  /**
   * The cap's ratio when the baseline rules bursts out (Pearson's dispersion under `quietUcb`
   * at its upper 95% bound, with at least `quietEvents` events); `cap` otherwise.
   */
  readonly quietCap?: number | null;
  readonly quietUcb?: number;
  readonly quietEvents?: number;
  /** With `capSustained`: the cap rises to the most events of this many steps before (1 when absent). */
  readonly lookback?: number;
  /** New steps divided by the dispersion of the baseline's steps capped as the bake's are (the baseline's own counts by the raw one). */
  readonly capDispersion?: boolean;
  /** `point`: Pearson's estimate floored at 1 (`estimateDispersion`); `evidenced`: 1 unless a 5% test sees it; `none`: 1. */
  readonly dispersion: 'point' | 'evidenced' | 'none' | 'bernoulli' | 'lcb' | 'ucb';
  /** With `lcb`: the excess over 1 that is at least `lcbZ` standard errors of Pearson's statistic. */
  readonly lcbZ?: number;
  /** The error-rate rule's alpha: 0.01 split over the two count signals of the default contract. */
  readonly alpha: number;
  /**
   * Session 18: `alpha` is the rule's, of which the look at the bake's end takes
   * `FINAL_LOOK_SHARE` where the baseline plans the look (`plansFinalLook`), as the evaluator does.
   */
  readonly plannedLook?: boolean;
  /** Events of a load-surge step are divided by this (`DEFAULT_ERROR_SURGE_TOLERANCE`, 2). */
  readonly surgeFactor: number;
  /** The baseline rate known exactly (the scenario's p0, as if from 10^9 requests): no baseline uncertainty. */
  readonly knownRate?: boolean;
  /** The ratio grid of the alternatives (DEFAULT_RATIOS when absent). */
  readonly ratios?: readonly number[];
  /** The ratio grid planned from the events a bake at the baseline's traffic expects (overrides `ratios`). */
  readonly ratiosFor?: (expected: number, alpha: number) => readonly number[];
  /** The restarts' share of the mixture (`DEFAULT_RESTART_SHARE` when absent; 0: no restarts). */
  readonly restartShare?: number;
  /** The `joint` test's share of alpha on the baseline rate's interval (0.01 when absent). */
  readonly edgeShare?: number;
  /**
   * Issue 12, round 11: the cap also at most the expected events plus `capZ` of their standard
   * deviations, `sqrt(dispersion x expected)` (`sqrt(expected)` with `capZPlain`): a step counts
   * for no more than the test's own model calls a z-sigma step, whatever a burst's size.
   */
  readonly capZ?: number;
  readonly capZPlain?: boolean;
}

/**
 * The error-rate test of the default contract as the evaluator built it up to issue 12 round 10
 * (the ratio cap alone): what the screens of rounds 8-10 measure their variants against.
 */
export const RATIO_CAP: Variant = {
  name: 'evaluator',
  prior: 3,
  kappas: [0.5, 1.5, 3],
  cap: 12,
  dispersion: 'point',
  alpha: 0.005,
  surgeFactor: 2,
  capSustained: true,
};

/**
 * The error-rate test of the default contract, as the evaluator builds it: since issue 12 round
 * 11 the cap is also at most 4 standard deviations above the expected events
 * (`BURST_CAP_SIGMAS` in packages/core/src/rules/sequential-count.ts).
 */
export const EVALUATOR: Variant = { ...RATIO_CAP, capZ: 4 };

/** The evaluator's test without one part at a time, and the candidate changes tried for issue 12. */
export const VARIANTS: readonly Variant[] = [
  RATIO_CAP,
  { ...RATIO_CAP, name: 'no-cap', cap: null },
  { ...RATIO_CAP, name: 'no-prior', prior: 0 },
  { ...RATIO_CAP, name: 'one-shift', kappas: [0.5] },
  { ...RATIO_CAP, name: 'no-dispersion', dispersion: 'none' },
  { ...RATIO_CAP, name: 'alpha-0.01', alpha: 0.01 },
  { ...RATIO_CAP, name: 'no-surge-factor', surgeFactor: 1 },
  {
    name: 'known-p0',
    prior: 0,
    kappas: [0.5],
    cap: null,
    dispersion: 'none',
    alpha: 0.005,
    surgeFactor: 1,
    knownRate: true,
  },
  { ...RATIO_CAP, name: 'cand-disp', dispersion: 'evidenced' },
  {
    ...RATIO_CAP,
    name: 'cand-disp-cap-floor',
    dispersion: 'evidenced',
    capWhenBursty: true,
    priorFloor: true,
  },
];

/**
 * The test-side rows of the session-18 decomposition: the mixture with the baseline rate known
 * (alpha 0.004), the evaluator's error test rebuilt with main's split (alpha 0.005 less the
 * bake-end look's 20%) and with the look planned from the baseline (`plansFinalLook`), then
 * without the 4-sigma cap, without either cap.
 */
export const STAGE_VARIANTS: readonly Variant[] = [
  { ...(VARIANTS.find((v) => v.name === 'known-p0') as Variant), alpha: 0.004 },
  { ...EVALUATOR, name: "evaluator, main's split", alpha: 0.004 },
  { ...EVALUATOR, plannedLook: true },
  { ...RATIO_CAP, name: 'no 4-sigma cap', plannedLook: true },
  { ...RATIO_CAP, name: 'no caps', cap: null, plannedLook: true },
];

/**
 * Issue 12, round 21 (lowdelay21): the low-traffic error faults' test with one part changed at a
 * time against the evaluator's (planned look), the baseline rate known as the floor: the ratio
 * grid (a ratio near 1, ratios above the cap of 12), the alpha the look takes, the baseline
 * shifts and the edge share of the joint uncertainty, the prior, the restarts, the caps and the
 * surge factor. `... delay-decomposition.ts dev 100 <families> lowdelay`.
 */
export const LOWDELAY_VARIANTS: readonly Variant[] = [
  { ...(VARIANTS.find((v) => v.name === 'known-p0') as Variant), alpha: 0.004 },
  { ...EVALUATOR, plannedLook: true },
  { ...EVALUATOR, name: 'no look share', alpha: 0.005 },
  { ...EVALUATOR, name: 'grid to 24', ratios: [1.5, 2, 3, 4, 6, 8, 12, 16, 24], plannedLook: true },
  { ...EVALUATOR, name: 'grid 1.25-12', ratios: [1.25, 1.5, 2, 3, 4, 6, 8, 12], plannedLook: true },
  { ...EVALUATOR, name: 'grid 2-24', ratios: [2, 3, 4, 6, 8, 12, 16, 24], plannedLook: true },
  { ...EVALUATOR, name: 'shift 0.5', kappas: [0.5], plannedLook: true },
  { ...EVALUATOR, name: 'shifts +5', kappas: [0.5, 1.5, 3, 5], plannedLook: true },
  { ...EVALUATOR, name: 'edge 0.001', edgeShare: 0.001, plannedLook: true },
  { ...EVALUATOR, name: 'edge 0.05', edgeShare: 0.05, plannedLook: true },
  { ...EVALUATOR, name: 'no prior', prior: 0, plannedLook: true },
  { ...EVALUATOR, name: 'no restarts', restartShare: 0, plannedLook: true },
  { ...EVALUATOR, name: 'restarts 0.05', restartShare: 0.05, plannedLook: true },
  { ...RATIO_CAP, name: 'no 4-sigma cap', plannedLook: true },
  { ...RATIO_CAP, name: 'no caps', cap: null, plannedLook: true },
  { ...EVALUATOR, name: 'no surge factor', surgeFactor: 1, plannedLook: true },
  { ...EVALUATOR, name: 'no dispersion', dispersion: 'none', plannedLook: true },
  { ...EVALUATOR, name: 'prior fade 3', priorFade: 3, plannedLook: true },
  { ...EVALUATOR, name: 'prior fade 6', priorFade: 6, plannedLook: true },
  { ...EVALUATOR, name: 'prior fade 10', priorFade: 10, plannedLook: true },
  { ...EVALUATOR, name: 'reachable grid', ratiosFor: reachableRatios, plannedLook: true },
  {
    ...EVALUATOR,
    name: '+16,24 under 17',
    ratiosFor: (e) => (e < 17 ? [...DEFAULT_RATIOS, 16, 24] : DEFAULT_RATIOS),
    plannedLook: true,
  },
  {
    ...EVALUATOR,
    name: '+16,24 under 60',
    ratiosFor: (e) => (e < 60 ? [...DEFAULT_RATIOS, 16, 24] : DEFAULT_RATIOS),
    plannedLook: true,
  },
  {
    ...EVALUATOR,
    name: '2-24 under 17',
    ratiosFor: (e) => (e < 17 ? [2, 3, 4, 6, 8, 12, 16, 24] : DEFAULT_RATIOS),
    plannedLook: true,
  },
  {
    ...EVALUATOR,
    name: '+16,24 reach',
    ratiosFor: (e, a) => [
      ...DEFAULT_RATIOS,
      ...[16, 24].filter((r) => e * (r * Math.log(r) - r + 1) >= Math.log(1 / a) && e < 17),
    ],
    plannedLook: true,
  },
];

/** Pearson's dispersion of per-step counts: the point estimate, and whether a 5% test evidences it. */
export function pearsonDispersion(points: readonly { events: number; trials: number }[]): {
  point: number;
  evidenced: boolean;
  sd: number;
} {
  const usable = points.filter((p) => p.trials > 0);
  const events = usable.reduce((s, p) => s + p.events, 0);
  const trials = usable.reduce((s, p) => s + p.trials, 0);
  const rate = trials > 0 ? events / trials : 0;
  if (usable.length < 2 || !(rate > 0 && rate < 1)) return { point: 1, evidenced: false, sd: 0 };
  const pq = rate * (1 - rate);
  let chi2 = 0;
  let variance = 0;
  for (const p of usable) {
    const d = p.events - p.trials * rate;
    chi2 += (d * d) / (p.trials * pq);
    // Var[(X - np)^2 / (npq)] for X ~ Binomial(n, p).
    variance += Math.max(0, 2 * (1 - 1 / p.trials) + (1 - 6 * pq) / (p.trials * pq));
  }
  const freedom = usable.length - 1;
  return {
    point: Math.max(1, chi2 / freedom),
    evidenced: chi2 > freedom + 1.645 * Math.sqrt(variance),
    sd: Math.sqrt(variance) / freedom,
  };
}

/** The step (index into the series) at which the SPRT of p0 against p1 from `from` on rejects. */
export function sprtStep(
  series: { readonly requests: readonly number[]; readonly errors: readonly number[] },
  p0: number,
  p1: number,
  from: number,
  alpha = 0.01,
): number | null {
  const perError = Math.log(p1 / p0);
  const perSuccess = Math.log((1 - p1) / (1 - p0));
  let llr = 0;
  for (let i = from; i < series.requests.length; i++) {
    const n = series.requests[i] ?? 0;
    const x = series.errors[i] ?? 0;
    llr += x * perError + (n - x) * perSuccess;
    if (llr >= Math.log(1 / alpha)) return i;
  }
  return null;
}

/** The baseline's highest one-minute mean of requests per step (load-surge.ts's profile). */
function loadHigh(s: Scenario): number {
  const r = s.series.requests.slice(0, s.deployAtStep);
  const width = Math.max(1, Math.min(r.length, Math.round(60 / s.stepSeconds), 12));
  let high = 0;
  let sum = 0;
  for (let i = 0; i < r.length; i++) {
    sum += r[i] ?? 0;
    if (i >= width) sum -= r[i - width] ?? 0;
    if (i >= width - 1) high = Math.max(high, sum / width);
  }
  return high;
}

/** load-surge.ts's `isSurge` on the scenario's own steps. */
function isSurgeStep(s: Scenario, i: number, high: number): boolean {
  const bound = (l: number) => l + 4 * Math.sqrt(l) + 4;
  const lambda = 1.25 * high;
  const n = s.series.requests[i] ?? 0;
  if (n > bound(lambda)) return true;
  if (i - 2 < s.deployAtStep) return false;
  const sum = (s.series.requests[i - 2] ?? 0) + (s.series.requests[i - 1] ?? 0) + n;
  return sum > bound(lambda * 3);
}

/** The step at which the variant's test, fed from the deploy on, first crosses, or null. */
export function crossingStep(
  s: Scenario,
  v: Variant,
  observed: { readonly events: number; readonly trials: number },
  p0: number,
): number | null {
  const baseline = v.knownRate ? { events: p0 * 1e9, trials: 1e9 } : observed;
  const points = s.series.requests
    .slice(0, s.deployAtStep)
    .map((n, i) => ({ events: s.series.errors[i] ?? 0, trials: n }));
  const measured = pearsonDispersion(points);
  // `bernoulli`: no dispersion when no baseline step held more than one event.
  const bernoulli = v.dispersion === 'bernoulli' && points.every((p) => p.events <= 1);
  const dispersion =
    v.dispersion === 'lcb'
      ? Math.max(1, measured.point - (v.lcbZ ?? 1.645) * measured.sd)
      : v.dispersion === 'ucb'
        ? measured.point + (v.lcbZ ?? 1.645) * measured.sd
        : v.dispersion === 'none' || bernoulli
          ? 1
          : v.dispersion === 'point' || v.dispersion === 'bernoulli' || measured.evidenced
            ? measured.point
            : 1;
  const eAlpha =
    v.plannedLook &&
    plansFinalLook(
      observed.events,
      s.deployAtStep * s.stepSeconds,
      (s.series.requests.length - s.deployAtStep) * s.stepSeconds,
    )
      ? v.alpha * (1 - FINAL_LOOK_SHARE)
      : v.alpha;
  const planned = v.ratiosFor
    ? v.ratiosFor(
        ((baseline.events + v.prior) * (s.series.requests.length - s.deployAtStep)) /
          s.deployAtStep /
          Math.max(1, dispersion),
        eAlpha,
      )
    : v.ratios;
  let state = createBaselineRateTest({
    baselineEvents: Math.min(
      baseline.trials,
      v.priorFloor
        ? Math.max(baseline.events, v.prior)
        : baseline.events +
            (v.priorFade === undefined
              ? v.prior
              : v.prior * Math.min(1, v.priorFade / Math.max(baseline.events, 1))),
    ),
    baselineTrials: baseline.trials,
    alpha: eAlpha,
    dispersion,
    kappas: v.kappas,
    ...(planned ? { ratios: planned } : {}),
    ...(v.edgeShare === undefined ? {} : { edgeShare: v.edgeShare }),
    ...(v.restartShare === undefined ? {} : { restartShare: v.restartShare }),
  });
  const rate = state.anchorRate * state.tolerance;
  // The cap of a step of n requests at the cap ratio `ratio` (before the lift by the step before).
  const usualCap = (ratio: number | null, n: number): number => {
    const cap = Math.max(1, Math.ceil((ratio ?? 0) * n * rate));
    if (v.capZ === undefined) return cap;
    const mu = n * rate;
    const z = Math.ceil(mu + v.capZ * Math.sqrt((v.capZPlain ? 1 : dispersion) * mu));
    return Math.max(1, Math.min(cap, z));
  };
  // The baseline's steps capped as a bake step would be (the usual cap, lifted after a step with events).
  const cappedPoints = points.map((p, i) => ({
    trials: p.trials,
    events: Math.min(p.events, Math.max(usualCap(v.cap, p.trials), i > 0 ? (points[i - 1]?.events ?? 0) : 0)),
  }));
  const stepDispersion = v.capDispersion
    ? Math.min(dispersion, pearsonDispersion(cappedPoints).point)
    : dispersion;
  const quiet =
    v.quietCap !== undefined &&
    observed.events >= (v.quietEvents ?? 30) &&
    measured.point + 1.645 * measured.sd <= (v.quietUcb ?? 1.2);
  const capRatio = quiet ? (v.quietCap ?? null) : v.cap;
  const capped = capRatio !== null && !(v.capWhenBursty && dispersion <= 1);
  const high = loadHigh(s);
  const recent: number[] = [];
  let excess = 0;
  let previousDivided = false;
  for (let i = s.deployAtStep; i < s.series.requests.length; i++) {
    const n = s.series.requests[i] ?? 0;
    const x = s.series.errors[i] ?? 0;
    const baseCap = usualCap(capRatio, n);
    const before = Math.max(0, ...recent.slice(-(v.lookback ?? 1)));
    const cap = v.capSustained ? Math.max(baseCap, before > 0 ? before + (v.capStep ?? 0) : 0) : baseCap;
    recent.push(x);
    // `cap`: the step before's events over its cap raise this step's cap (never above its events).
    const lifted = v.carry === 'cap' ? cap + excess : cap;
    const own = capped ? Math.min(x, lifted) : x;
    const divided = !(capped && lifted === 1);
    const eligible = dispersion <= 1 || (divided && previousDivided);
    const shows = v.carry === 'over' ? x > cap : v.carry === 'usual' ? x > baseCap : x >= 1;
    const carried = v.carry && v.carry !== 'cap' && capped && eligible && shows ? excess : 0;
    excess = x - own;
    previousDivided = divided;
    const counted = own + carried;
    const m = v.surgeFactor > 1 && isSurgeStep(s, i, high) ? v.surgeFactor : 1;
    // As the evaluator: a step whose cap is one event is fed undivided by the dispersion.
    const atMostOne = capped && lifted === 1 && carried === 0;
    const scale = atMostOne ? 1 : dispersion / stepDispersion;
    state = updateRateTest(state, {
      events: (scale * counted) / m,
      trials: scale * n,
      ...(atMostOne ? { atMostOne } : {}),
    });
    if (summarizeRateTest(state).rejected) return i;
  }
  return null;
}

/** What an instrumented replay saw of one scenario, as step indices (null: never). */
export interface ReplayTrace {
  /** The first evaluation at which the truth signal (or any signal) reported a breach verdict. */
  readonly firstBreachVerdict: number | null;
  /** The first evaluation whose decision was a breach (the confirmation policy: sustain, k). */
  readonly firstBreachDecision: number | null;
  /** The step of the breach the machine confirmed (after the validation gate), as the replay counts it. */
  readonly confirmed: number | null;
  /** Every evaluation's step, its decision type and the truth signal's status (for a look by hand). */
  readonly evaluations: readonly { step: number; decision: string; status: string; reason: string }[];
  /** The bake's watch state at the end (cold start, surges), for a look by hand. */
  readonly watch?: { readonly coldStart: boolean | null; readonly coldStartReason?: string | null };
}

/** The step whose data an evaluation at `at` (epoch ms) consumed last (replay-scenario.ts). */
function stepOf(s: Scenario, at: number): number {
  return Math.min(
    s.series.requests.length - 1,
    Math.round((at - REPLAY_EPOCH_MS) / (s.stepSeconds * 1000)) - 1,
  );
}

/**
 * `replayScenario` (packages/core/src/scenarios/replay-scenario.ts) with a listener on the
 * evaluator (its `onController` option): the same replay, so the same decision, plus the steps
 * at which the engine's parts moved. `overrides` changes the contract (e.g.
 * `warmupSeconds: 0`, the test without the warm-up hold).
 */
export async function traceReplay(
  s: Scenario,
  signal = 'error-rate',
  overrides: ContractOverrides = {},
): Promise<ReplayTrace> {
  const evaluations: { step: number; decision: string; status: string; reason: string }[] = [];
  let firstBreachVerdict: number | null = null;
  let firstBreachDecision: number | null = null;
  let last: MachineSnapshot | null = null;
  const replay = await replayScenario(s, overrides, {
    onController: (controller) => {
      controller.events.on('evaluation', (e) => {
        if (e.purpose !== 'bake') return;
        const step = stepOf(s, e.at);
        const mine = e.signals.find((x) => x.signal === signal);
        const status = mine?.status ?? 'none';
        if (firstBreachVerdict === null && mine?.verdicts.some((v) => v.status === 'breach'))
          firstBreachVerdict = step;
        if (firstBreachDecision === null && e.decision.type === 'breach') firstBreachDecision = step;
        evaluations.push({ step, decision: e.decision.type, status, reason: e.decision.reason });
      });
      controller.events.on('step', ({ snapshot }) => {
        last = snapshot;
      });
    },
  });
  const end = last as MachineSnapshot | null;
  const confirmedAt = replay.decision === 'rollback' ? (end?.breach?.confirmedAt ?? null) : null;
  return {
    firstBreachVerdict,
    firstBreachDecision,
    confirmed: confirmedAt === null ? null : stepOf(s, confirmedAt),
    evaluations,
    watch: {
      coldStart: end?.bake?.coldStart ?? null,
      coldStartReason: end?.bake?.coldStartReason ?? null,
    },
  };
}

/** One error fault's decomposition: delays in seconds after the fault's first step (null: never). */
export interface DelayRow {
  readonly scenario: string;
  readonly rps: number;
  readonly p0: number;
  readonly p1: number;
  /** Seconds from the deploy to the fault. */
  readonly faultAt: number;
  readonly stepSeconds: number;
  /** The error-rate baseline's events and requests (the replay's audit). */
  readonly baseline: { readonly events: number; readonly trials: number };
  /** (a) Wald's expected SPRT time (the families table's reference). */
  readonly sprtExpected: number;
  /**
   * (b) The reference on the replay's step grid, counted as the families table counts a delay:
   * the first step whose end is at or after the SPRT time, in seconds after the fault's first
   * step's end (a decision on the first step is 0). Never above the reference itself.
   */
  readonly sprtGrid: number;
  /** The SPRT with both rates known, on this scenario's counts. */
  readonly sprtRealized: number | null;
  readonly variants: Readonly<Record<string, number | null>>;
  /**
   * (c) The engine's own error test: the first evaluation with a breach verdict on the truth
   * signal in a replay without the warm-up hold (`warmupSeconds: 0`; every other part as is).
   */
  readonly engineTest: number | null;
  /** (c') The same with the default warm-up: the first breach verdict after the cold-start hold. */
  readonly breachVerdict: number | null;
  /** (d') The first evaluation whose decision is a breach (sustain, k). */
  readonly breachDecision: number | null;
  /** (d) Rollgate's replay (the real evaluator and machine); null when it did not roll back. */
  readonly replay: number | null;
}

/** The reference on the step grid, in the families table's count (see {@link DelayRow.sprtGrid}). */
export function sprtOnGrid(sprtSeconds: number, stepSeconds: number): number {
  return Math.max(0, Math.ceil(sprtSeconds / stepSeconds) - 1) * stepSeconds;
}

/** Decomposes every error fault (`errors` or `segment`) of the set's families. */
export async function decompose(
  set: string,
  count: number,
  only: readonly string[],
  variants: readonly Variant[] = VARIANTS,
): Promise<DelayRow[]> {
  const rows: DelayRow[] = [];
  for (const { scenario: s, meta } of generateFamilies(set, count, only).flatMap((f) => f.scenarios)) {
    const fault = meta.fault as { kind: string; p1?: number } | null;
    if (typeof meta.sprt_seconds !== 'number' || fault?.p1 === undefined) continue;
    if (fault.kind !== 'errors' && fault.kind !== 'segment') continue;
    const start = s.truth.faultStartStep ?? s.deployAtStep;
    const replay = await replayScenario(s);
    const trace = await traceReplay(s);
    const noWarmup = await traceReplay(s, 'error-rate', { warmupSeconds: 0 });
    const signals = replay.audit?.baseline?.signals as Record<string, { events: number; trials: number }>;
    const base = signals['error-rate'] as { events: number; trials: number };
    const delay = (step: number | null) => (step === null ? null : Math.max(0, step - start) * s.stepSeconds);
    const whole = fault.kind === 'errors';
    rows.push({
      scenario: s.name,
      rps: meta.rps as number,
      p0: meta.p0 as number,
      p1: fault.p1,
      faultAt: (start - s.deployAtStep) * s.stepSeconds,
      stepSeconds: s.stepSeconds,
      baseline: { events: base.events, trials: base.trials },
      sprtExpected: meta.sprt_seconds,
      sprtGrid: sprtOnGrid(meta.sprt_seconds, s.stepSeconds),
      sprtRealized: whole ? delay(sprtStep(s.series, meta.p0 as number, fault.p1, start)) : null,
      variants: Object.fromEntries(
        variants.map((v) => [v.name, whole ? delay(crossingStep(s, v, base, meta.p0 as number)) : null]),
      ),
      engineTest: delay(noWarmup.firstBreachVerdict),
      breachVerdict: delay(trace.firstBreachVerdict),
      breachDecision: delay(trace.firstBreachDecision),
      replay: replay.decision === 'rollback' ? delay(replay.decidedAtStep) : null,
    });
  }
  return rows;
}

/** Median of delay / expected SPRT time over the rows, a miss counting as infinite. */
export function medianRatio(rows: readonly DelayRow[], pick: (r: DelayRow) => number | null): number {
  const ratios = rows
    .map((r) => {
      const d = pick(r);
      return d === null ? Number.POSITIVE_INFINITY : d / r.sprtExpected;
    })
    .sort((a, b) => a - b);
  if (ratios.length === 0) return Number.NaN;
  const lo = ratios[Math.floor((ratios.length - 1) / 2)] as number;
  const hi = ratios[Math.ceil((ratios.length - 1) / 2)] as number;
  return (lo + hi) / 2;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [set = 'dev', count = '12', only = 'surge-bad,lowtraffic-bad,prev-release-bad', which = 'stages'] =
    process.argv.slice(2);
  const chosen = which === 'lowdelay' ? LOWDELAY_VARIANTS : STAGE_VARIANTS;
  const rows = await decompose(set, Number(count), only.split(','), chosen);
  const show = (d: number | null) => (d === null ? '-' : String(d));
  const names = chosen.map((v) => v.name);
  const stages: [string, (r: DelayRow) => number | null][] = [
    ['(a) SPRT E[T]', (r) => r.sprtExpected],
    ['(b) on the grid', (r) => r.sprtGrid],
    ['SPRT realized', (r) => r.sprtRealized],
    ...names.map((n): [string, (r: DelayRow) => number | null] => [n, (r) => r.variants[n] ?? null]),
    ['(c) engine test', (r) => r.engineTest],
    ["(c') after warm-up", (r) => r.breachVerdict],
    ["(d') decision", (r) => r.breachDecision],
    ['(d) confirmed', (r) => r.replay],
  ];
  process.stdout.write(
    `${['scenario', 'rps', 'p0', 'p1', 'fault at', ...stages.map(([n]) => n)].join('\t')}\n`,
  );
  for (const r of rows) {
    process.stdout.write(
      `${[
        r.scenario,
        r.rps,
        r.p0.toFixed(4),
        r.p1.toFixed(4),
        r.faultAt,
        ...stages.map(([, pick], i) => (i === 0 ? r.sprtExpected.toFixed(1) : show(pick(r)))),
      ].join('\t')}\n`,
    );
  }
  const families = [...new Set(rows.map((r) => r.scenario.slice(0, r.scenario.lastIndexOf(`-${set}-`))))];
  process.stdout.write(`\nmedian delay / SPRT E[T]\nfamily\tn\t${stages.map(([n]) => n).join('\t')}\n`);
  for (const family of [...families, 'all']) {
    const mine = family === 'all' ? rows : rows.filter((r) => r.scenario.startsWith(`${family}-`));
    process.stdout.write(
      `${family}\t${mine.length}\t${stages.map(([, pick]) => medianRatio(mine, pick).toFixed(2)).join('\t')}\n`,
    );
  }
  // In seconds of fault data (the decision at the fault's first step has seen one step): the
  // grid's floor is one step, and each stage's ratio to the reference counts that step too.
  process.stdout.write(
    `\nmedian (delay + one step) / SPRT E[T] (seconds of fault data)\nfamily\tn\t${stages.map(([n]) => n).join('\t')}\n`,
  );
  for (const family of [...families, 'all']) {
    const mine = family === 'all' ? rows : rows.filter((r) => r.scenario.startsWith(`${family}-`));
    process.stdout.write(
      `${family}\t${mine.length}\t${stages
        .map(([, pick], i) =>
          medianRatio(mine, (r) => {
            const d = pick(r);
            return d === null ? null : i === 0 ? d : d + r.stepSeconds;
          }).toFixed(2),
        )
        .join('\t')}\n`,
    );
  }
}
