import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type ConcurrentRateTestState, createConcurrentRateTest, updateRateTest } from '../../src/stats';
import { logAddExp } from '../../src/stats/log-space';
import { restartLogWeight } from '../../src/stats/restart-schedule';

/**
 * The concurrent test's step computes each ratio's factor once (not once per array that uses
 * it) and reads the confidence grid's ratios and their logs from constants
 * (stats/concurrent-rate-test.ts). The reference is the step's arithmetic before that (main at
 * 21f3599), frozen here: the per-ratio arrays and the grid's log-likelihood, which the e-value and
 * the interval are computed from, must be the same to the last bit at every step.
 */

const LOG_FLOOR = -1e300;

function referenceArrays(
  state: ConcurrentRateTestState,
  canary: { events: number; trials: number },
  stable: { events: number; trials: number },
  restartDue: boolean,
  restarts: number,
) {
  const rho = canary.trials / (canary.trials + stable.trials);
  const theta0 = (state.tolerance * rho) / (state.tolerance * rho + 1 - rho);
  const total = canary.events + stable.events;
  const factor = (r: number): number =>
    (canary.events === 0 ? 0 : canary.events * Math.log(r)) -
    (total === 0 ? 0 : total * Math.log1p((r - 1) * theta0));
  const weight = restartDue ? restartLogWeight(restarts, state.restartShare) : Number.NEGATIVE_INFINITY;
  return {
    logLikelihoodRatios: state.ratios.map((r, i) => (state.logLikelihoodRatios[i] as number) + factor(r)),
    restartLogSums:
      state.restartLogSums === null && !restartDue
        ? null
        : state.ratios.map((r, i) => {
            const prior =
              state.restartLogSums === null ? Number.NEGATIVE_INFINITY : (state.restartLogSums[i] as number);
            return Math.max(logAddExp(prior, weight) + factor(r), LOG_FLOOR);
          }),
    ratioLogLikelihood: state.ratioLogLikelihood.map((v, i) => {
      const g = 2 ** (-5 + i / 4);
      return (
        v +
        (canary.events === 0 ? 0 : canary.events * Math.log(g)) -
        (total === 0 ? 0 : total * Math.log1p((g - 1) * rho))
      );
    }),
  };
}

const arbStep = fc.record({
  events: fc.oneof(
    fc.constant(0),
    fc.integer({ min: 0, max: 30 }),
    fc.double({ min: 0, max: 30, noNaN: true }),
  ),
  trials: fc.oneof(fc.integer({ min: 30, max: 500 }), fc.double({ min: 30, max: 1e5, noNaN: true })),
  baselineEvents: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 60 })),
  baselineTrials: fc.integer({ min: 60, max: 5_000 }),
});

describe('concurrent test: a step against a frozen reference of its arithmetic', () => {
  it('gives the same per-ratio arrays and grid log-likelihood, bit for bit, at every step', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(0, 0.1),
        fc.constantFrom(1, 2),
        fc.array(arbStep, { minLength: 1, maxLength: 40 }),
        (restartShare, dispersion, steps) => {
          let state = createConcurrentRateTest({ alpha: 0.01, restartShare, dispersion });
          for (const step of steps) {
            const canary = {
              events: Math.min(step.events, step.trials) / dispersion,
              trials: step.trials / dispersion,
            };
            const stable = {
              events: step.baselineEvents / dispersion,
              trials: step.baselineTrials / dispersion,
            };
            const restartDue = state.restartShare > 0 && state.sinceRestart >= state.restartEvery;
            const reference = referenceArrays(
              state,
              canary,
              stable,
              restartDue,
              state.restarts + (restartDue ? 1 : 0),
            );
            state = updateRateTest(state, step);
            expect(state.logLikelihoodRatios).toEqual(reference.logLikelihoodRatios);
            expect(state.restartLogSums).toEqual(reference.restartLogSums);
            expect(state.ratioLogLikelihood).toEqual(reference.ratioLogLikelihood);
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
