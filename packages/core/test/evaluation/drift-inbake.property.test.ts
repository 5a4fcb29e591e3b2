import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  driftInBakeDue,
  driftMarksOf,
  driftStepOf,
  takeDriftInBakeLook,
} from '../../src/evaluation/baseline-drift';
import type { SignalBaseline } from '../../src/evaluation/watch-state';
import { type SequentialState, startSequential, stepSequential } from '../../src/rules/sequential-count';
import { DRIFT_INBAKE_RATIO } from '../../src/stats/drift';

// The in-bake look (docs/statistics.md, "A step inside the bake on a drifting baseline") marks
// each split once, with the counts the test had then, and never calls a bake whose rate since
// every split stays at or below the ratio a drift is allowed times its rate before it a step.
const drift: SignalBaseline['drift'] = {
  spread: 0.25,
  blocks: 6,
  lowRate: 0.004,
  highRate: 0.008,
  pValue: 1e-6,
};
const deployAt = 1_000_000;
const stepMs = 5000;

/**
 * A baseline test on 25 events of `baselineTrials` (a drifting window weighed as few requests)
 * fed `rates` (one a step of `trials` requests), looked at as the evaluator does.
 */
function run(rates: readonly number[], trials: number, baselineTrials = 5000): SequentialState[] {
  const rule = { type: 'sequential', test: 'baseline' } as Parameters<typeof startSequential>[0];
  let state = startSequential(
    rule,
    { status: 'ok', events: 25, trials: baselineTrials, dispersion: 1 },
    0.005,
  );
  if (state === null) throw new Error('no test');
  const seen: SequentialState[] = [];
  rates.forEach((rate, k) => {
    state = stepSequential(state as SequentialState, { events: Math.round(trials * rate), trials }, null);
    const now = deployAt + (k + 1) * stepMs;
    state = takeDriftInBakeLook(state, drift, driftInBakeDue(deployAt, now - stepMs, now));
    seen.push(state);
  });
  return seen;
}

describe('takeDriftInBakeLook', () => {
  it('marks each split once, in order, with counts that never fall', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 0.02, noNaN: true }), { minLength: 60, maxLength: 180 }),
        (rates) => {
          const states = run(rates, 400);
          const marks = driftMarksOf(states.at(-1));
          const times = marks.map((m) => m.atMs);
          expect(new Set(times).size).toBe(times.length);
          expect([...times].sort((a, b) => a - b)).toEqual(times);
          for (let i = 1; i < marks.length; i++) {
            expect((marks[i] as (typeof marks)[number]).events).toBeGreaterThanOrEqual(
              (marks[i - 1] as (typeof marks)[number]).events,
            );
            expect((marks[i] as (typeof marks)[number]).trials).toBeGreaterThanOrEqual(
              (marks[i - 1] as (typeof marks)[number]).trials,
            );
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it('finds the step of a bake that quintuples its rate 1-6 min in, which the test alone keeps', () => {
    fc.assert(
      fc.property(fc.integer({ min: 12, max: 72 }), (at) => {
        // 0.2% then 1%, against a baseline of 2.5% weighed as 25 events.
        const rates = Array.from({ length: 180 }, (_, k) => (k < at ? 0.002 : 0.01));
        const step = driftStepOf(run(rates, 1000, 1000).at(-1));
        expect(step?.fromSeconds).toBeGreaterThanOrEqual(60);
        expect(step?.rate).toBeGreaterThan(DRIFT_INBAKE_RATIO * (step?.endRate ?? 1));
      }),
      { numRuns: 20 },
    );
  });

  it('never finds a step in a bake that rises by at most the allowed ratio', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.0005, max: 0.0025, noNaN: true }),
        fc.double({ min: 1, max: DRIFT_INBAKE_RATIO, noNaN: true }),
        fc.integer({ min: 12, max: 72 }),
        (low, rise, at) => {
          // The rate steps up by `rise` at step `at` (1-6 min in): within what a drift may move.
          const rates = Array.from({ length: 180 }, (_, k) => (k < at ? low : (low * rise) / 1.0001));
          // Below the baseline's 0.5% throughout, so the test alone keeps it too: nothing rejects.
          for (const state of run(rates, 1000)) {
            expect(driftStepOf(state)).toBeNull();
            expect(state.rejected).toBe(false);
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});
