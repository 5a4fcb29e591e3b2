import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DRIFT_STEP_RATIO, stepAtDeployP } from '../../src/stats/drift';

// The step look (docs/statistics.md, "A step at the deploy on a drifting baseline's test") is a
// p-value in [0, 1] that falls as the bake's events rise and as the ratio a drift is allowed
// falls, and a bake at or below the allowed ratio of the window end's rate never reads as a step
// at any level a look uses (its p-value stays near a half or above).
describe('stepAtDeployP', () => {
  const counts = fc.record({
    events: fc.integer({ min: 1, max: 5000 }),
    trials: fc.integer({ min: 1, max: 1_000_000 }),
    endEvents: fc.integer({ min: 0, max: 5000 }),
    endTrials: fc.integer({ min: 1, max: 1_000_000 }),
  });

  it('is monotone in the bake events and in the allowed ratio', () => {
    fc.assert(
      fc.property(counts, fc.double({ min: 1, max: 4, noNaN: true }), (c, ratio) => {
        const p = stepAtDeployP(c.events, c.trials, c.endEvents, c.endTrials, ratio) as number;
        expect(p).toBeGreaterThanOrEqual(0);
        expect(p).toBeLessThanOrEqual(1);
        const more = stepAtDeployP(c.events + 1, c.trials, c.endEvents, c.endTrials, ratio) as number;
        expect(more).toBeLessThanOrEqual(p + 1e-12);
        const wider = stepAtDeployP(c.events, c.trials, c.endEvents, c.endTrials, ratio * 1.5) as number;
        expect(wider).toBeGreaterThanOrEqual(p - 1e-12);
      }),
    );
  });

  it('does not call a bake at or below the allowed ratio of the window end a step', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5000 }),
        fc.integer({ min: 1000, max: 1_000_000 }),
        fc.integer({ min: 1000, max: 1_000_000 }),
        fc.double({ min: 0.1, max: 1, noNaN: true }),
        (endEvents, endTrials, trials, share) => {
          // The bake's events at `share` of the allowed ratio times the end's rate, rounded down.
          const events = Math.floor(((share * DRIFT_STEP_RATIO * endEvents) / endTrials) * trials);
          fc.pre(events >= 1);
          expect(stepAtDeployP(events, trials, endEvents, endTrials) as number).toBeGreaterThan(0.25);
        },
      ),
    );
  });
});
