import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createBaselineRateTest, updateRateTest } from '@rollgate/core';
import type { Scenario } from '@rollgate/testkit/scenarios';
import { generateFamilies } from '../scenarios/family-corpus';
import { histogramQuantile, sumHistograms } from './histogram-quantile';
import { oneLook } from './lowrate-power';

/**
 * Where a latency tail fault's power goes (issue 12, class 5; docs/statistics.md "Latency: the
 * tail threshold"). For each scenario of the given families: the one-look exact conditional test
 * on the whole bake at every histogram bound at or above the baseline p99 bucket (the power
 * ceiling), and the largest e-value the sequential baseline test reached over the bake at the
 * first threshold (L1) and the tail threshold (L2), as the evaluator builds them (prior, shifts,
 * exact-tail cap, alpha split), against variants with one part changed (a ratio grid reaching
 * higher, the prior, the exact-tail cap, the shifts, the edge and restart shares), each judged
 * with the alpha split and jointly (`jointCrossing`, docs/statistics.md). Per-step
 * totals with the evaluator's burst cap; no load handling (the near-zero and tail families have
 * steady load).
 *
 * `node --conditions=source --import tsx bench/src/stats/tail-power.ts [set] [count] [families]`
 */

/** The latency signal's alpha in the default contract (0.01 over two count signals). */
const SIGNAL_ALPHA = 0.005;
const TAIL_SHARE = 0.25;
/** The evaluator's warm-up before it reads the bake (default contract, 30 s). */
const WARMUP_SECONDS = 30;
/** The evaluator's latency test parts (rules/sequential-count.ts, stats/rate-mixture.ts). */
const BASELINE_PRIOR_EVENTS = 3;
const BASELINE_SHIFTS = [0.5, 1.5, 3];
const TAIL_CAP_KAPPA = 0.3;
const DEFAULT_RATIOS = [1.5, 2, 3, 4, 6, 8, 12];

export interface Counts {
  readonly baseline: { events: number; trials: number };
  readonly steps: readonly { events: number; trials: number }[];
}

/** Exceedances of bound index `index` (requests in the buckets above it) per step. */
function countsAbove(s: Scenario, index: number): Counts {
  const rows = s.series.latencyHistogram;
  const width = s.latencyBucketsMs.length + 1;
  const warm = s.deployAtStep + Math.ceil(WARMUP_SECONDS / s.stepSeconds);
  const above = (row: readonly number[]) => {
    let t = 0;
    for (let k = index + 1; k < width; k++) t += row[k] ?? 0;
    return t;
  };
  const all = (row: readonly number[]) => row.reduce((a, b) => a + b, 0);
  let events = 0;
  let trials = 0;
  for (let t = 0; t < s.deployAtStep; t++) {
    events += above(rows[t] ?? []);
    trials += all(rows[t] ?? []);
  }
  const steps = [];
  for (let t = warm; t < rows.length; t++)
    steps.push({ events: above(rows[t] ?? []), trials: all(rows[t] ?? []) });
  return { baseline: { events, trials }, steps };
}

/** The one-look p of the bake's counts against the baseline's (lowrate-power.ts `oneLook`). */
function oneLookOf(c: Counts): number {
  const bake = { events: 0, trials: 0 };
  for (const step of c.steps) {
    bake.events += step.events;
    bake.trials += step.trials;
  }
  return oneLook(c.baseline, bake);
}

export interface TestVariant {
  readonly ratios?: readonly number[];
  readonly prior?: number;
  /** The exact-tail cap of an empty window (`TAIL_CAP_KAPPA`); null: none. */
  readonly tailCap?: number | null;
  readonly kappas?: readonly number[];
  readonly edgeShare?: number;
  readonly restartShare?: number;
}

/**
 * The evaluator's burst cap (rules/sequential-count.ts `burstCap`): at most 12 times and 4
 * standard deviations above a step's expected events, at least 1, lifted to the step before's.
 */
function burstCap(trials: number, rate: number, previous: number): number {
  const expected = trials * rate;
  const cap = Math.max(1, Math.min(Math.ceil(12 * expected), Math.ceil(expected + 4 * Math.sqrt(expected))));
  return Math.max(previous, cap);
}

/** The log e-value path of a baseline test built as the evaluator builds it, per step. */
function path(c: Counts, alpha: number, v: TestVariant = {}): number[] {
  const tailCap = v.tailCap === undefined ? TAIL_CAP_KAPPA : v.tailCap;
  let state = createBaselineRateTest({
    baselineEvents: Math.min(c.baseline.trials, c.baseline.events + (v.prior ?? BASELINE_PRIOR_EVENTS)),
    baselineTrials: c.baseline.trials,
    alpha,
    tolerance: 1,
    kappas: v.kappas ?? BASELINE_SHIFTS,
    ...(tailCap === null ? {} : { tailCap: { kappa: tailCap, maxEvents: BASELINE_PRIOR_EVENTS } }),
    ...(v.ratios ? { ratios: v.ratios } : {}),
    ...(v.edgeShare === undefined ? {} : { edgeShare: v.edgeShare }),
    ...(v.restartShare === undefined ? {} : { restartShare: v.restartShare }),
  });
  const out: number[] = [];
  let previous = 0;
  for (const s of c.steps) {
    const cap = burstCap(s.trials, state.anchorRate, previous);
    previous = s.events;
    state = updateRateTest(
      state,
      cap === 1
        ? { ...s, events: Math.min(1, s.events), atMostOne: true }
        : { ...s, events: Math.min(cap, s.events) },
    );
    out.push(state.logE);
  }
  return out;
}

const fmt = (x: number) => (x >= 1e4 ? x.toExponential(1) : x.toFixed(x < 10 ? 1 : 0));

/** The first step (index into the bake after warm-up) where `crossed` holds, or -1. */
function first(n: number, crossed: (i: number) => boolean): number {
  for (let i = 0; i < n; i++) if (crossed(i)) return i;
  return -1;
}

/** The variants compared: the evaluator's test, then one part changed at a time. */
const VARIANTS: Record<string, TestVariant> = {
  gate: {},
  wideGrid: { ratios: [...DEFAULT_RATIOS, 16, 24, 32, 48] },
  prior2: { prior: 2 },
  prior1: { prior: 1 },
  prior0: { prior: 0 },
  noCap: { tailCap: null },
  cap05: { tailCap: 0.5 },
  shift05: { kappas: [0.5] },
  shift15: { kappas: [0.5, 1.5] },
  shift3: { kappas: [1.5, 3] },
  lowGrid: { ratios: [1.5, 2, 3, 4, 6, 8] },
  grid2to16: { ratios: [2, 3, 4, 6, 8, 12, 16] },
  edge05: { edgeShare: 0.05 },
  edge10: { edgeShare: 0.1 },
  edge25: { edgeShare: 0.25 },
  restart0: { restartShare: 0 },
  restart05: { restartShare: 0.05 },
};

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [set = 'dev', count = '20', only = 'wide-tail-bad,tail-bad'] = process.argv.slice(2);
  const t1 = Math.log(1 / (0.99 * SIGNAL_ALPHA * (1 - TAIL_SHARE)));
  const t2 = Math.log(1 / (0.99 * SIGNAL_ALPHA * TAIL_SHARE));
  const tAll = Math.log(1 / (0.99 * SIGNAL_ALPHA));
  const found: Record<string, Record<string, number>> = {};
  const delays: Record<string, number[]> = {};
  const tally = (family: string, k: string, hit: boolean) => {
    const f = found[family] ?? {};
    found[family] = f;
    f[k] = (f[k] ?? 0) + (hit ? 1 : 0);
  };
  const delay = (name: string, s: Scenario, step: number) => {
    if (step < 0 || s.truth.verdict !== 'rollback') return;
    const start = (s.truth.faultStartStep ?? s.deployAtStep) - s.deployAtStep;
    const list = delays[name] ?? [];
    delays[name] = list;
    list.push((step - start) * s.stepSeconds + WARMUP_SECONDS);
  };
  for (const { family, scenarios } of generateFamilies(set, Number(count), only.split(','))) {
    for (const { scenario: s } of scenarios) {
      const buckets = s.latencyBucketsMs;
      const width = buckets.length + 1;
      const p99 = histogramQuantile(
        0.99,
        buckets,
        sumHistograms(s.series.latencyHistogram.slice(0, s.deployAtStep), width),
      );
      tally(family.id, 'n', true);
      if (p99 === null) continue;
      const i1 = Math.max(
        0,
        buckets.findIndex((b) => b >= p99),
      );
      const l1 = buckets[i1] as number;
      const i2 = buckets.findIndex((b) => b >= 2 * l1);
      const c1 = countsAbove(s, i1);
      const c2 = i2 >= 0 ? countsAbove(s, i2) : null;
      let best = 1;
      const looks = [];
      for (let k = i1; k < buckets.length; k++) {
        const c = countsAbove(s, k);
        const x = c.steps.reduce((a, z) => a + z.events, 0);
        const p = oneLookOf(c);
        best = Math.min(best, p);
        // The same one look with the prior's events added to the baseline (the evaluator's counts).
        const withPrior = oneLookOf({
          ...c,
          baseline: { ...c.baseline, events: c.baseline.events + BASELINE_PRIOR_EVENTS },
        });
        looks.push(
          `${buckets[k]}:${c.baseline.events}/${x}${p < 1e-2 ? ` p=${p.toExponential(0)},prior ${withPrior.toExponential(0)}` : ''}`,
        );
      }
      tally(family.id, 'oneLook<2e-4', best < 2e-4);
      const cells: string[] = [];
      for (const [name, v] of Object.entries(VARIANTS)) {
        const p1 = path(c1, SIGNAL_ALPHA * (1 - TAIL_SHARE), v);
        const p2 = c2 ? path(c2, SIGNAL_ALPHA * TAIL_SHARE, v) : p1.map(() => Number.NEGATIVE_INFINITY);
        const n = p1.length;
        const at = (a: number[], i: number) => a[i] as number;
        const split = first(n, (i) => at(p1, i) >= t1 || at(p2, i) >= t2);
        tally(family.id, name, split >= 0);
        delay(name, s, split);
        const joint = first(
          n,
          (i) => Math.log((1 - TAIL_SHARE) * Math.exp(at(p1, i)) + TAIL_SHARE * Math.exp(at(p2, i))) >= tAll,
        );
        tally(family.id, `${name}+joint`, joint >= 0);
        delay(`${name}+joint`, s, joint);
        const m1 = Math.exp(Math.max(...p1) - t1);
        const m2 = Math.exp(Math.max(...p2) - t2);
        cells.push(
          `${name}=${split < 0 ? '-' : split * s.stepSeconds + WARMUP_SECONDS}${joint !== split ? `/j${joint < 0 ? '-' : joint * s.stepSeconds + WARMUP_SECONDS}` : ''}(${fmt(m1 * 100)}%,${fmt(m2 * 100)}%)`,
        );
      }
      process.stdout.write(
        `${s.name.padEnd(28)} L1=${l1} L2=${i2 >= 0 ? buckets[i2] : '-'} ${cells.join(' ')} | ${looks.join(' ')}\n`,
      );
    }
  }
  for (const [family, f] of Object.entries(found)) process.stdout.write(`${family} ${JSON.stringify(f)}\n`);
  const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
  process.stdout.write(
    `median delay (s): ${Object.entries(delays)
      .map(([k, v]) => `${k} ${median(v)} (mean ${(v.reduce((a, b) => a + b, 0) / v.length).toFixed(0)})`)
      .join(', ')}\n`,
  );
}
