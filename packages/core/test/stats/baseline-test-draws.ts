import fc from 'fast-check';
import { type BaselineRateTestState, createBaselineRateTest } from '../../src/stats';

/**
 * Draws of baseline tests and observation streams for the baseline test's property tests: the
 * options the evaluator uses and around them (shares of 0 and 1, fractional trials, the shifts or
 * none, grace events), and streams with empty, integer and fractional steps.
 */

/** Options of a baseline test; `fractions` also draws `baselineFractions` (a layout the evaluator never starts). */
export function arbBaselineOptions(fractions: boolean) {
  return fc.record({
    baselineTrials: fc.oneof(
      fc.integer({ min: 1, max: 20_000 }),
      fc.double({ min: 1, max: 1e8, noNaN: true }),
    ),
    share: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 0.05, noNaN: true }), fc.constant(1)),
    tolerance: fc.oneof(fc.constant(1), fc.double({ min: 1, max: 3, noNaN: true })),
    dispersion: fc.oneof(fc.constant(1), fc.double({ min: 1, max: 4, noNaN: true })),
    alpha: fc.constantFrom(0.01, 0.0025, 0.2),
    kappas: fc.constantFrom(undefined, [0.5, 1.5, 3]),
    baselineFractions: fractions ? fc.constantFrom(undefined, [0.25]) : fc.constant(undefined),
    graceEvents: fc.constantFrom(0, 2),
    // The evaluator's exact-tail cap, and one that applies to every baseline drawn.
    tailCap: fc.constantFrom(undefined, { kappa: 0.3, maxEvents: 3 }, { kappa: 0.5, maxEvents: 1e9 }),
  });
}

type BaselineOptions = ReturnType<typeof arbBaselineOptions> extends fc.Arbitrary<infer T> ? T : never;

/** The test the drawn options start. */
export function startBaselineTest(o: BaselineOptions): BaselineRateTestState {
  return createBaselineRateTest({
    baselineTrials: o.baselineTrials,
    baselineEvents: o.baselineTrials * o.share,
    alpha: o.alpha,
    tolerance: o.tolerance,
    dispersion: o.dispersion,
    graceEvents: o.graceEvents,
    ...(o.kappas ? { kappas: o.kappas } : {}),
    ...(o.baselineFractions ? { baselineFractions: o.baselineFractions } : {}),
    ...(o.tailCap ? { tailCap: o.tailCap } : {}),
  });
}

/** A stream of 1-40 steps; `atMostOne` also draws steps marked as Bernoulli counts. */
export function arbObservations(atMostOne: boolean) {
  return fc.array(
    fc.record({
      trials: fc.oneof(
        fc.constant(0),
        fc.integer({ min: 1, max: 500 }),
        fc.double({ min: 1e-3, max: 1e6, noNaN: true }),
      ),
      share: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 0.2, noNaN: true }), fc.constant(1)),
      atMostOne: atMostOne ? fc.boolean() : fc.constant(false),
    }),
    { minLength: 1, maxLength: 40 },
  );
}

/** The observation a drawn step feeds the test. */
export function observationOf(step: { trials: number; share: number; atMostOne: boolean }) {
  return {
    events: step.trials * step.share,
    trials: step.trials,
    ...(step.atMostOne ? { atMostOne: true } : {}),
  };
}
