import { concaveSuperLevelSet } from './confidence-sequence';
import { logAddExp, logSumExp } from './log-space';
import {
  checkAtLeast,
  checkOpenUnit,
  checkPositive,
  checkRatios,
  checkThat,
  cleanCounts,
} from './option-checks';
import { DEFAULT_RATIOS } from './rate-mixture';
import type { ConcurrentObservation, RateTestSummary } from './rate-test-types';
import {
  DEFAULT_RESTART_SHARE,
  firstCopyLogWeight,
  restartLogWeight,
  unstartedLogWeight,
} from './restart-schedule';

/**
 * Canary against the stable fleet over the same intervals: the conditional-binomial
 * likelihood-ratio mixture of docs/statistics.md. Given an interval's total events s = x_c + x_b, the
 * canary's share is Binomial(s, theta) with theta = r rho / (r rho + 1 - rho) and
 * rho = n_c / (n_c + n_b), so each interval's factor needs no baseline rate at all and a
 * traffic split that changes every interval is handled. Under equal rates the canary's
 * share is hypergeometric, which is dominated in convex order by that binomial (Hoeffding
 * 1963), so each factor still has expectation <= 1 and the product is a test supermartingale.
 */

/** Options of {@link createConcurrentRateTest}. */
export interface ConcurrentRateTestOptions {
  /** False-rejection probability over the whole watch, in (0, 1). */
  readonly alpha: number;
  /** Rate ratios (canary / stable) of the alternatives, each > 1. Default 1.5, 2, 3, 4, 6, 8, 12. */
  readonly ratios?: readonly number[];
  /** H0 is "canary rate <= tolerance x stable rate". Default 1. */
  readonly tolerance?: number;
  /** Share of the mixture held by restarted copies, in [0, 1). 0 gives the plain mixture of docs/statistics.md. Default 0.1. */
  readonly restartShare?: number;
  /** Estimated total events (both arms, from the stable fleet's count) between restarts. Default 4. */
  readonly restartEvery?: number;
  /** Overdispersion factor (>= 1): every count of both arms is divided by it. Default 1. */
  readonly dispersion?: number;
}

/** State of a concurrent rate test: plain JSON, O(grid) in size; counts divided by `dispersion`. */
export interface ConcurrentRateTestState {
  readonly kind: 'concurrent';
  readonly version: 1;
  readonly alpha: number;
  readonly tolerance: number;
  readonly dispersion: number;
  readonly ratios: readonly number[];
  readonly logThreshold: number;
  readonly restartShare: number;
  readonly restartEvery: number;
  readonly restarts: number;
  readonly sinceRestart: number;
  /** Canary totals, divided by the dispersion (what the test weighs). */
  readonly events: number;
  readonly trials: number;
  /** Canary totals as observed, for summaries (see BaselineStateCommon.observedTrials). */
  readonly observedEvents?: number;
  readonly observedTrials?: number;
  /** Stable-fleet totals over the same intervals. */
  readonly baselineEvents: number;
  readonly baselineTrials: number;
  readonly updates: number;
  /** log likelihood ratio per ratio of the copy started at the deploy. */
  readonly logLikelihoodRatios: readonly number[];
  /** Shiryaev–Roberts sums per ratio of the restarted copies; null before the first. */
  readonly restartLogSums: readonly number[] | null;
  /** Conditional log-likelihood of the rate ratio on the grid 2^(i/4 - 5), i = 0..48, for the confidence sequence. */
  readonly ratioLogLikelihood: readonly number[];
  readonly logE: number;
  readonly rejected: boolean;
  readonly rejectedAtUpdate: number | null;
}

/** The ratio grid of the confidence sequence: 2^-5 .. 2^7 in quarter octaves. */
const CS_LOG2_MIN = -5;
const CS_STEPS_PER_OCTAVE = 4;
const CS_POINTS = 49;
/** The mixture of the confidence sequence uses every fourth grid point (whole octaves). */
const CS_MIXTURE_STRIDE = 4;
const LOG_FLOOR = -1e300;

function gridRatio(i: number): number {
  return 2 ** (CS_LOG2_MIN + i / CS_STEPS_PER_OCTAVE);
}

/** The grid's ratios and their logs, computed once (the same expressions a step computed). */
const GRID_RATIOS: readonly number[] = Array.from({ length: CS_POINTS }, (_, i) => gridRatio(i));
const LOG_GRID_RATIOS: readonly number[] = GRID_RATIOS.map((g) => Math.log(g));
/** Scratch: each ratio's factor at this step; every step overwrites it. */
let factors = new Float64Array(16);

/** Starts a concurrent (canary vs stable) rate test. Throws `CONFIG_INVALID` on a bad option. */
export function createConcurrentRateTest(options: ConcurrentRateTestOptions): ConcurrentRateTestState {
  const alpha = checkOpenUnit('alpha', options.alpha);
  const ratios = checkRatios('ratios', options.ratios ?? DEFAULT_RATIOS);
  const tolerance = checkPositive('tolerance', options.tolerance ?? 1);
  const restartShare = options.restartShare ?? DEFAULT_RESTART_SHARE;
  checkThat(
    Number.isFinite(restartShare) && restartShare >= 0 && restartShare < 1,
    'restartShare',
    `must be in [0, 1), got ${String(restartShare)}`,
  );
  const restartEvery = checkPositive('restartEvery', options.restartEvery ?? 4);
  const dispersion = checkAtLeast('dispersion', options.dispersion ?? 1, 1);
  return {
    kind: 'concurrent',
    version: 1,
    alpha,
    tolerance,
    dispersion,
    ratios,
    logThreshold: Math.log(1 / alpha),
    restartShare,
    restartEvery,
    restarts: 0,
    sinceRestart: 0,
    events: 0,
    trials: 0,
    observedEvents: 0,
    observedTrials: 0,
    baselineEvents: 0,
    baselineTrials: 0,
    updates: 0,
    logLikelihoodRatios: ratios.map(() => 0),
    restartLogSums: null,
    ratioLogLikelihood: Array.from({ length: CS_POINTS }, () => 0),
    logE: 0,
    rejected: false,
    rejectedAtUpdate: null,
  };
}

/**
 * Feeds one interval of both arms. An interval where either arm has no trials carries no
 * information about the ratio and returns the same state.
 */
export function updateConcurrentRateTest(
  state: ConcurrentRateTestState,
  observation: ConcurrentObservation,
): ConcurrentRateTestState {
  const canaryObserved = cleanCounts(observation.events, observation.trials);
  const canary = scaled(canaryObserved, state.dispersion);
  const stable = scaled(
    cleanCounts(observation.baselineEvents, observation.baselineTrials),
    state.dispersion,
  );
  if (canary === null || stable === null) return state;
  const rho = canary.trials / (canary.trials + stable.trials);
  const theta0 = (state.tolerance * rho) / (state.tolerance * rho + 1 - rho);
  const total = canary.events + stable.events;
  // Each ratio's factor once per step (the copy from the deploy and the restarts' sums both
  // multiply by it): the same expression, so the same bits as computing it for each.
  const k = state.ratios.length;
  if (k > factors.length) factors = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    const r = state.ratios[i] as number;
    factors[i] =
      (canary.events === 0 ? 0 : canary.events * Math.log(r)) -
      (total === 0 ? 0 : total * Math.log1p((r - 1) * theta0));
  }

  const restartDue = state.restartShare > 0 && state.sinceRestart >= state.restartEvery;
  const restarts = restartDue ? state.restarts + 1 : state.restarts;
  const weight = restartDue ? restartLogWeight(restarts, state.restartShare) : Number.NEGATIVE_INFINITY;
  const logLikelihoodRatios: number[] = [];
  for (let i = 0; i < k; i++) {
    logLikelihoodRatios.push((state.logLikelihoodRatios[i] as number) + (factors[i] as number));
  }
  let restartLogSums: number[] | null = null;
  if (state.restartLogSums !== null || restartDue) {
    restartLogSums = [];
    for (let i = 0; i < k; i++) {
      const prior =
        state.restartLogSums === null ? Number.NEGATIVE_INFINITY : (state.restartLogSums[i] as number);
      restartLogSums.push(Math.max(logAddExp(prior, weight) + (factors[i] as number), LOG_FLOOR));
    }
  }
  // The grid's ratios and their logs are constants (GRID_RATIOS, LOG_GRID_RATIOS).
  const ratioLogLikelihood: number[] = [];
  const points = state.ratioLogLikelihood.length;
  for (let i = 0; i < points; i++) {
    const g = i < CS_POINTS ? (GRID_RATIOS[i] as number) : gridRatio(i);
    const logG = i < CS_POINTS ? (LOG_GRID_RATIOS[i] as number) : Math.log(g);
    ratioLogLikelihood.push(
      (state.ratioLogLikelihood[i] as number) +
        (canary.events === 0 ? 0 : canary.events * logG) -
        (total === 0 ? 0 : total * Math.log1p((g - 1) * rho)),
    );
  }
  const next: ConcurrentRateTestState = {
    ...state,
    restarts,
    // The stable fleet's events scaled to both arms estimate the null's total events
    // without looking at the canary's, so more canary errors never move a restart.
    sinceRestart: (restartDue ? 0 : state.sinceRestart) + stable.events / (1 - rho),
    events: state.events + canary.events,
    trials: state.trials + canary.trials,
    observedEvents: (state.observedEvents ?? state.events * state.dispersion) + (canaryObserved?.events ?? 0),
    observedTrials: (state.observedTrials ?? state.trials * state.dispersion) + (canaryObserved?.trials ?? 0),
    baselineEvents: state.baselineEvents + stable.events,
    baselineTrials: state.baselineTrials + stable.trials,
    updates: state.updates + 1,
    logLikelihoodRatios,
    restartLogSums,
    ratioLogLikelihood,
  };
  const logE = concurrentLogE(next);
  const crossed = !state.rejected && logE >= state.logThreshold;
  return {
    ...next,
    logE: Math.max(logE, LOG_FLOOR),
    rejected: state.rejected || crossed,
    rejectedAtUpdate: crossed ? next.updates : state.rejectedAtUpdate,
  };
}

function scaled(
  counts: { events: number; trials: number } | null,
  dispersion: number,
): { events: number; trials: number } | null {
  if (counts === null || dispersion === 1) return counts;
  return { events: counts.events / dispersion, trials: counts.trials / dispersion };
}

function concurrentLogE(state: ConcurrentRateTestState): number {
  const logK = Math.log(state.ratios.length);
  let total = logAddExp(
    unstartedLogWeight(state.restarts, state.restartShare),
    firstCopyLogWeight(state.restartShare) + logSumExp(state.logLikelihoodRatios) - logK,
  );
  if (state.restartLogSums !== null) total = logAddExp(total, logSumExp(state.restartLogSums) - logK);
  return total;
}

/** The summary of a concurrent rate test; see {@link RateTestSummary}. */
export function summarizeConcurrentRateTest(
  state: ConcurrentRateTestState,
  interval = true,
): RateTestSummary {
  const rate = state.trials > 0 ? state.events / state.trials : 0;
  const baselineRate = state.baselineTrials > 0 ? state.baselineEvents / state.baselineTrials : 0;
  let ratioInterval: RateTestSummary['ratioInterval'] = null;
  let ratioEstimate: number | null = null;
  if (state.updates > 0) {
    const ll = state.ratioLogLikelihood;
    const mixture: number[] = [];
    for (let i = 0; i < CS_POINTS; i += CS_MIXTURE_STRIDE) mixture.push(ll[i] as number);
    const target = logSumExp(mixture) - Math.log(mixture.length) - Math.log(1 / state.alpha);
    const step = Math.LN2 / CS_STEPS_PER_OCTAVE;
    // Without `interval` (stats/rate-test.ts `rateTestFigures`) the set is not searched.
    const set = interval ? concaveSuperLevelSet(ll, CS_LOG2_MIN * Math.LN2, step, target) : null;
    if (set !== null) {
      ratioInterval = { lower: Math.exp(set.lower), upper: Math.exp(set.upper), level: 1 - state.alpha };
    }
    ratioEstimate = maximumLikelihoodRatio(state, ll, step);
  }
  return {
    kind: 'concurrent',
    logE: state.logE,
    logThreshold: state.logThreshold,
    alpha: state.alpha,
    rejected: state.rejected,
    rejectedAtUpdate: state.rejectedAtUpdate,
    events: state.observedEvents ?? state.events * state.dispersion,
    trials: state.observedTrials ?? state.trials * state.dispersion,
    updates: state.updates,
    rate,
    baselineRate,
    nullRate: null,
    ratioEstimate,
    ratioInterval,
  };
}

/**
 * The conditional maximum-likelihood ratio: the grid maximum refined by a parabola through
 * its neighbours (in log ratio). 0 when the canary has no events, null when the stable fleet
 * has none (the ratio is unbounded) or neither has.
 */
function maximumLikelihoodRatio(
  state: ConcurrentRateTestState,
  ll: readonly number[],
  step: number,
): number | null {
  if (state.baselineEvents === 0) return null;
  if (state.events === 0) return 0;
  let best = 0;
  for (let i = 1; i < ll.length; i++) if ((ll[i] as number) > (ll[best] as number)) best = i;
  const u = CS_LOG2_MIN * Math.LN2 + best * step;
  if (best === 0 || best === ll.length - 1) return Math.exp(u);
  const left = ll[best - 1] as number;
  const mid = ll[best] as number;
  const right = ll[best + 1] as number;
  const curvature = left - 2 * mid + right;
  const shift = curvature < 0 ? (0.5 * (left - right)) / curvature : 0;
  return Math.exp(u + Math.max(-1, Math.min(1, shift)) * step);
}
