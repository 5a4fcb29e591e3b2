import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { driftedCounts } from '../../src/rules/sequential-count';
import {
  chiSquareUpperTail,
  DRIFT_LEVEL,
  driftShare,
  estimateDrift,
  MIN_DRIFT_EVENTS,
} from '../../src/stats/drift';

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

  // The rising-trend gate (docs/statistics.md, "A rising trend the homogeneity test misses"):
  // only a climb counts, so a window whose blocks never rise is drift only if the homogeneity
  // test says so, and a climb's spread grows with its slope.
  const blockCounts = fc.array(fc.integer({ min: 0, max: 400 }), { minLength: 6, maxLength: 6 });

  it('never reads a window whose blocks do not rise as a trend', () => {
    fc.assert(
      fc.property(blockCounts, fc.integer({ min: 1_000, max: 200_000 }), (events, trials) => {
        const falling = [...events].sort((a, b) => b - a).map((e) => ({ events: e, trials }));
        const d = estimateDrift(falling, 6);
        if (chiSquareUpperTail(d.chiSquare, 5) >= DRIFT_LEVEL) expect(d.spread).toBe(0);
      }),
      { numRuns: 500 },
    );
  });

  it('weighs a steeper climb as at least as much drift, on the same requests and total', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 50, max: 400 }),
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 10_000, max: 200_000 }),
        (mid, a, b, trials) => {
          const [lo, hi] = a <= b ? [a, b] : [b, a];
          // Six blocks around the same mean, climbing by 2 lo or 2 hi events a block.
          const climb = (step: number) =>
            [-5, -3, -1, 1, 3, 5].map((k) => ({ events: Math.max(0, mid + k * step), trials }));
          const gentle = estimateDrift(climb(lo), 6);
          const steep = estimateDrift(climb(hi), 6);
          expect(steep.spread).toBeGreaterThanOrEqual(gentle.spread - 1e-12);
        },
      ),
      { numRuns: 300 },
    );
  });
});
