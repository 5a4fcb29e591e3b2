import { describe, expect, it } from 'vitest';
import {
  createBaselineRateTest,
  createConcurrentRateTest,
  createSprt,
  type RateTestState,
  updateRateTest,
} from '../../src/stats';
import { binomialUpperTail } from '../../src/stats/special-functions';
import { binomial, poisson, type Random, seededRandom } from '../../src/testing/seeded-random';

// A scaled-down A/A run (the full one is bench/src/sections/aa-validity.ts): healthy deploys,
// evaluated at every 5 s step of a 15 min bake, must be rejected at most alpha of the time.
const ALPHA = 0.01;
const STEPS = 180;
const P = 0.005;

/** Largest count of false rejections out of n that is still consistent with a rate <= alpha (1% test). */
function allowed(n: number): number {
  let k = 0;
  while (binomialUpperTail(k + 1, n, ALPHA) > 0.01) k++;
  return k;
}

function healthyBaseline(random: Random, rps: number, method: 'joint' | 'bound'): boolean {
  const baselineTrials = rps * 1800;
  let state: RateTestState = createBaselineRateTest({
    baselineEvents: binomial(random, baselineTrials, P),
    baselineTrials,
    alpha: ALPHA,
    method,
  });
  for (let step = 0; step < STEPS; step++) {
    const trials = poisson(random, rps * 5);
    state = updateRateTest(state, { events: binomial(random, trials, P), trials });
    if (state.rejected) return true;
  }
  return false;
}

function healthyConcurrent(random: Random, rps: number, split: (step: number) => number): boolean {
  let state: RateTestState = createConcurrentRateTest({ alpha: ALPHA });
  for (let step = 0; step < STEPS; step++) {
    const n = poisson(random, rps * 5);
    const nc = binomial(random, n, split(step));
    state = updateRateTest(state, {
      events: binomial(random, nc, P),
      trials: nc,
      baselineEvents: binomial(random, n - nc, P),
      baselineTrials: n - nc,
    });
    if (state.rejected) return true;
  }
  return false;
}

describe('A/A validity (scaled down)', () => {
  for (const method of ['joint', 'bound'] as const) {
    it(`baseline test (${method}): false rejections <= alpha over 1, 10 and 100 req/s`, () => {
      const random = seededRandom(method === 'joint' ? 101 : 202);
      let rejected = 0;
      let runs = 0;
      for (const rps of [1, 10, 100]) {
        for (let run = 0; run < 150; run++, runs++) if (healthyBaseline(random, rps, method)) rejected++;
      }
      expect(rejected).toBeLessThanOrEqual(allowed(runs));
    });
  }

  it('concurrent test: false rejections <= alpha over splits of 5%, 50% and a ramp', () => {
    const random = seededRandom(303);
    const splits = [() => 0.05, () => 0.5, (step: number) => (step < 36 ? 0.05 : step < 90 ? 0.2 : 0.5)];
    let rejected = 0;
    let runs = 0;
    for (const rps of [1, 10, 100]) {
      for (const split of splits) {
        for (let run = 0; run < 80; run++, runs++) if (healthyConcurrent(random, rps, split)) rejected++;
      }
    }
    expect(rejected).toBeLessThanOrEqual(allowed(runs));
  });

  it('SPRT at exactly p0: false rejections <= alpha', () => {
    const random = seededRandom(404);
    let rejected = 0;
    for (let run = 0; run < 600; run++) {
      let state: RateTestState = createSprt({ p0: P, p1: 0.03, alpha: ALPHA, beta: 0.01 });
      for (let step = 0; step < STEPS && !state.rejected; step++) {
        state = updateRateTest(state, { events: binomial(random, 50, P), trials: 50 });
      }
      if (state.rejected) rejected++;
    }
    expect(rejected).toBeLessThanOrEqual(allowed(600));
  });
});
