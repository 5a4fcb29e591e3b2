import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type BaselineRateTestState,
  createBaselineRateTest,
  summarizeRateTest,
  updateRateTest,
} from '../../src/stats';
import { arbBaselineOptions, arbObservations, observationOf, startBaselineTest } from './baseline-test-draws';

/**
 * The baseline test keeps the constants of its coarse grid (candidate rates, the baseline
 * e-value at each, the log factors of each null rate) per test, keyed by the state's
 * `nullRange` array (stats/baseline-rate-test.ts). A state decoded from JSON brings a new array,
 * so stepping a decoded copy recomputes everything from scratch: the reference. The live chain
 * and the reference must agree to the last bit and in the order of the fields (a save writes
 * the state's JSON text).
 */

const fresh = (s: BaselineRateTestState): BaselineRateTestState => JSON.parse(JSON.stringify(s));

describe('baseline test: the per-test grid constants', () => {
  it('give the same states, bit for bit and field for field, as recomputing them at every step', () => {
    fc.assert(
      fc.property(arbBaselineOptions(true), arbObservations(false), (options, observations) => {
        let live = startBaselineTest(options);
        for (const o of observations) {
          const observation = observationOf(o);
          const reference = updateRateTest(fresh(live), observation);
          live = updateRateTest(live, observation);
          expect(JSON.stringify(live)).toBe(JSON.stringify(reference));
          expect(Object.is(live.logE, reference.logE)).toBe(true);
          expect(summarizeRateTest(live)).toEqual(summarizeRateTest(reference));
        }
      }),
      { numRuns: 150 },
    );
  });

  it('are not reused by a state that shares the array but not the baseline counts', () => {
    const a = createBaselineRateTest({ baselineEvents: 40, baselineTrials: 10_000, alpha: 0.01 });
    const warmed = updateRateTest(a, { events: 3, trials: 400 });
    // Same nullRange array, other baseline counts: built by hand, as a caller could.
    const other: BaselineRateTestState = { ...a, baselineEvents: 4, baselineTrials: 1_000 };
    const observation = { events: 3, trials: 400 };
    expect(JSON.stringify(updateRateTest(other, observation))).toBe(
      JSON.stringify(updateRateTest(fresh(other), observation)),
    );
    expect(updateRateTest(other, observation).logE).not.toBe(warmed.logE);
  });

  it('do not change the state it was given (a step returns a new state)', () => {
    const a = createBaselineRateTest({ baselineEvents: 40, baselineTrials: 10_000, alpha: 0.01 });
    const before = JSON.stringify(a);
    const b = updateRateTest(a, { events: 30, trials: 400 });
    expect(JSON.stringify(a)).toBe(before);
    expect(b).not.toBe(a);
    expect(b.updates).toBe(1);
  });
});
