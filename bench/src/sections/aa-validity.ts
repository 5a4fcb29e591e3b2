import {
  type BaselineRateTestState,
  clopperPearsonLower,
  clopperPearsonUpper,
  createBaselineRateTest,
  createConcurrentRateTest,
  createSprt,
  type RateTestState,
  sprtExpectedSeconds,
  updateRateTest,
} from '@rollgate/core';
import { binomial, poisson, type Random, seededRandom } from '@rollgate/core/simulation';
import type { BenchContext, BenchModule, BenchSection } from '../section';

/**
 * The statistical evidence behind Rollgate's sequential rate tests (docs/statistics.md):
 * an A/A run of healthy deploys checked at every 5 s step (the false-rejection rate must stay
 * at most alpha), detection speed against Wald's SPRT floor, and the cost of one update.
 * Everything is seeded, so two runs print the same figures (timings aside).
 */

const STEP_SECONDS = 5;
const BASELINE_SECONDS = 1800;
const ALPHA = 0.01;
/** Bake lengths reported, in 5 s steps; one 30 min run answers all three (rejection is sticky). */
const BAKES = [
  { label: '5 min', steps: 60 },
  { label: '15 min', steps: 180 },
  { label: '30 min', steps: 360 },
] as const;
const MAX_STEPS = 360;
/** Healthy baseline rates, cycled over the deploys of a row: an error rate and exceedance rates. */
const HEALTHY_RATES = [0.001, 0.005, 0.02];

function percent(x: number): string {
  return `${(100 * x).toFixed(2)}%`;
}

/** "0.12% [0.05, 0.30]": a proportion with its exact two-sided 95% interval. */
function proportion(count: number, n: number): string {
  const lower = clopperPearsonLower(count, n, 0.025);
  const upper = clopperPearsonUpper(count, n, 0.025);
  return `${count} = ${percent(count / n)} [${percent(lower)}, ${percent(upper)}]`;
}

interface TestKind {
  readonly name: string;
  readonly start: (random: Random, rps: number, p: number) => RateTestState;
  readonly step: (
    state: RateTestState,
    random: Random,
    rps: number,
    p: number,
    step: number,
  ) => RateTestState;
}

function baselineKind(method: 'joint' | 'bound'): TestKind {
  return {
    name: `baseline (${method})`,
    start: (random, rps, p) => {
      const trials = rps * BASELINE_SECONDS;
      return createBaselineRateTest({
        baselineEvents: binomial(random, trials, p),
        baselineTrials: trials,
        alpha: ALPHA,
        method,
      });
    },
    step: (state, random, rps, p) => {
      const trials = poisson(random, rps * STEP_SECONDS);
      return updateRateTest(state, { events: binomial(random, trials, p), trials });
    },
  };
}

function concurrentKind(label: string, split: (step: number) => number): TestKind {
  return {
    name: `concurrent, canary ${label}`,
    start: () => createConcurrentRateTest({ alpha: ALPHA }),
    step: (state, random, rps, p, step) => {
      const n = poisson(random, rps * STEP_SECONDS);
      const canary = binomial(random, n, split(step));
      return updateRateTest(state, {
        events: binomial(random, canary, p),
        trials: canary,
        baselineEvents: binomial(random, n - canary, p),
        baselineTrials: n - canary,
      });
    },
  };
}

const SPRT_KIND: TestKind = {
  name: 'SPRT at p0 (p1 = 6 p0)',
  start: (_random, _rps, p) => createSprt({ p0: p, p1: 6 * p, alpha: ALPHA, beta: 0.01 }),
  step: (state, random, rps, p) => {
    const trials = poisson(random, rps * STEP_SECONDS);
    return updateRateTest(state, { events: binomial(random, trials, p), trials });
  },
};

/** Deploys per row: every row of a kind shares one budget, so cheap tests get more deploys. */
function rowsFor(quick: boolean): { kind: TestKind; rps: number; deploys: number }[] {
  const scale = quick ? 0.1 : 1;
  const rows: { kind: TestKind; rps: number; deploys: number }[] = [];
  for (const rps of [1, 10, 100]) {
    rows.push({ kind: baselineKind('joint'), rps, deploys: Math.round(2000 * scale) });
    rows.push({ kind: baselineKind('bound'), rps, deploys: Math.round(1000 * scale) });
    rows.push({ kind: concurrentKind('5%', () => 0.05), rps, deploys: Math.round(700 * scale) });
    rows.push({ kind: concurrentKind('50%', () => 0.5), rps, deploys: Math.round(700 * scale) });
    rows.push({
      kind: concurrentKind('ramp 5 -> 20 -> 50%', (step) => (step < 60 ? 0.05 : step < 180 ? 0.2 : 0.5)),
      rps,
      deploys: Math.round(700 * scale),
    });
    rows.push({ kind: SPRT_KIND, rps, deploys: Math.round(700 * scale) });
  }
  return rows;
}

async function aaSection(ctx: BenchContext): Promise<BenchSection> {
  const rows: (string | number)[][] = [];
  const pooled = new Map<string, { deploys: number; rejected: number[] }>();
  let total = 0;
  let worstUpper = 0;
  let worstRow = '';
  let seed = 1;
  for (const row of rowsFor(ctx.quick)) {
    const started = performance.now();
    const random = seededRandom(seed++);
    const firstRejection: number[] = [];
    for (let deploy = 0; deploy < row.deploys; deploy++) {
      const p = HEALTHY_RATES[deploy % HEALTHY_RATES.length] as number;
      let state = row.kind.start(random, row.rps, p);
      let rejectedAt = Number.POSITIVE_INFINITY;
      for (let step = 0; step < MAX_STEPS; step++) {
        state = row.kind.step(state, random, row.rps, p, step);
        if (state.rejected) {
          rejectedAt = step + 1;
          break;
        }
      }
      firstRejection.push(rejectedAt);
    }
    total += row.deploys;
    const family = row.kind.name.startsWith('concurrent') ? 'concurrent (all splits)' : row.kind.name;
    const pool = pooled.get(family) ?? { deploys: 0, rejected: BAKES.map(() => 0) };
    pool.deploys += row.deploys;
    const cells = BAKES.map((bake, b) => {
      const count = firstRejection.filter((s) => s <= bake.steps).length;
      pool.rejected[b] = (pool.rejected[b] as number) + count;
      const upper = clopperPearsonUpper(count, row.deploys, 0.025);
      if (upper > worstUpper) {
        worstUpper = upper;
        worstRow = `${row.kind.name} at ${row.rps} req/s, ${bake.label}`;
      }
      return proportion(count, row.deploys);
    });
    pooled.set(family, pool);
    rows.push([row.kind.name, `${row.rps} req/s`, row.deploys, ...cells]);
    ctx.log(
      `aa-validity: ${row.kind.name} at ${row.rps} req/s: ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
    // Let the event loop breathe between rows (progress output, signals).
    await new Promise((resolve) => setImmediate(resolve));
  }
  for (const [family, pool] of pooled) {
    rows.push([
      `**${family}, pooled**`,
      '1-100 req/s',
      pool.deploys,
      ...pool.rejected.map((count) => proportion(count, pool.deploys)),
    ]);
  }
  return {
    title: 'Statistics: A/A validity of the sequential rate tests',
    description:
      `${total} simulated healthy deploys (seeded): a 30 min pre-deploy baseline, then the new version at the ` +
      `same rate (0.1%, 0.5% or 2%, cycled), Poisson request counts per ${STEP_SECONDS} s step, every test ` +
      `evaluated at every step with alpha = ${ALPHA}. A rejection is sticky, so one 30 min run answers every ` +
      'bake length. Cells: false rejections = rate [exact 95% interval].',
    columns: ['Test', 'Traffic', 'Deploys', ...BAKES.map((b) => `False rejections, ${b.label} bake`)],
    rows,
    notes: [
      `Target: at most alpha = ${percent(ALPHA)} per deploy. The pooled rows carry the claim; a single row of ` +
        `few hundred to 2000 deploys cannot bound a rate near 1% tightly (largest single-row upper 95% bound: ` +
        `${percent(worstUpper)}, ${worstRow}).`,
      'The baseline tests are conservative by construction (they guard the worst case of an uncertain baseline ' +
        'rate); the concurrent test and the SPRT spend more of alpha, most of it at high traffic where their ' +
        'steps are small.',
    ],
  };
}

interface Speed {
  readonly steps: number[];
}

function detect(options: {
  random: Random;
  runs: number;
  rps: number;
  p0: number;
  p1: number;
  alpha: number;
  faultAtStep: number;
  method?: 'joint' | 'bound';
  restartShare?: number;
  concurrentSplit?: number;
}): Speed {
  const steps: number[] = [];
  const { random } = options;
  for (let run = 0; run < options.runs; run++) {
    let state: RateTestState;
    if (options.concurrentSplit === undefined) {
      const baselineTrials = options.rps * BASELINE_SECONDS;
      state = createBaselineRateTest({
        baselineEvents: binomial(random, baselineTrials, options.p0),
        baselineTrials,
        alpha: options.alpha,
        method: options.method ?? 'joint',
        ...(options.restartShare === undefined ? {} : { restartShare: options.restartShare }),
      }) satisfies BaselineRateTestState;
    } else {
      state = createConcurrentRateTest({ alpha: options.alpha });
    }
    let at = Number.POSITIVE_INFINITY;
    for (let step = 1; step <= options.faultAtStep + 240; step++) {
      const n = options.rps * STEP_SECONDS;
      const rate = step > options.faultAtStep ? options.p1 : options.p0;
      if (options.concurrentSplit === undefined) {
        state = updateRateTest(state, { events: binomial(random, n, rate), trials: n });
      } else {
        const canary = Math.round(n * options.concurrentSplit);
        state = updateRateTest(state, {
          events: binomial(random, canary, rate),
          trials: canary,
          baselineEvents: binomial(random, n - canary, options.p0),
          baselineTrials: n - canary,
        });
      }
      if (state.rejected) {
        at = step - options.faultAtStep;
        break;
      }
    }
    steps.push(at);
  }
  return { steps: steps.sort((a, b) => a - b) };
}

function seconds(steps: number): string {
  return Number.isFinite(steps) ? `${steps * STEP_SECONDS} s` : 'missed';
}

async function speedSection(ctx: BenchContext): Promise<BenchSection> {
  const runs = ctx.quick ? 300 : 2000;
  const random = seededRandom(424242);
  const reference = { p0: 0.005, p1: 0.03, rps: 10 };
  const sprtRef = sprtExpectedSeconds({
    p0: 0.005,
    p1: 0.03,
    alpha: 0.01,
    beta: 0.01,
    requestsPerSecond: 10,
  });
  const fastRef = sprtExpectedSeconds({
    p0: 0.005,
    p1: 0.05,
    alpha: 0.01,
    beta: 0.01,
    requestsPerSecond: 20,
  });
  const cases: { label: string; sprt: number; speed: Speed; alpha: number }[] = [];
  for (const alpha of [0.01, 0.005, 0.0025]) {
    for (const method of ['joint', 'bound'] as const) {
      cases.push({
        label: `0.5% -> 3% at 10 req/s, baseline (${method})`,
        sprt: sprtRef,
        alpha,
        speed: detect({ random, runs, ...reference, alpha, faultAtStep: 0, method }),
      });
    }
  }
  cases.push({
    label: '0.5% -> 5% at 20 req/s, baseline (joint)',
    sprt: fastRef,
    alpha: 0.01,
    speed: detect({ random, runs, rps: 20, p0: 0.005, p1: 0.05, alpha: 0.01, faultAtStep: 0 }),
  });
  cases.push({
    label: '0.5% -> 3%, concurrent: 10% canary of 100 req/s',
    sprt: sprtRef,
    alpha: 0.01,
    speed: detect({
      random,
      runs,
      ...reference,
      rps: 100,
      alpha: 0.01,
      faultAtStep: 0,
      concurrentSplit: 0.1,
    }),
  });
  cases.push({
    label: '0.5% -> 3%, concurrent: 50% canary of 10 req/s',
    sprt: sprtRef * 2,
    alpha: 0.01,
    speed: detect({ random, runs, ...reference, alpha: 0.01, faultAtStep: 0, concurrentSplit: 0.5 }),
  });
  const lateRuns = Math.round(runs / 4);
  for (const faultAtStep of [24, 60, 120]) {
    for (const restartShare of [0.1, 0]) {
      cases.push({
        label: `fault ${(faultAtStep * STEP_SECONDS) / 60} min after the deploy, baseline (joint)${restartShare === 0 ? ', no restarts' : ''}`,
        sprt: sprtRef,
        alpha: 0.01,
        speed: detect({ random, runs: lateRuns, ...reference, alpha: 0.01, faultAtStep, restartShare }),
      });
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
  const rows = cases.map((c) => {
    const s = c.speed.steps;
    const median = s[Math.floor((s.length - 1) / 2)] as number;
    const p95 = s[Math.floor(0.95 * (s.length - 1))] as number;
    const within = (limit: number): string =>
      percent(s.filter((x) => x * STEP_SECONDS <= limit).length / s.length);
    return [
      c.label,
      c.alpha,
      s.length,
      seconds(median),
      seconds(p95),
      within(20),
      within(25),
      `${c.sprt.toFixed(2)} s`,
      Number.isFinite(median) ? ((median * STEP_SECONDS) / c.sprt).toFixed(2) : 'n/a',
    ];
  });
  ctx.log('aa-validity: detection speed done');
  return {
    title: 'Statistics: detection speed against the SPRT floor',
    description:
      `Seeded simulation, ${STEP_SECONDS} s steps, a 30 min baseline at the healthy rate. Delay = ${STEP_SECONDS} s ` +
      'x the number of faulty steps seen when the test first rejects (the scenario scoring convention, ' +
      '(decidedAtStep - faultStartStep) x step, is one step less). SPRT = Wald’s expected time with the rates known ' +
      '(alpha = beta = 0.01) at the new version’s traffic (5 req/s for the 50% canary of 10 req/s).',
    columns: ['Case', 'alpha', 'Runs', 'Median', 'p95', '<= 20 s', '<= 25 s', 'SPRT', 'Median / SPRT'],
    rows,
    notes: [
      'Target: the reference case (0.5% -> 3% at 10 req/s, alpha 0.01) with a median under 25 s; 0.5% -> 5% at ' +
        '20 req/s within about 2x the SPRT.',
      'alpha 0.005 and 0.0025 are what each test gets when the evaluator splits 0.01 over 2 or 4 count signals ' +
        '(Bonferroni).',
      'A fault that starts after a healthy stretch is found by the restarted copies (docs/statistics.md); without ' +
        'them the mixture first has to climb out of the evidence for health it collected.',
    ],
  };
}

function costSection(ctx: BenchContext): BenchSection {
  const updates = ctx.quick ? 20_000 : 200_000;
  const random = seededRandom(7);
  const observations = Array.from({ length: 1024 }, () => ({
    events: binomial(random, 50, 0.005),
    trials: 50,
    baselineEvents: binomial(random, 450, 0.005),
    baselineTrials: 450,
  }));
  const kinds: [string, () => RateTestState][] = [
    [
      'baseline (joint)',
      () => createBaselineRateTest({ baselineEvents: 90, baselineTrials: 18000, alpha: ALPHA }),
    ],
    [
      'baseline (bound)',
      () =>
        createBaselineRateTest({ baselineEvents: 90, baselineTrials: 18000, alpha: ALPHA, method: 'bound' }),
    ],
    ['concurrent', () => createConcurrentRateTest({ alpha: ALPHA })],
    ['SPRT', () => createSprt({ p0: 0.005, p1: 0.03, alpha: ALPHA, beta: 0.01 })],
  ];
  const rows = kinds.map(([name, make]) => {
    let state = make();
    for (let i = 0; i < 2000; i++)
      state = updateRateTest(state, observations[i % 1024] as (typeof observations)[number]);
    const started = performance.now();
    for (let i = 0; i < updates; i++) {
      state = updateRateTest(state, observations[i % 1024] as (typeof observations)[number]);
    }
    const elapsed = (performance.now() - started) / 1000;
    const perSecond = updates / elapsed;
    const createStarted = performance.now();
    for (let i = 0; i < 200; i++) make();
    const createMs = (performance.now() - createStarted) / 200;
    return [
      name,
      Math.round(perSecond).toLocaleString('en-US'),
      `${((1e6 * elapsed) / updates).toFixed(1)} us`,
      `${createMs.toFixed(3)} ms`,
      `${JSON.stringify(state).length} B`,
    ];
  });
  return {
    title: 'Statistics: cost of a sequential test',
    description:
      `One test fed ${updates.toLocaleString('en-US')} intervals of 50 requests (plus 450 stable-fleet requests for ` +
      'the concurrent test) after a warm-up; a healthy 0.5% rate, restarted copies live. State size is its JSON.',
    columns: ['Test', 'Updates / s', 'Per update', 'Create', 'State (JSON)'],
    rows,
    notes: [
      'O(grid) per update and a state of fixed size: the joint method evaluates about 13 candidate baseline rates ' +
        'x 7 ratios x its live copies per update, the others one mixture of 7 ratios (plus 49 grid points of the ' +
        'concurrent test’s confidence sequence).',
    ],
  };
}

/** Statistics sections of docs/benchmarks.md: A/A validity, detection speed, update cost. */
export const aaValidityBench: BenchModule = async (ctx) => {
  const aa = await aaSection(ctx);
  const speed = await speedSection(ctx);
  return [aa, speed, costSection(ctx)];
};
