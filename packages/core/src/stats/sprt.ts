import { bernoulliKl } from './binomial-bounds';
import { rateConfidenceSequence } from './confidence-sequence';
import { checkOpenUnit, checkPositive, checkThat, cleanCounts } from './option-checks';
import type { CountObservation, RateTestSummary } from './rate-test-types';

/**
 * Wald's sequential probability ratio test of a known rate p0 (an SLO) against p1 > p0,
 * one-sided. The log likelihood ratio per trial is `log(p1/p0)` for an event and
 * `log((1-p1)/(1-p0))` otherwise, so it depends on the totals only.
 *
 * Rejection uses `log(1/alpha)`: the likelihood ratio is a test martingale under p0 (and a
 * supermartingale under any rate below p0), so by Ville's inequality the false-rejection
 * probability is at most alpha even when monitoring continues after an acceptance. Wald's
 * own bound `log((1-beta)/alpha)` is smaller by `-log(1-beta)` (0.01 nats at beta = 0.01).
 * Acceptance uses Wald's `log(beta/(1-alpha))` and is sticky, like rejection.
 */

/** Options of {@link createSprt}. */
export interface SprtOptions {
  /** The acceptable rate (H0), in (0, 1). */
  readonly p0: number;
  /** The rate to detect (H1), in (p0, 1). */
  readonly p1: number;
  /** False-rejection probability. */
  readonly alpha: number;
  /** Probability of accepting H0 when the rate is p1 (Wald's bound). */
  readonly beta: number;
}

/** State of an SPRT: plain JSON. */
export interface SprtState {
  readonly kind: 'sprt';
  readonly version: 1;
  readonly p0: number;
  readonly p1: number;
  readonly alpha: number;
  readonly beta: number;
  readonly logThreshold: number;
  readonly logAcceptThreshold: number;
  readonly events: number;
  readonly trials: number;
  readonly updates: number;
  /** log likelihood ratio of the totals. */
  readonly logLikelihoodRatio: number;
  readonly rejected: boolean;
  readonly rejectedAtUpdate: number | null;
  readonly accepted: boolean;
  readonly acceptedAtUpdate: number | null;
}

function checkSprt(options: SprtOptions): void {
  checkOpenUnit('p0', options.p0);
  checkOpenUnit('p1', options.p1);
  checkThat(options.p1 > options.p0, 'p1', `must be greater than p0 (${options.p0}), got ${options.p1}`);
  checkOpenUnit('alpha', options.alpha);
  checkOpenUnit('beta', options.beta);
}

/** Starts an SPRT. Throws `CONFIG_INVALID` on a bad option. */
export function createSprt(options: SprtOptions): SprtState {
  checkSprt(options);
  const { p0, p1, alpha, beta } = options;
  return {
    kind: 'sprt',
    version: 1,
    p0,
    p1,
    alpha,
    beta,
    logThreshold: Math.log(1 / alpha),
    logAcceptThreshold: Math.log(beta / (1 - alpha)),
    events: 0,
    trials: 0,
    updates: 0,
    logLikelihoodRatio: 0,
    rejected: false,
    rejectedAtUpdate: null,
    accepted: false,
    acceptedAtUpdate: null,
  };
}

/** Feeds one interval; the same state when it has no usable trials. */
export function updateSprt(state: SprtState, observation: CountObservation): SprtState {
  const counts = cleanCounts(observation.events, observation.trials);
  if (counts === null) return state;
  const events = state.events + counts.events;
  const trials = state.trials + counts.trials;
  const updates = state.updates + 1;
  const llr =
    events * Math.log(state.p1 / state.p0) +
    (trials - events) * (Math.log1p(-state.p1) - Math.log1p(-state.p0));
  const rejectNow = !state.rejected && llr >= state.logThreshold;
  const acceptNow = !state.accepted && llr <= state.logAcceptThreshold;
  return {
    ...state,
    events,
    trials,
    updates,
    logLikelihoodRatio: llr,
    rejected: state.rejected || rejectNow,
    rejectedAtUpdate: rejectNow ? updates : state.rejectedAtUpdate,
    accepted: state.accepted || acceptNow,
    acceptedAtUpdate: acceptNow ? updates : state.acceptedAtUpdate,
  };
}

/**
 * The summary of an SPRT; `ratioInterval` is a confidence sequence for rate / p0 (null with
 * `withInterval: false`, see stats/rate-test.ts `rateTestFigures`).
 */
export function summarizeSprt(state: SprtState, withInterval = true): RateTestSummary {
  const rate = state.trials > 0 ? state.events / state.trials : 0;
  const interval = withInterval
    ? rateConfidenceSequence(state.events, state.trials, state.alpha, state.p0)
    : null;
  return {
    kind: 'sprt',
    logE: state.logLikelihoodRatio,
    logThreshold: state.logThreshold,
    alpha: state.alpha,
    rejected: state.rejected,
    rejectedAtUpdate: state.rejectedAtUpdate,
    accepted: state.accepted,
    events: state.events,
    trials: state.trials,
    updates: state.updates,
    rate,
    baselineRate: state.p0,
    nullRate: state.p0,
    ratioEstimate: state.trials > 0 ? rate / state.p0 : null,
    ratioInterval:
      interval === null
        ? null
        : { lower: interval.lower / state.p0, upper: interval.upper / state.p0, level: 1 - state.alpha },
  };
}

/** Options of {@link sprtExpectedSeconds}. */
export interface SprtExpectedSecondsOptions extends SprtOptions {
  /** Trials per second. */
  readonly requestsPerSecond: number;
}

/**
 * Wald's approximation of the SPRT's expected sample number under H1, in seconds:
 * `[(1-beta) log((1-beta)/alpha) + beta log(beta/(1-alpha))] / KL(p1 || p0) / requestsPerSecond`.
 * The floor the benchmarks compare detection delays against (0.5% -> 3% at 10 req/s with
 * alpha = beta = 0.01: 154.9 requests, 15.49 s).
 */
export function sprtExpectedSeconds(options: SprtExpectedSecondsOptions): number {
  checkSprt(options);
  const rps = checkPositive('requestsPerSecond', options.requestsPerSecond);
  const { p0, p1, alpha, beta } = options;
  const numerator = (1 - beta) * Math.log((1 - beta) / alpha) + beta * Math.log(beta / (1 - alpha));
  return numerator / bernoulliKl(p1, p0) / rps;
}
