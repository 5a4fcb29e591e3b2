import {
  type BaselineRateTestState,
  summarizeBaselineRateTest,
  updateBaselineRateTest,
} from './baseline-rate-test';
import {
  type ConcurrentRateTestState,
  summarizeConcurrentRateTest,
  updateConcurrentRateTest,
} from './concurrent-rate-test';
import type {
  ConcurrentObservation,
  CountObservation,
  RateObservation,
  RateTestSummary,
} from './rate-test-types';
import { type SprtState, summarizeSprt, updateSprt } from './sprt';

/** The state of any rate test: plain JSON, O(grid) in size, safe to persist after every step. */
export type RateTestState = BaselineRateTestState | ConcurrentRateTestState | SprtState;

/**
 * Feeds one interval's counts to a rate test and returns the new state (the input is not
 * modified; it is returned unchanged when the interval has no usable trials). A concurrent
 * test reads `baselineEvents` / `baselineTrials` (the stable fleet over the same interval)
 * and skips an interval without them. O(grid) time, no allocation beyond the new state.
 */
export function updateRateTest(
  state: BaselineRateTestState,
  observation: CountObservation,
): BaselineRateTestState;
export function updateRateTest(
  state: ConcurrentRateTestState,
  observation: ConcurrentObservation,
): ConcurrentRateTestState;
export function updateRateTest(state: SprtState, observation: CountObservation): SprtState;
export function updateRateTest(state: RateTestState, observation: RateObservation): RateTestState;
export function updateRateTest(state: RateTestState, observation: RateObservation): RateTestState {
  switch (state.kind) {
    case 'baseline':
      return updateBaselineRateTest(state, observation);
    case 'sprt':
      return updateSprt(state, observation);
    case 'concurrent':
      if (observation.baselineEvents === undefined || observation.baselineTrials === undefined) return state;
      return updateConcurrentRateTest(state, {
        events: observation.events,
        trials: observation.trials,
        baselineEvents: observation.baselineEvents,
        baselineTrials: observation.baselineTrials,
      });
  }
}

/**
 * The statistic, the decision and the effect size of a rate test, for the verdict and the audit.
 * `interval: false` leaves the ratio's confidence sequence out (null): see {@link rateTestFigures}.
 */
export function summarizeRateTest(state: RateTestState, interval = true): RateTestSummary {
  switch (state.kind) {
    case 'baseline':
      return summarizeBaselineRateTest(state, interval);
    case 'sprt':
      return summarizeSprt(state, interval);
    case 'concurrent':
      return summarizeConcurrentRateTest(state, interval);
  }
}

/** A rate test's summary without its ratio's confidence sequence: see {@link rateTestFigures}. */
export type RateTestFigures = Omit<RateTestSummary, 'ratioInterval'>;

/**
 * {@link summarizeRateTest} without the ratio's confidence sequence (about a third of a count
 * signal's statistics per step, docs/benchmarks.md "floor10-issue-13"): every number a decision
 * or a verdict's status reads, for a caller that builds the interval only when a verdict's
 * statistic or reason is read (evaluation/lazy-verdict.ts). The same numbers as the summary's.
 */
export function rateTestFigures(state: RateTestState): RateTestFigures {
  return summarizeRateTest(state, false);
}
