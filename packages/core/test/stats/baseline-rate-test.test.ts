import { describe, expect, it } from 'vitest';
import {
  type BaselineRateTestState,
  type ConcurrentRateTestState,
  createBaselineRateTest,
  createConcurrentRateTest,
  DEFAULT_RATIOS,
  summarizeRateTest,
  updateRateTest,
} from '../../src/stats';
import { RESTART_KEEPING } from '../../src/stats/baseline-rate-test';
import { clopperPearsonUpper } from '../../src/stats/binomial-bounds';
import { logSumExp } from '../../src/stats/log-space';
import { binomial, poisson, type Random, seededRandom } from '../../src/testing/seeded-random';
import { configError } from './config-error';

/** Steps (5 s each) until rejection of one simulated deploy; Infinity when never. */
function detectionStep(
  random: Random,
  options: {
    rps: number;
    p0: number;
    p1: number;
    faultAtStep?: number;
    steps: number;
    alpha: number;
    method?: 'joint' | 'bound';
    restartShare?: number;
    tolerance?: number;
  },
): number {
  const baselineTrials = options.rps * 1800;
  let state: BaselineRateTestState = createBaselineRateTest({
    baselineEvents: binomial(random, baselineTrials, options.p0),
    baselineTrials,
    alpha: options.alpha,
    method: options.method ?? 'joint',
    ...(options.restartShare === undefined ? {} : { restartShare: options.restartShare }),
    ...(options.tolerance === undefined ? {} : { tolerance: options.tolerance }),
  });
  for (let step = 1; step <= options.steps; step++) {
    const trials = options.rps * 5;
    const rate = step > (options.faultAtStep ?? 0) ? options.p1 : options.p0;
    state = updateRateTest(state, { events: binomial(random, trials, rate), trials });
    if (state.rejected) return step;
  }
  return Number.POSITIVE_INFINITY;
}

function share(values: readonly number[], predicate: (v: number) => boolean): number {
  return values.filter(predicate).length / values.length;
}

describe('createBaselineRateTest options', () => {
  const ok = { baselineEvents: 90, baselineTrials: 18000, alpha: 0.01 };
  it('rejects each bad option by its path', () => {
    configError(() => createBaselineRateTest({ ...ok, alpha: 0 }), 'alpha');
    configError(() => createBaselineRateTest({ ...ok, baselineTrials: 0 }), 'baselineTrials');
    configError(() => createBaselineRateTest({ ...ok, baselineEvents: -1 }), 'baselineEvents');
    configError(() => createBaselineRateTest({ ...ok, baselineEvents: 18001 }), 'baselineEvents');
    configError(() => createBaselineRateTest({ ...ok, ratios: [] }), 'ratios');
    configError(() => createBaselineRateTest({ ...ok, ratios: [2, 1] }), 'ratios[1]');
    configError(() => createBaselineRateTest({ ...ok, tolerance: -1 }), 'tolerance');
    configError(() => createBaselineRateTest({ ...ok, method: 'bound', boundShare: 1 }), 'boundShare');
    configError(() => createBaselineRateTest({ ...ok, restartShare: 1 }), 'restartShare');
    configError(() => createBaselineRateTest({ ...ok, restartEvery: 0 }), 'restartEvery');
    configError(() => createBaselineRateTest({ ...ok, method: 'fast' as 'joint' }), 'method');
  });

  it('starts neutral: log e-value 0, nothing rejected, the joint method by default', () => {
    const state = createBaselineRateTest(ok);
    expect(state.method).toBe('joint');
    expect(state.logE).toBe(0);
    expect(state.rejected).toBe(false);
    expect(state.ratios).toEqual(DEFAULT_RATIOS);
    const summary = summarizeRateTest(state);
    expect(summary.kind).toBe('baseline');
    expect(summary.ratioInterval).toBeNull();
    expect(summary.ratioEstimate).toBeNull();
    expect(summary.logThreshold).toBeCloseTo(Math.log(1 / (0.01 * 0.99)), 12);
  });
});

describe('the bound method (docs/statistics.md)', () => {
  it('is the equal-weight mixture against tolerance x the Clopper–Pearson bound, at (1 - boundShare) alpha', () => {
    let state = createBaselineRateTest({
      baselineEvents: 90,
      baselineTrials: 18000,
      alpha: 0.01,
      method: 'bound',
      boundShare: 0.5,
      tolerance: 1.2,
      restartShare: 0,
    });
    const bound = clopperPearsonUpper(90, 18000, 0.005);
    expect(state.method === 'bound' && state.baselineBound).toBeCloseTo(bound, 15);
    const c = 1.2 * bound;
    state = updateRateTest(state, { events: 3, trials: 120 });
    state = updateRateTest(state, { events: 1.5, trials: 80.5 });
    const x = 4.5;
    const n = 200.5;
    const expected =
      logSumExp(
        DEFAULT_RATIOS.map((r) => x * Math.log(r) + (n - x) * (Math.log1p(-r * c) - Math.log1p(-c))),
      ) - Math.log(DEFAULT_RATIOS.length);
    expect(state.logE).toBeCloseTo(expected, 10);
    expect(state.logThreshold).toBeCloseTo(Math.log(200), 12);
    expect(summarizeRateTest(state).nullRate).toBeCloseTo(c, 15);
  });

  it('caps alternatives that would pass a rate of 1', () => {
    let state = createBaselineRateTest({
      baselineEvents: 40,
      baselineTrials: 100,
      alpha: 0.01,
      method: 'bound',
    });
    for (let i = 0; i < 50; i++) state = updateRateTest(state, { events: 10, trials: 10 });
    expect(Number.isFinite(state.logE)).toBe(true);
    expect(state.rejected).toBe(true);
  });
});

describe('the joint method', () => {
  it('gives up no more than it must with zero baseline events', () => {
    const base = { baselineEvents: 0, baselineTrials: 18000, alpha: 0.01 };
    let quiet = createBaselineRateTest(base);
    for (let i = 0; i < 500; i++) quiet = updateRateTest(quiet, { events: 0, trials: 100 });
    expect(quiet.rejected).toBe(false);
    // Five errors in the first 100 requests after a baseline with none in 18,000.
    const loud = updateRateTest(createBaselineRateTest(base), { events: 5, trials: 100 });
    expect(loud.rejected).toBe(true);
    expect(summarizeRateTest(loud).ratioEstimate).toBeNull();
    expect(summarizeRateTest(loud).ratioInterval?.upper).toBe(Number.POSITIVE_INFINITY);
  });

  it('never rejects when the rate is within the tolerance, even with lots of data', () => {
    const random = seededRandom(7);
    const steps: number[] = [];
    for (let run = 0; run < 60; run++) {
      steps.push(
        detectionStep(random, { rps: 100, p0: 0.01, p1: 0.013, steps: 180, alpha: 0.01, tolerance: 1.5 }),
      );
    }
    expect(steps.every((s) => s === Number.POSITIVE_INFINITY)).toBe(true);
  });

  it('a 1.6x drift with tolerance 1.5 is still caught', () => {
    const random = seededRandom(8);
    const steps: number[] = [];
    for (let run = 0; run < 40; run++) {
      steps.push(
        detectionStep(random, { rps: 100, p0: 0.01, p1: 0.03, steps: 180, alpha: 0.01, tolerance: 1.5 }),
      );
    }
    expect(share(steps, (s) => s <= 24)).toBeGreaterThan(0.9);
  });

  it('reports the binding null rate and a ratio interval around the truth', () => {
    let state = createBaselineRateTest({ baselineEvents: 100, baselineTrials: 20000, alpha: 0.01 });
    state = updateRateTest(state, { events: 30, trials: 1000 });
    const summary = summarizeRateTest(state);
    expect(summary.rejected).toBe(true);
    expect(summary.ratioEstimate).toBeCloseTo(6, 12);
    expect(summary.ratioInterval?.lower).toBeLessThan(6);
    expect(summary.ratioInterval?.upper).toBeGreaterThan(6);
    expect(summary.nullRate).toBeGreaterThan(0.004);
    expect(summary.nullRate).toBeLessThan(0.008);
    expect(summary.rejectedAtUpdate).toBe(1);
  });
});

describe('detection speed (seeded simulation)', () => {
  it('reference case: 0.5% -> 3% at 10 req/s over a 30 min baseline, alpha 0.01: median <= 20 s', () => {
    const random = seededRandom(20240601);
    const joint: number[] = [];
    const bound: number[] = [];
    for (let run = 0; run < 800; run++) {
      joint.push(detectionStep(random, { rps: 10, p0: 0.005, p1: 0.03, steps: 40, alpha: 0.01 }));
      bound.push(
        detectionStep(random, { rps: 10, p0: 0.005, p1: 0.03, steps: 40, alpha: 0.01, method: 'bound' }),
      );
    }
    // Detection after the 4th 5-second interval means 20 s of the new version's traffic.
    expect(share(joint, (s) => s <= 4)).toBeGreaterThanOrEqual(0.46);
    expect(share(joint, (s) => s <= 5)).toBeGreaterThan(0.57);
    expect(share(joint, (s) => s <= 12)).toBeGreaterThan(0.95);
    // The joint method is what buys the speed: the brief's bound-then-test is a step slower.
    expect(share(joint, (s) => s <= 5) - share(bound, (s) => s <= 5)).toBeGreaterThan(0.06);
  });

  it('0.5% -> 5% at 20 req/s: median detection in the first 5 s interval (SPRT reference 3.16 s)', () => {
    const random = seededRandom(99);
    const steps: number[] = [];
    for (let run = 0; run < 400; run++)
      steps.push(detectionStep(random, { rps: 20, p0: 0.005, p1: 0.05, steps: 20, alpha: 0.01 }));
    expect(share(steps, (s) => s <= 1)).toBeGreaterThan(0.5);
    expect(share(steps, (s) => s <= 2)).toBeGreaterThan(0.85);
    expect(share(steps, (s) => s <= 3)).toBeGreaterThan(0.95);
  });

  it('restarts cut the delay of a fault that starts 5 minutes after the deploy', () => {
    const random = seededRandom(5);
    const withRestarts: number[] = [];
    const without: number[] = [];
    for (let run = 0; run < 150; run++) {
      const o = { rps: 10, p0: 0.005, p1: 0.03, faultAtStep: 60, steps: 160, alpha: 0.01 };
      withRestarts.push(detectionStep(random, o) - 60);
      without.push(detectionStep(random, { ...o, restartShare: 0 }) - 60);
    }
    const median = (v: number[]): number => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)] as number;
    expect(median(withRestarts)).toBeLessThan(0.7 * median(without));
    expect(Math.min(...withRestarts)).toBeGreaterThan(0);
  });
});

describe('which restarts are kept (docs/statistics.md)', () => {
  /** Runs `body` with the older rule: the newest restarts kept, the oldest dropped. */
  function keepingNewest<T>(body: () => T): T {
    RESTART_KEEPING.keep = 'newest';
    try {
      return body();
    } finally {
      RESTART_KEEPING.keep = 'strongest';
    }
  }
  const median = (v: number[]): number => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)] as number;

  it('catches a weak fault 100 steps after the deploy sooner than keeping the newest copies', () => {
    const detect = () => {
      const random = seededRandom(41);
      const delays: number[] = [];
      for (let run = 0; run < 60; run++) {
        const o = { rps: 150, p0: 0.01, p1: 0.02, faultAtStep: 100, steps: 300, alpha: 0.01 };
        delays.push(detectionStep(random, o) - 100);
      }
      return delays;
    };
    const strongest = detect();
    const newest = keepingNewest(detect);
    expect(median(strongest)).toBeLessThan(0.5 * median(newest));
    expect(Math.min(...strongest)).toBeGreaterThan(0);
  });
});

describe('the ratio confidence sequence', () => {
  it('covers the true ratio at every step of every run at least 1 - alpha of the time', () => {
    const random = seededRandom(31);
    let misses = 0;
    const runs = 300;
    for (let run = 0; run < runs; run++) {
      const p = 0.01;
      const q = 0.02;
      let state = createBaselineRateTest({
        baselineEvents: binomial(random, 10_000, p),
        baselineTrials: 10_000,
        alpha: 0.05,
      });
      let missed = false;
      for (let step = 0; step < 60; step++) {
        const trials = poisson(random, 40);
        state = updateRateTest(state, { events: binomial(random, trials, q), trials });
        const interval = summarizeRateTest(state).ratioInterval;
        if (interval && (interval.lower > q / p || interval.upper < q / p)) missed = true;
      }
      if (missed) misses++;
    }
    expect(misses / runs).toBeLessThanOrEqual(0.05);
  });
});

describe('summary counts under overdispersion', () => {
  // Regression: dividing by the dispersion and multiplying back reported 594 requests as
  // 593.9999999999999 (seen in `rollgate watch --json`); the summary reports what was observed.
  it('reports the observed events and trials exactly, for both methods and the concurrent test', () => {
    for (const method of ['joint', 'bound'] as const) {
      let state: BaselineRateTestState = createBaselineRateTest({
        baselineEvents: 90,
        baselineTrials: 18_000,
        alpha: 0.01,
        method,
        dispersion: 1.3,
      });
      for (const trials of [99, 99, 99, 99, 99, 99]) state = updateRateTest(state, { events: 1, trials });
      const summary = summarizeRateTest(state);
      expect(state.trials * state.dispersion).not.toBe(594);
      expect(summary.trials).toBe(594);
      expect(summary.events).toBe(6);
    }
    let concurrent: ConcurrentRateTestState = createConcurrentRateTest({ alpha: 0.01, dispersion: 1.3 });
    for (let i = 0; i < 6; i++)
      concurrent = updateRateTest(concurrent, {
        events: 1,
        trials: 99,
        baselineEvents: 1,
        baselineTrials: 99,
      });
    expect(summarizeRateTest(concurrent).trials).toBe(594);
  });
});
