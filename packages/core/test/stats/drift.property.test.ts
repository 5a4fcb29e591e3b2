import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { driftedCounts } from '../../src/rules/sequential-count';
import { driftShare, estimateDrift, MIN_DRIFT_EVENTS } from '../../src/stats/drift';

// The drift correction only ever widens the baseline (docs/statistics.md, "Drifting baselines"):
// the share of requests is in (0, 1], falls as the spread grows, keeps the rate, and leaves at
// least MIN_DRIFT_EVENTS events (or all of them when there are fewer).
describe('the drift correction of a baseline', () => {
  const counts = fc
    .tuple(fc.double({ min: 1, max: 1e7, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }))
    .map(([trials, share]) => ({ trials, events: trials * share }));

  it('weighs the baseline as fewer requests at the same rate, never below the floor', () => {
    fc.assert(
      fc.property(
        counts,
        fc.double({ min: 0, max: 5, noNaN: true }),
        fc.double({ min: 0, max: 5, noNaN: true }),
        fc.double({ min: 1, max: 10, noNaN: true }),
        ({ trials, events }, a, b, phi) => {
          const [lo, hi] = a <= b ? [a, b] : [b, a];
          const wide = driftShare(events, trials, hi, phi);
          const narrow = driftShare(events, trials, lo, phi);
          expect(wide).toBeGreaterThan(0);
          expect(narrow).toBeLessThanOrEqual(1);
          expect(wide).toBeLessThanOrEqual(narrow + 1e-12);
          expect(wide * events).toBeGreaterThanOrEqual(Math.min(events, MIN_DRIFT_EVENTS * phi) * (1 - 1e-9));
          const drifted = driftedCounts(events, trials, { spread: hi }, phi);
          const plain = driftedCounts(events, trials, undefined, phi);
          expect(drifted.baselineTrials).toBeLessThanOrEqual(plain.baselineTrials);
          expect(drifted.baselineEvents).toBeLessThanOrEqual(drifted.baselineTrials);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('sees no drift in a window of one constant rate, whatever the traffic', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5000 }),
        fc.double({ min: 0, max: 0.5, noNaN: true }),
        fc.integer({ min: 3, max: 12 }),
        (perStep, rate, blocks) => {
          // Counts exactly at the rate (no noise at all): Q = 0.
          const points = Array.from({ length: 360 }, () => ({ events: perStep * rate, trials: perStep }));
          expect(estimateDrift(points, blocks).spread).toBe(0);
        },
      ),
      { numRuns: 200 },
    );
  });
});
