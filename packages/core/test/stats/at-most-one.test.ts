import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { burstCap, type SequentialState, stepSequential } from '../../src/rules/sequential-count';
import { createBaselineRateTest, summarizeRateTest, updateRateTest } from '../../src/stats';
import { seededRandom } from '../../src/testing/seeded-random';

/**
 * Intervals whose events are capped at one (`CountObservation.atMostOne`): a Bernoulli count,
 * which the baseline test does not divide by the dispersion (docs/statistics.md, "Where the
 * delay goes"). Why that is valid: with at most one event among n trials, at a mean of at most
 * n c events, every likelihood-ratio factor of an alternative a > c has an expectation of at
 * most (1 - u)^(n-1) (1 + (n - 1) u) <= 1, u = (a - c) / (1 - c), however the events cluster.
 */
describe('intervals with at most one counted event', () => {
  it('every likelihood-ratio factor keeps an expectation of at most 1, however the events cluster', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 200 }),
        fc.double({ min: 1e-6, max: 0.2, noNaN: true }),
        fc.double({ min: 1.01, max: 50, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (n, c, ratio, share) => {
          const a = Math.min(ratio * c, 0.5 * (1 + c));
          // The chance of the one event: anything up to the mean the null allows (n c, at most 1).
          const q = share * Math.min(1, n * c);
          const none = ((1 - a) / (1 - c)) ** n;
          const one = (a / c) * ((1 - a) / (1 - c)) ** (n - 1);
          expect((1 - q) * none + q * one).toBeLessThanOrEqual(1 + 1e-12);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('counts them undivided by the dispersion, and only them', () => {
    const start = createBaselineRateTest({
      baselineEvents: 20,
      baselineTrials: 1000,
      alpha: 0.005,
      dispersion: 2,
    });
    const divided = updateRateTest(start, { events: 1, trials: 2 });
    const whole = updateRateTest(start, { events: 1, trials: 2, atMostOne: true });
    expect(divided.kind === 'baseline' && divided.events).toBeCloseTo(0.5, 12);
    expect(whole.kind === 'baseline' && whole.events).toBe(1);
    expect(whole.logE).toBeGreaterThan(divided.logE);
    // What the summary reports is what was observed, either way.
    expect(summarizeRateTest(whole).events).toBe(1);
    expect(summarizeRateTest(divided).events).toBe(1);
  });

  it('the cap is one below a twelfth of an expected event, more above', () => {
    expect(burstCap({ trials: 2 }, 0.02)).toBe(1);
    expect(burstCap({ trials: 0 }, 0.5)).toBe(1);
    // 0.1 expected: 12 times it (1.2) and 4 standard deviations above it (1.4) both round to 2.
    expect(burstCap({ trials: 10 }, 0.01)).toBe(2);
    // 2 expected: 4 standard deviations (2 + 4 x 1.41 = 7.7) bind before 12 times (24).
    expect(burstCap({ trials: 100 }, 0.02)).toBe(8);
    // The dispersion widens the standard deviation: 1 expected, 2.5: 1 + 4 x 1.58 = 7.3.
    expect(burstCap({ trials: 100 }, 0.01)).toBe(5);
    expect(burstCap({ trials: 100 }, 0.01, 0, 2.5)).toBe(8);
  });

  it('stays within alpha when every interval holds one event at the null mean (seeded)', () => {
    // The worst case the lemma allows: never two events in an interval, one with chance n c
    // (more often than a binomial's P(X >= 1)). A baseline test told the errors are bursty
    // (dispersion 3) but fed these intervals undivided must still reject at most alpha.
    const random = seededRandom(12);
    const c = 0.02;
    const n = 2;
    const runs = 300;
    let rejected = 0;
    for (let run = 0; run < runs; run++) {
      let state: SequentialState = createBaselineRateTest({
        baselineEvents: c * 1e6,
        baselineTrials: 1e6,
        alpha: 0.05,
        dispersion: 3,
      });
      for (let k = 0; k < 240 && !state.rejected; k++) {
        const events = random() < n * c ? 1 : 0;
        state = stepSequential(state, { events, trials: n, atMostOne: true }, null);
      }
      if (state.rejected) rejected++;
    }
    // alpha 0.05 of 300 is 15; a Monte Carlo margin of about three standard deviations.
    expect(rejected).toBeLessThanOrEqual(26);
  });
});
