import { describe, expect, it } from 'vitest';
import {
  createBaselineRateTest,
  estimateDispersion,
  type RateTestState,
  summarizeRateTest,
  updateRateTest,
} from '../../src/stats';
import { binomial, poisson, type Random, seededRandom } from '../../src/testing/seeded-random';

/** Per-step counts whose rate itself varies: an exponential multiplier (coefficient of variation 1). */
function burstySteps(random: Random, steps: number, trials: number, rate: number) {
  return Array.from({ length: steps }, () => {
    const n = poisson(random, trials);
    return { events: binomial(random, n, Math.min(1, rate * -Math.log(1 - random()))), trials: n };
  });
}

describe('estimateDispersion', () => {
  it('is about 1 for binomial counts and floors at 1', () => {
    const random = seededRandom(1);
    const steps = Array.from({ length: 360 }, () => ({ events: binomial(random, 500, 0.01), trials: 500 }));
    const phi = estimateDispersion(steps);
    expect(phi).toBeGreaterThanOrEqual(1);
    expect(phi).toBeLessThan(1.2);
  });

  it('measures bursts: 1 + n p CV^2 for a rate with a random multiplier', () => {
    const random = seededRandom(2);
    const phi = estimateDispersion(burstySteps(random, 2000, 500, 0.005));
    // n p = 2.5 and CV = 1: about 3.5.
    expect(phi).toBeGreaterThan(2.8);
    expect(phi).toBeLessThan(4.3);
  });

  it('is 1 when the window cannot tell', () => {
    expect(estimateDispersion([])).toBe(1);
    expect(estimateDispersion([{ events: 1, trials: 10 }])).toBe(1);
    expect(
      estimateDispersion([
        { events: 0, trials: 10 },
        { events: 0, trials: 5 },
      ]),
    ).toBe(1);
    expect(
      estimateDispersion([
        { events: Number.NaN, trials: 10 },
        { events: 0, trials: 0 },
      ]),
    ).toBe(1);
  });
});

describe('the dispersion option', () => {
  it('restores alpha on bursty counts that fool the binomial test', () => {
    const random = seededRandom(3);
    let naive = 0;
    let corrected = 0;
    const runs = 60;
    for (let run = 0; run < runs; run++) {
      const baseline = burstySteps(random, 360, 500, 0.005);
      const after = burstySteps(random, 180, 500, 0.005);
      const events = baseline.reduce((s, p) => s + p.events, 0);
      const trials = baseline.reduce((s, p) => s + p.trials, 0);
      let plain: RateTestState = createBaselineRateTest({
        baselineEvents: events,
        baselineTrials: trials,
        alpha: 0.01,
      });
      let scaled: RateTestState = createBaselineRateTest({
        baselineEvents: events,
        baselineTrials: trials,
        alpha: 0.01,
        dispersion: Math.ceil(estimateDispersion(baseline) * 10) / 10,
      });
      for (const p of after) {
        plain = updateRateTest(plain, p);
        scaled = updateRateTest(scaled, p);
      }
      if (plain.rejected) naive++;
      if (scaled.rejected) corrected++;
    }
    expect(naive / runs).toBeGreaterThan(0.1);
    expect(corrected).toBeLessThanOrEqual(2);
  });

  it('reports the counts as observed', () => {
    let state = createBaselineRateTest({
      baselineEvents: 30,
      baselineTrials: 3000,
      alpha: 0.01,
      dispersion: 3,
    });
    state = updateRateTest(state, { events: 6, trials: 300 });
    const summary = summarizeRateTest(state);
    expect(summary.events).toBeCloseTo(6, 12);
    expect(summary.trials).toBeCloseTo(300, 12);
    expect(summary.baselineRate).toBeCloseTo(0.01, 12);
    expect(() =>
      createBaselineRateTest({ baselineEvents: 1, baselineTrials: 10, alpha: 0.01, dispersion: 0.5 }),
    ).toThrow(/dispersion/);
  });
});
