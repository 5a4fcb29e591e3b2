import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createBaselineRateTest, updateRateTest } from '@rollgate/core';
import { replayScenario, type Scenario } from '@rollgate/testkit/scenarios';
import {
  errorLoadTolerance,
  isSurge,
  loadProfile,
  smoothedLoad,
} from '../../../packages/core/src/evaluation/load-surge';
import { binomialUpperTail } from '../../../packages/core/src/stats/special-functions';
import { generateFamilies } from '../scenarios/family-corpus';
import { histogramQuantile, sumHistograms } from './histogram-quantile';

/**
 * Where an error fault's power goes at low traffic (issue 12, class 4; docs/statistics.md
 * "Faults missed at low traffic, classified"). For each scenario of the given families: the
 * real evaluator's decision (`replayScenario`, the default contract), the one-look exact
 * conditional test of the whole bake against the whole baseline (the oracle: errors, the latency
 * rule's two thresholds, and every bound at or above the baseline p99 bucket), and the error
 * test replayed as the evaluator builds it (prior, shifts, exact-tail cap, burst cap, the surge
 * tolerance of errors) with one part changed at a time.
 *
 * `node --conditions=source --import tsx bench/src/stats/lowrate-power.ts [set] [count] [families]`
 */

/** The error signal's alpha in the default contract (0.01 over two count signals). */
const SIGNAL_ALPHA = 0.005;
const BASELINE_PRIOR_EVENTS = 3;
const BASELINE_SHIFTS = [0.5, 1.5, 3];
const TAIL_CAP_KAPPA = 0.3;
const ERROR_SURGE_CAP = 2;

interface Step {
  readonly events: number;
  readonly trials: number;
}

export interface Counts {
  readonly baseline: Step;
  readonly baselineSteps: readonly Step[];
  readonly steps: readonly Step[];
}

function errorCounts(s: Scenario): Counts {
  const baselineSteps: Step[] = [];
  let events = 0;
  let trials = 0;
  for (let t = 0; t < s.deployAtStep; t++) {
    const e = s.series.errors[t] ?? 0;
    const n = s.series.requests[t] ?? 0;
    events += e;
    trials += n;
    baselineSteps.push({ events: e, trials: n });
  }
  const steps: Step[] = [];
  for (let t = s.deployAtStep; t < s.series.requests.length; t++)
    steps.push({ events: s.series.errors[t] ?? 0, trials: s.series.requests[t] ?? 0 });
  return { baseline: { events, trials }, baselineSteps, steps };
}

function latencyCounts(s: Scenario, index: number): Counts {
  const rows = s.series.latencyHistogram;
  const width = s.latencyBucketsMs.length + 1;
  const above = (row: readonly number[]) => {
    let t = 0;
    for (let k = index + 1; k < width; k++) t += row[k] ?? 0;
    return t;
  };
  const all = (row: readonly number[]) => row.reduce((a, b) => a + b, 0);
  const baselineSteps: Step[] = [];
  let events = 0;
  let trials = 0;
  for (let t = 0; t < s.deployAtStep; t++) {
    const e = above(rows[t] ?? []);
    const n = all(rows[t] ?? []);
    events += e;
    trials += n;
    baselineSteps.push({ events: e, trials: n });
  }
  const steps: Step[] = [];
  for (let t = s.deployAtStep; t < rows.length; t++)
    steps.push({ events: above(rows[t] ?? []), trials: all(rows[t] ?? []) });
  return { baseline: { events, trials }, baselineSteps, steps };
}

/** One-sided exact conditional p: the bake's share of all events, binomial in its share of requests. */
export function oneLook(baseline: Step, bake: Step): number {
  const n = Math.round(bake.events + baseline.events);
  if (n <= 0 || bake.trials <= 0) return 1;
  return binomialUpperTail(Math.round(bake.events), n, bake.trials / (bake.trials + baseline.trials));
}

const sumSteps = (steps: readonly Step[]): Step =>
  steps.reduce((a, s) => ({ events: a.events + s.events, trials: a.trials + s.trials }), {
    events: 0,
    trials: 0,
  });

export interface Variant {
  readonly prior?: number;
  /** The prior as a function of the baseline's events (overrides `prior`). */
  readonly priorOf?: (events: number) => number;
  readonly burstCap?: boolean;
  readonly surgeTolerance?: boolean;
  readonly ratios?: readonly number[];
  readonly restartShare?: number;
  readonly tailCap?: boolean;
  readonly kappas?: readonly number[];
  /** Share of the alpha spent on one exact look at the bake's end (the rest: the e-process). */
  readonly finalShare?: number;
  /** The final look counts the capped, surge-free events (true) or the raw bake (false). */
  readonly finalCounted?: boolean;
  /** The final look adds the prior's events to the baseline. */
  readonly finalPrior?: boolean;
}

function burstCap(trials: number, rate: number, previous: number): number {
  const expected = trials * rate;
  const cap = Math.max(1, Math.min(Math.ceil(12 * expected), Math.ceil(expected + 4 * Math.sqrt(expected))));
  return previous > cap ? Math.floor(previous) : cap;
}

/** The first bake step (index) at which the variant's test rejects, or -1; and its best share of 1/alpha. */
function run(c: Counts, v: Variant): { step: number; best: number; finalP: number | null } {
  const prior = v.priorOf ? v.priorOf(c.baseline.events) : (v.prior ?? BASELINE_PRIOR_EVENTS);
  const share = v.finalShare ?? 0;
  const alpha = SIGNAL_ALPHA * (1 - share);
  let state = createBaselineRateTest({
    baselineEvents: Math.min(c.baseline.trials, c.baseline.events + prior),
    baselineTrials: c.baseline.trials,
    alpha,
    tolerance: 1,
    kappas: v.kappas ?? BASELINE_SHIFTS,
    ...(v.tailCap === false ? {} : { tailCap: { kappa: TAIL_CAP_KAPPA, maxEvents: BASELINE_PRIOR_EVENTS } }),
    ...(v.ratios ? { ratios: v.ratios } : {}),
    ...(v.restartShare === undefined ? {} : { restartShare: v.restartShare }),
  });
  const profile = loadProfile(
    c.baselineSteps.map((s, i) => ({ t: i, ...s })),
    5,
  );
  const previousTrials: number[] = [];
  let previous = 0;
  let best = Number.NEGATIVE_INFINITY;
  let step = -1;
  let counted = { events: 0, trials: 0 };
  for (let i = 0; i < c.steps.length; i++) {
    const s = c.steps[i] as Step;
    const surge = isSurge(profile, previousTrials.slice(-12), s.trials);
    const load = smoothedLoad(profile, previousTrials.slice(-12), s.trials, 12);
    previousTrials.push(s.trials);
    if (s.trials <= 0) continue;
    const cap =
      v.burstCap === false ? Number.POSITIVE_INFINITY : burstCap(s.trials, state.anchorRate, previous);
    previous = s.events;
    const capped = Math.min(s.events, cap);
    const m = surge && v.surgeTolerance !== false ? errorLoadTolerance(ERROR_SURGE_CAP, load) : 1;
    const events = capped / m;
    if (!surge) counted = { events: counted.events + capped, trials: counted.trials + s.trials };
    state = updateRateTest(
      state,
      cap === 1 ? { trials: s.trials, events, atMostOne: true } : { trials: s.trials, events },
    );
    best = Math.max(best, state.logE - state.logThreshold);
    if (step < 0 && state.rejected) step = i;
  }
  let finalP: number | null = null;
  if (share > 0) {
    const bake = v.finalCounted === false ? sumSteps(c.steps) : counted;
    const base = v.finalPrior ? { events: c.baseline.events + prior, trials: c.baseline.trials } : c.baseline;
    finalP = oneLook(base, bake);
    if (step < 0 && finalP <= 0.99 * SIGNAL_ALPHA * share) step = c.steps.length - 1;
  }
  return { step, best: Math.exp(best), finalP };
}

const VARIANTS: Record<string, Variant> = {
  gate: {},
  prior0: { prior: 0 },
  prior1: { prior: 1 },
  floor3: { priorOf: (b) => Math.max(0, 3 - b) },
  decay: { priorOf: (b) => 3 / (1 + b) },
  noCap: { burstCap: false },
  noSurgeTol: { surgeTolerance: false },
  noTailCap: { tailCap: false },
  wideGrid: { ratios: [1.5, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48] },
  restart0: { restartShare: 0 },
  final20: { finalShare: 0.2, finalPrior: true },
  final20raw: { finalShare: 0.2, finalPrior: false, finalCounted: false },
  final50: { finalShare: 0.5, finalPrior: true },
};

const fmt = (x: number) => (x < 1e-3 ? x.toExponential(1) : x.toPrecision(2));

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [set = 'dev', count = '8', only = 'wide-lowtraffic-bad,lowtraffic-bad', flags = ''] =
    process.argv.slice(2);
  const all = flags.includes('all');
  const found: Record<string, Record<string, number>> = {};
  const tally = (family: string, k: string, hit: boolean) => {
    const f = found[family] ?? {};
    found[family] = f;
    f[k] = (f[k] ?? 0) + (hit ? 1 : 0);
  };
  for (const { family, scenarios } of generateFamilies(set, Number(count), only.split(','))) {
    for (const { scenario: s } of scenarios) {
      const truth = s.truth.verdict;
      const replay = await replayScenario(s);
      const rolled = replay.decision === 'rollback';
      const wrong = truth === 'rollback' ? !rolled : rolled;
      tally(family.id, 'n', true);
      tally(family.id, 'rollgate', rolled);
      // The oracle: errors, and latency at every bound at or above the baseline p99's bucket.
      const ce = errorCounts(s);
      const pErr = oneLook(ce.baseline, sumSteps(ce.steps));
      const buckets = s.latencyBucketsMs;
      const p99 = histogramQuantile(
        0.99,
        buckets,
        sumHistograms(s.series.latencyHistogram.slice(0, s.deployAtStep), buckets.length + 1),
      );
      let pL1 = 1;
      let pLat = 1;
      if (p99 !== null) {
        const i1 = Math.max(
          0,
          buckets.findIndex((b) => b >= p99),
        );
        for (let k = i1; k < buckets.length; k++) {
          const cl = latencyCounts(s, k);
          const p = oneLook(cl.baseline, sumSteps(cl.steps));
          if (k === i1) pL1 = p;
          pLat = Math.min(pLat, p);
        }
      }
      const oracle = Math.min(pErr, pL1);
      tally(family.id, 'oracle<0.005', oracle < SIGNAL_ALPHA);
      tally(family.id, 'oracle<0.025', oracle < 0.025);
      const cells: string[] = [];
      for (const [name, v] of Object.entries(VARIANTS)) {
        const r = run(ce, v);
        tally(family.id, name, r.step >= 0);
        cells.push(
          `${name}=${r.step < 0 ? '-' : r.step * s.stepSeconds}(${fmt(r.best * 100)}%${r.finalP === null ? '' : `,p${fmt(r.finalP)}`})`,
        );
      }
      if (!wrong && !all) continue;
      const bake = sumSteps(ce.steps);
      const fault =
        s.truth.faultStartStep === null ? '' : ` fault+${(s.truth.faultStartStep - s.deployAtStep) * 5}s`;
      process.stdout.write(
        `${wrong ? '!' : ' '} ${s.name.padEnd(34)} ${truth} ${replay.decision}${fault} base ${ce.baseline.events}/${ce.baseline.trials} bake ${bake.events}/${bake.trials} | oracle err ${fmt(pErr)} lat ${fmt(pL1)} (any bound ${fmt(pLat)}) | ${cells.join(' ')} | ${replay.reason.slice(0, 160)}\n`,
      );
    }
  }
  for (const [family, f] of Object.entries(found)) process.stdout.write(`${family} ${JSON.stringify(f)}\n`);
}
