import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  errorLoadTolerance,
  isSurge,
  LOAD_SMOOTH_STEPS,
  latencyLoadTolerance,
  loadProfile,
  SURGE_FACTOR,
  smoothedLoad,
} from '../../src/evaluation/load-surge';

const steps = (trials: readonly number[]) =>
  trials.map((n, i) => ({ t: (i + 1) * 5000, events: 0, trials: n }));

describe('the baseline load profile', () => {
  it('is the mean per step and the highest one-minute mean', () => {
    // 24 steps at 100, then a minute (12 steps) at 200: the highest one-minute mean is 200.
    const profile = loadProfile(steps([...Array(24).fill(100), ...Array(12).fill(200)]), 5);
    expect(profile?.meanPerStep).toBeCloseTo((24 * 100 + 12 * 200) / 36, 9);
    expect(profile?.highPerStep).toBe(200);
    // A single busy step is averaged over its minute.
    expect(loadProfile(steps([...Array(23).fill(100), 1300]), 5)?.highPerStep).toBe(200);
  });

  it('is null without traffic', () => {
    expect(loadProfile([], 5)).toBeNull();
    expect(loadProfile(steps([0, 0, 0]), 5)).toBeNull();
  });
});

describe('a load surge', () => {
  const profile = { meanPerStep: 250, highPerStep: 300 };

  it('is traffic clearly above the busiest minute the baseline saw, on one step or over three', () => {
    expect(isSurge(profile, [], 1000)).toBe(true);
    expect(isSurge(profile, [], 300)).toBe(false);
    // Three steps a little above the busiest minute each: the smoothed test sees what one does not.
    const near = SURGE_FACTOR * 300 + 55;
    expect(isSurge(profile, [], near)).toBe(false);
    expect(isSurge(profile, [near, near], near)).toBe(true);
  });

  it('is never called at a few requests per step (no queue to fill) or without a profile', () => {
    expect(isSurge({ meanPerStep: 0.5, highPerStep: 1 }, [5, 5], 5)).toBe(false);
    expect(isSurge(null, [], 1e6)).toBe(false);
    expect(isSurge(undefined, [], 1e6)).toBe(false);
    expect(isSurge(profile, [], Number.NaN)).toBe(false);
  });

  it('is monotone in traffic: more requests never turn a surge into none (property)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.1, max: 1e4, noNaN: true }),
        fc.array(fc.nat({ max: 50_000 }), { maxLength: 5 }),
        fc.nat({ max: 50_000 }),
        fc.nat({ max: 50_000 }),
        (high, previous, a, extra) => {
          const p = { meanPerStep: high / 2, highPerStep: high };
          if (isSurge(p, previous, a)) expect(isSurge(p, previous, a + extra)).toBe(true);
        },
      ),
    );
  });

  it('is rare on Poisson traffic at the baseline level: the holdout costs a healthy watch nothing (property)', () => {
    // Traffic at the busiest minute's level, Poisson noise: 4 sigma above 1.25x is far away.
    fc.assert(
      fc.property(
        fc.double({ min: 5, max: 2000, noNaN: true }),
        fc.double({ min: -2, max: 2, noNaN: true }),
        (lambda, z) => {
          const n = Math.max(0, Math.round(lambda + z * Math.sqrt(lambda)));
          expect(isSurge({ meanPerStep: lambda, highPerStep: lambda }, [n, n], n)).toBe(false);
        },
      ),
    );
  });
});

describe('latency conditioned on load', () => {
  it('allows no more slow requests at or below the baseline mean traffic', () => {
    expect(latencyLoadTolerance(0.01, 0.5, 1)).toBe(1);
    expect(latencyLoadTolerance(0.01, 0.5, 0.3)).toBe(1);
    expect(latencyLoadTolerance(0, 0.5, 3)).toBe(1);
  });

  it('allows the share that queueing at that load explains: twice the traffic, a median up to 41% slower', () => {
    // A threshold exceeded by 1% of requests is 2.326 spreads above the median; at twice the
    // load the median moves 0.5 ln 2 / 0.5 = 0.693 spreads closer: Q(1.633) / 0.01 = 5.1.
    expect(latencyLoadTolerance(0.01, 0.5, 2)).toBeCloseTo(0.05124 / 0.01, 1);
    // Capped at 1 / share (every request slow).
    expect(latencyLoadTolerance(0.2, 0.05, 100)).toBeCloseTo(5, 9);
  });

  it('is at least 1, rises with load and falls as the spread widens (property)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 1e-5, max: 0.5, noNaN: true }),
        fc.double({ min: 0.05, max: 2, noNaN: true }),
        fc.double({ min: 0.1, max: 10, noNaN: true }),
        fc.double({ min: 0, max: 5, noNaN: true }),
        (share, spread, load, more) => {
          const t = latencyLoadTolerance(share, spread, load);
          expect(t).toBeGreaterThanOrEqual(1);
          expect(t).toBeLessThanOrEqual(1 / share + 1e-9);
          expect(latencyLoadTolerance(share, spread, load + more)).toBeGreaterThanOrEqual(t - 1e-9);
          expect(latencyLoadTolerance(share, spread * 1.5, load)).toBeLessThanOrEqual(t + 1e-9);
        },
      ),
    );
  });
});

describe('the smoothed load of a step', () => {
  const profile = { meanPerStep: 100, highPerStep: 120 };

  it('is the recent traffic over the baseline mean, less two Poisson deviations', () => {
    const previous = Array(LOAD_SMOOTH_STEPS - 1).fill(300);
    const sum = 300 * LOAD_SMOOTH_STEPS;
    expect(smoothedLoad(profile, previous, 300)).toBeCloseTo(
      (sum - 2 * Math.sqrt(sum)) / LOAD_SMOOTH_STEPS / 100,
      9,
    );
    // Only the last minute counts.
    expect(smoothedLoad(profile, [1e6, ...previous], 300)).toBeCloseTo(
      smoothedLoad(profile, previous, 300) ?? 0,
      9,
    );
  });

  it('buys no tolerance from counting noise at low traffic, and is null without a profile', () => {
    expect(smoothedLoad({ meanPerStep: 2, highPerStep: 3 }, [2, 3, 1], 2) ?? 2).toBeLessThan(1);
    expect(smoothedLoad(null, [], 100)).toBeNull();
    expect(smoothedLoad(profile, [], Number.POSITIVE_INFINITY)).toBeNull();
  });
});

describe('errors under a load surge', () => {
  it('are allowed to rise as much as the load explains, up to the rule factor', () => {
    // Twice the baseline mean: up to 41% more failures; four times: 2x, the default cap.
    expect(errorLoadTolerance(2, 2)).toBeCloseTo(Math.SQRT2, 9);
    expect(errorLoadTolerance(2, 4)).toBeCloseTo(2, 9);
    expect(errorLoadTolerance(2, 9)).toBe(2);
    expect(errorLoadTolerance(5, 9)).toBeCloseTo(3, 9);
    // At or below the baseline mean, no tolerance; a factor of 1 allows none.
    expect(errorLoadTolerance(2, 0.7)).toBe(1);
    expect(errorLoadTolerance(1, 9)).toBe(1);
  });

  it('falls back to the rule factor when the load is unknown', () => {
    expect(errorLoadTolerance(2, null)).toBe(2);
    expect(errorLoadTolerance(2, undefined)).toBe(2);
    expect(errorLoadTolerance(3, Number.NaN)).toBe(3);
  });

  it('is between 1 and the cap and never falls as load rises (property)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 1, max: 100, noNaN: true }),
        fc.double({ min: 0, max: 50, noNaN: true }),
        fc.double({ min: 0, max: 50, noNaN: true }),
        (cap, load, more) => {
          const t = errorLoadTolerance(cap, load);
          expect(t).toBeGreaterThanOrEqual(1);
          expect(t).toBeLessThanOrEqual(cap);
          expect(errorLoadTolerance(cap, load + more)).toBeGreaterThanOrEqual(t);
        },
      ),
    );
  });
});
