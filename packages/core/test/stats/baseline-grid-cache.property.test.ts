import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type BaselineRateTestState,
  createBaselineRateTest,
  summarizeRateTest,
  updateRateTest,
} from '../../src/stats';

/**
 * The baseline test keeps the constants of its coarse grid (candidate rates, the baseline
 * e-value at each, the log factors of each null rate) per test, keyed by the state's
 * `nullRange` array (stats/baseline-rate-test.ts). A state decoded from JSON brings a new array,
 * so stepping a decoded copy recomputes everything from scratch: the reference. The live chain
 * and the reference must agree to the last bit and in the order of the fields (a save writes
 * the state's JSON text).
 */

const arbOptions = fc.record({
  baselineTrials: fc.oneof(fc.integer({ min: 1, max: 20_000 }), fc.double({ min: 1, max: 1e8, noNaN: true })),
  share: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 0.05, noNaN: true }), fc.constant(1)),
  tolerance: fc.oneof(fc.constant(1), fc.double({ min: 1, max: 3, noNaN: true })),
  dispersion: fc.oneof(fc.constant(1), fc.double({ min: 1, max: 4, noNaN: true })),
  alpha: fc.constantFrom(0.01, 0.0025, 0.2),
  kappas: fc.constantFrom(undefined, [0.5, 1.5, 3]),
  baselineFractions: fc.constantFrom(undefined, [0.25]),
  graceEvents: fc.constantFrom(0, 2),
});

const arbObservations = fc.array(
  fc.record({
    trials: fc.oneof(
      fc.constant(0),
      fc.integer({ min: 1, max: 500 }),
      fc.double({ min: 1e-3, max: 1e6, noNaN: true }),
    ),
    share: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 0.2, noNaN: true }), fc.constant(1)),
  }),
  { minLength: 1, maxLength: 40 },
);

function start(o: typeof arbOptions extends fc.Arbitrary<infer T> ? T : never): BaselineRateTestState {
  return createBaselineRateTest({
    baselineTrials: o.baselineTrials,
    baselineEvents: o.baselineTrials * o.share,
    alpha: o.alpha,
    tolerance: o.tolerance,
    dispersion: o.dispersion,
    graceEvents: o.graceEvents,
    ...(o.kappas ? { kappas: o.kappas } : {}),
    ...(o.baselineFractions ? { baselineFractions: o.baselineFractions } : {}),
  });
}

const fresh = (s: BaselineRateTestState): BaselineRateTestState => JSON.parse(JSON.stringify(s));

describe('baseline test: the per-test grid constants', () => {
  it('give the same states, bit for bit and field for field, as recomputing them at every step', () => {
    fc.assert(
      fc.property(arbOptions, arbObservations, (options, observations) => {
        let live = start(options);
        for (const o of observations) {
          const observation = { events: o.trials * o.share, trials: o.trials };
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
