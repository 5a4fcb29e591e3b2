import { clopperPearsonLower, clopperPearsonUpper } from './binomial-bounds';
import { rateConfidenceSequence } from './confidence-sequence';
import { logAddExp, logSumExp } from './log-space';
import {
  checkAtLeast,
  checkOpenUnit,
  checkPositive,
  checkRatios,
  checkThat,
  cleanCounts,
  MAX_RATIOS,
} from './option-checks';
import { DEFAULT_RATIOS, fillLogFactors, logMixture } from './rate-mixture';
import type { CountObservation, RateTestSummary } from './rate-test-types';
import {
  DEFAULT_RESTART_SHARE,
  firstCopyLogWeight,
  restartLogWeight,
  unstartedLogWeight,
} from './restart-schedule';
import { regularizedBeta } from './special-functions';

/**
 * The new version's event rate against a historical baseline (the pre-deploy window). The
 * arms are not concurrent, so the baseline rate p is a nuisance known only through its own
 * counts (B events of N0 trials). Two methods, both valid at every step:
 *
 * - `joint` (default): for every candidate baseline rate p', the product of an e-value from
 *   the baseline counts for "the baseline rate is p'" and the new version's e-process for
 *   "rate <= tolerance * p'". Under the null, the factor at the true p is a test
 *   supermartingale with mean <= 1, so the infimum over p' is a valid e-process. It rejects
 *   when that infimum reaches `1/alpha'` (alpha' = 0.99 alpha; the other 1% bounds p' to a
 *   Clopper–Pearson interval). The baseline's uncertainty is paid smoothly where the evidence
 *   lies instead of all at once at a fixed quantile.
 * - `bound`: the design brief's method. Spend `boundShare * alpha` on a one-sided
 *   Clopper–Pearson upper bound of p, then test "rate <= tolerance * bound" with the rest.
 *
 * Both use the ratio grid (`ratios`, equal weights) as the alternatives and mix in restarted
 * copies (see restart-schedule.ts).
 */

/** Options of {@link createBaselineRateTest}. */
export interface BaselineRateTestOptions {
  /** Events (errors, exceedances) counted in the pre-deploy window; may be a non-integer. */
  readonly baselineEvents: number;
  /** Trials (requests) counted in the pre-deploy window; must be > 0. */
  readonly baselineTrials: number;
  /** False-rejection probability over the whole watch, in (0, 1). */
  readonly alpha: number;
  /** `joint` (default, faster) or `bound` (the brief's Clopper–Pearson bound then test). */
  readonly method?: 'joint' | 'bound';
  /** `bound` only: share of alpha spent on the baseline bound. Default 0.25. */
  readonly boundShare?: number;
  /** Rate ratios of the alternatives, each > 1. Default 1.5, 2, 3, 4, 6, 8, 12. */
  readonly ratios?: readonly number[];
  /** H0 is "rate <= tolerance x baseline rate" (> 0; the contract requires >= 1). Default 1. */
  readonly tolerance?: number;
  /** Share of the mixture held by restarted copies, in [0, 1). 0 disables them. Default 0.1. */
  readonly restartShare?: number;
  /** Baseline-rate events expected between restarts (exposure, not observed events). Default 2. */
  readonly restartEvery?: number;
  /**
   * `joint` only: the standardised shifts of the baseline e-value's alternatives (equal-weight
   * mixture; at most 16). Default `[0.5]`. More shifts pay for a baseline that is far from
   * a candidate rate in full (docs/statistics.md, "Small baselines").
   */
  readonly kappas?: readonly number[];
  /**
   * Overdispersion factor (>= 1) of the counts: bursty errors vary more than a binomial, which
   * would make the test too eager. Every count is divided by it (quasi-likelihood), the same
   * for the baseline and the new version. Estimate it from the pre-deploy intervals with
   * `estimateDispersion`. Default 1.
   */
  readonly dispersion?: number;
  /**
   * `joint` only: events of the new version that are no evidence (>= 0; default 0). H0 becomes
   * "the version's own events are binomial at rate <= tolerance x baseline rate, plus at most
   * this many from elsewhere" (a busy host slowing or failing a handful of requests): every
   * copy of the e-process counts its events less this many, as non-events. A count, not a rate:
   * a sustained fault outgrows it, a handful never does (docs/statistics.md, "Small baselines").
   */
  readonly graceEvents?: number;
  /**
   * `joint` only: fixed fractions c in (0, 1) of a candidate rate p' whose alternatives
   * `c p'` join the baseline e-value's mixture (equal weights with the shifts). A shift of a few
   * standard errors cannot exclude a candidate far above a baseline of a few events; an
   * alternative at a fixed fraction does (docs/statistics.md, "Small baselines"). Default none.
   */
  readonly baselineFractions?: readonly number[];
  /**
   * `joint` only: the share of alpha that bounds the candidate baseline rates to a two-sided
   * Clopper–Pearson interval (half a side), in (0, 1); the test itself rejects at
   * `1 / (alpha (1 - edgeShare))`. Default 0.01.
   */
  readonly edgeShare?: number;
  /**
   * `joint` only: where the baseline weighs at most `maxEvents` events, its e-value for each
   * candidate rate is capped by the calibrated exact binomial tail `kappa P^(kappa - 1)`,
   * `P = P(Binomial(N0, p') <= B)` (kappa in (0, 1)). Never above the uncapped e-value, so
   * valid; it makes a handful of events against an empty window pay more (docs/statistics.md,
   * "Small baselines"). Default none.
   */
  readonly tailCap?: TailCap;
}

/** See {@link BaselineRateTestOptions.tailCap}. */
export interface TailCap {
  readonly kappa: number;
  readonly maxEvents: number;
}

/**
 * The calibrator's kappa of the evaluator's tail cap (rules/sequential-count.ts applies it to
 * baselines that hold no more than the prior's events). Measured on the DEV families, 0.3 to
 * 0.5 (docs/benchmarks.md, "nearzero11-issue-12"): a smaller kappa caps less.
 */
export const TAIL_CAP_KAPPA = 0.3;

/** A copy of the test started after `events` and `trials` had been seen, with its weight. */
export interface RestartCopy {
  readonly events: number;
  readonly trials: number;
  readonly logWeight: number;
}

/**
 * Common fields. Counts (`baselineEvents`, `events`, copies) are stored divided by
 * `dispersion`; the summary reports them as observed.
 */
interface BaselineStateCommon {
  readonly kind: 'baseline';
  readonly version: 1;
  readonly alpha: number;
  readonly tolerance: number;
  readonly ratios: readonly number[];
  readonly dispersion: number;
  readonly baselineEvents: number;
  readonly baselineTrials: number;
  /** `(B + 0.5) / (N0 + 1)`: sets the restart pace and the scale of the ratio interval. */
  readonly anchorRate: number;
  /** Two-sided Clopper–Pearson interval of the baseline rate at alpha/2, for the ratio interval. */
  readonly baselineInterval: readonly [number, number];
  readonly logThreshold: number;
  readonly restartShare: number;
  readonly restartEvery: number;
  /** Restarts so far. */
  readonly restarts: number;
  /** Baseline-rate events expected since the last (re)start. */
  readonly sinceRestart: number;
  /** Events and trials fed so far, divided by the dispersion (what the test weighs). */
  readonly events: number;
  readonly trials: number;
  /**
   * The counts as observed, undivided: what summaries report. Kept apart because dividing by
   * the dispersion and multiplying back does not round-trip (594 trials came back as
   * 593.9999999999999). Absent in states saved before it existed.
   */
  readonly observedEvents?: number;
  readonly observedTrials?: number;
  /** Intervals with trials fed so far. */
  readonly updates: number;
  /** The current log e-value (a lower bound for `joint`). */
  readonly logE: number;
  /** The null rate the evidence is measured against (the binding one for `joint`). */
  readonly nullRate: number;
  readonly rejected: boolean;
  readonly rejectedAtUpdate: number | null;
  /**
   * Set when one look at the bake's end rejected (rules/sequential-count.ts `takeFinalLook`):
   * its exact conditional p-value and the alpha it spent, and `withoutPrior` when the bake ended
   * below its request floor and the look weighed the window's own events (no prior). Absent
   * otherwise.
   */
  readonly finalLook?: { readonly p: number; readonly alpha: number; readonly withoutPrior?: true };
  /**
   * The counts load-surge steps (`CountObservation.loadFactor`) fed, as the test weighs them
   * (included in `events` and `trials`): the look at the bake's end leaves them out. Absent
   * until such a step.
   */
  readonly surged?: { readonly events: number; readonly trials: number };
}

/** State of the `joint` method. */
export interface JointBaselineRateTestState extends BaselineStateCommon {
  readonly method: 'joint';
  /** Baseline rates p' outside [lower, upper] are excluded by a Clopper–Pearson interval. */
  readonly nullRange: readonly [number, number];
  /** Standardised shift of the baseline e-value's alternative. */
  readonly kappa: number;
  /** Several shifts: the baseline e-value is their equal-weight mixture (overrides `kappa`). */
  readonly kappas?: readonly number[];
  /** The copy started at the deploy first, then the live restarts (at most MAX_LIVE_RESTARTS). */
  readonly copies: readonly RestartCopy[];
  /** Events (divided by the dispersion) each copy does not count as evidence; absent = 0. */
  readonly graceEvents?: number;
  /** Fixed-fraction alternatives of the baseline e-value (see the option); absent = none. */
  readonly baselineFractions?: readonly number[];
  /**
   * The exact-tail cap of the baseline e-value (see the option); absent = none, or a baseline
   * above its `maxEvents`.
   */
  readonly tailCap?: TailCap;
}

/** State of the `bound` method. */
export interface BoundBaselineRateTestState extends BaselineStateCommon {
  readonly method: 'bound';
  readonly boundShare: number;
  /** The Clopper–Pearson upper bound of the baseline rate at `boundShare * alpha`. */
  readonly baselineBound: number;
  /** Log of the restarted copies' sum per ratio (Shiryaev–Roberts recursion); null before the first. */
  readonly restartLogSums: readonly number[] | null;
}

/** State of a baseline rate test: plain JSON, O(grid) in size. */
export type BaselineRateTestState = JointBaselineRateTestState | BoundBaselineRateTestState;

/** Share of alpha that bounds the candidate baseline rates of the `joint` method (half per side). */
const JOINT_EDGE_SHARE = 0.01;
/** Standardised shift of the baseline e-value (see docs/statistics.md for how it was chosen). */
const JOINT_KAPPA = 0.5;
/** Restarted copies kept alive by the `joint` method (each costs one mixture per grid point). */
const MAX_LIVE_RESTARTS = 3;
/** Grid over candidate baseline rates, and the refinement of the cells that may bind. */
const COARSE_CELLS = 12;
const REFINE_CELLS = 8;
/** Levels of refinement: a binding cell ends up 64 times narrower than the coarse grid's. */
const REFINE_DEPTH = 2;
/** Cells are refined only when a grid point is within this many nats of the threshold. */
const REFINE_MARGIN = 1;
/** Where the grid starts when the baseline interval reaches 0 (zero baseline events). */
const ZERO_FLOOR_FRACTION = 1e-3;
/** The log e-value stored when it is the log of zero (JSON has no -Infinity). */
const LOG_FLOOR = -1e300;

/**
 * Starts a baseline rate test. Throws `CONFIG_INVALID` naming the option when an option is
 * out of range. See docs/statistics.md for the guarantee and its assumptions.
 */
export function createBaselineRateTest(options: BaselineRateTestOptions): BaselineRateTestState {
  const alpha = checkOpenUnit('alpha', options.alpha);
  const observedTrials = checkPositive('baselineTrials', options.baselineTrials);
  const observedEvents = checkAtLeast('baselineEvents', options.baselineEvents, 0);
  checkThat(
    observedEvents <= observedTrials,
    'baselineEvents',
    `must not exceed baselineTrials (${observedTrials}), got ${observedEvents}`,
  );
  const dispersion = checkAtLeast('dispersion', options.dispersion ?? 1, 1);
  const trials = observedTrials / dispersion;
  const events = observedEvents / dispersion;
  const tolerance = checkPositive('tolerance', options.tolerance ?? 1);
  const ratios = checkRatios('ratios', options.ratios ?? DEFAULT_RATIOS);
  const restartShare = options.restartShare ?? DEFAULT_RESTART_SHARE;
  checkThat(
    Number.isFinite(restartShare) && restartShare >= 0 && restartShare < 1,
    'restartShare',
    `must be in [0, 1), got ${String(restartShare)}`,
  );
  const restartEvery = checkPositive('restartEvery', options.restartEvery ?? 2);
  const method = options.method ?? 'joint';
  checkThat(
    method === 'joint' || method === 'bound',
    'method',
    `must be 'joint' or 'bound', got ${String(method)}`,
  );
  const graceEvents = checkAtLeast('graceEvents', options.graceEvents ?? 0, 0);
  checkThat(
    method === 'joint' || graceEvents === 0,
    'graceEvents',
    `is supported by method 'joint' only, got ${String(graceEvents)} with method '${method}'`,
  );
  const fractions = fractionsOption(options.baselineFractions);
  const tailCap = tailCapOption(options.tailCap);
  checkThat(
    method === 'joint' || tailCap.tailCap === undefined,
    'tailCap',
    `is supported by method 'joint' only, got ${JSON.stringify(options.tailCap)} with method '${method}'`,
  );
  checkThat(
    method === 'joint' || fractions.baselineFractions === undefined,
    'baselineFractions',
    `is supported by method 'joint' only, got ${JSON.stringify(options.baselineFractions)} with method '${method}'`,
  );
  const common = {
    kind: 'baseline' as const,
    version: 1 as const,
    alpha,
    tolerance,
    ratios,
    dispersion,
    baselineEvents: events,
    baselineTrials: trials,
    anchorRate: (events + 0.5) / (trials + 1),
    baselineInterval: [
      clopperPearsonLower(events, trials, alpha / 4),
      clopperPearsonUpper(events, trials, alpha / 4),
    ] as const,
    restartShare,
    restartEvery,
    restarts: 0,
    sinceRestart: 0,
    events: 0,
    trials: 0,
    observedEvents: 0,
    observedTrials: 0,
    updates: 0,
    logE: 0,
    rejected: false,
    rejectedAtUpdate: null,
  };
  if (method === 'bound') {
    const boundShare = options.boundShare ?? 0.25;
    checkThat(
      Number.isFinite(boundShare) && boundShare > 0 && boundShare < 1,
      'boundShare',
      `must be strictly between 0 and 1, got ${String(boundShare)}`,
    );
    const baselineBound = clopperPearsonUpper(events, trials, alpha * boundShare);
    const state: BoundBaselineRateTestState = {
      ...common,
      method,
      boundShare,
      baselineBound,
      nullRate: Math.min(tolerance * baselineBound, 1),
      logThreshold: Math.log(1 / (alpha * (1 - boundShare))),
      restartLogSums: null,
    };
    return { ...state, logE: boundLogE(state) };
  }
  const edgeShare = options.edgeShare ?? JOINT_EDGE_SHARE;
  checkThat(
    Number.isFinite(edgeShare) && edgeShare > 0 && edgeShare < 1,
    'edgeShare',
    `must be strictly between 0 and 1, got ${String(edgeShare)}`,
  );
  const edge = (alpha * edgeShare) / 2;
  const nullRange = [
    clopperPearsonLower(events, trials, edge),
    clopperPearsonUpper(events, trials, edge),
  ] as const;
  const state: JointBaselineRateTestState = {
    ...common,
    method,
    nullRange,
    kappa: JOINT_KAPPA,
    ...kappasOption(options.kappas),
    ...(graceEvents > 0 ? { graceEvents: graceEvents / dispersion } : {}),
    ...fractions,
    // Kept only where it applies (the baseline never changes): other states keep their layout.
    ...(tailCap.tailCap !== undefined && events <= tailCap.tailCap.maxEvents ? tailCap : {}),
    nullRate: Math.min(tolerance * nullRange[1], 1),
    logThreshold: Math.log(1 / (alpha * (1 - edgeShare))),
    copies: [{ events: 0, trials: 0, logWeight: firstCopyLogWeight(restartShare) }],
  };
  const { logE, nullRate } = jointLogE(state);
  return { ...state, logE, nullRate };
}

/**
 * Feeds one interval. Returns the same state when the interval has no usable trials; a
 * rejection is sticky.
 */
export function updateBaselineRateTest(
  state: BaselineRateTestState,
  observation: CountObservation,
): BaselineRateTestState {
  const observed = cleanCounts(observation.events, observation.trials);
  if (observed === null) return state;
  const counts =
    state.dispersion === 1 || observation.atMostOne === true
      ? observed
      : { events: observed.events / state.dispersion, trials: observed.trials / state.dispersion };
  const restartDue = state.restartShare > 0 && state.sinceRestart >= state.restartEvery;
  const restarts = restartDue ? state.restarts + 1 : state.restarts;
  const observedEvents = (state.observedEvents ?? state.events * state.dispersion) + observed.events;
  const observedTrials = (state.observedTrials ?? state.trials * state.dispersion) + observed.trials;
  const sinceRestart =
    (restartDue ? 0 : state.sinceRestart) + counts.trials * state.tolerance * state.anchorRate;
  // What every method's step advances (spread over the state, whose key order it keeps: a save
  // writes the same bytes).
  const advanced: Advanced = {
    restarts,
    sinceRestart,
    events: state.events + counts.events,
    trials: state.trials + counts.trials,
    observedEvents,
    observedTrials,
    updates: state.updates + 1,
  };
  if (state.method === 'bound') {
    const next: BoundBaselineRateTestState = {
      ...state,
      ...advanced,
      restartLogSums: nextRestartLogSums(state, counts, restartDue ? restarts : 0),
      ...(isSurgeStep(observation) ? { surged: addSurged(state.surged, counts) } : {}),
    };
    return settle(next, boundLogE(next), next.nullRate);
  }
  let copies = state.copies;
  if (restartDue) {
    const started: RestartCopy = {
      events: state.events,
      trials: state.trials,
      logWeight: restartLogWeight(restarts, state.restartShare),
    };
    // Dropping a restart sets its martingale to zero from then on: still a supermartingale,
    // whichever copy it is (restart-schedule.ts).
    const kept = copies.length > MAX_LIVE_RESTARTS ? withoutOneRestart(state, copies) : copies;
    // `concat` sizes the array to its copies; a spread leaves room for 19 (docs/benchmarks.md,
    // `heap14-issue-13`): the state keeps it until the next restart.
    copies = kept.concat([started]);
  }
  // One new object per step (the fields in the order they always had: a save writes the same
  // bytes), settled in place before anyone else can see it.
  // Other layouts take the spread: the same keys in the same order, written out less quickly.
  const layout = evaluatorLayout(state);
  const next: JointBaselineRateTestState =
    layout === 'plain'
      ? steppedEvaluatorState(state, advanced, copies)
      : layout === 'capped'
        ? steppedCappedState(state, advanced, copies)
        : { ...state, ...advanced, copies };
  const { logE, nullRate } = jointLogE(next);
  settleFresh(next, logE, nullRate);
  if (isSurgeStep(observation)) {
    (next as Mutable<JointBaselineRateTestState>).surged = addSurged(state.surged, counts);
  }
  return next;
}

/**
 * Which restarted copy makes room for a new one once {@link MAX_LIVE_RESTARTS} are live:
 * `strongest` keeps the copies whose own evidence is largest (the default), `newest` the latest
 * started (the rule before round 20). A field, not a constant, only so that the stored-format
 * tests can run a watch as the code that saved their fixtures did.
 */
export const RESTART_KEEPING: { keep: 'strongest' | 'newest' } = { keep: 'strongest' };

/**
 * `copies` without one restarted copy (never the copy from the deploy, index 0). With
 * `strongest`, the one of least weighed evidence: its log weight plus the log of its equal-weight
 * mixture over the ratio grid, of the counts since it started, against the binding null rate (a
 * Poisson approximation; only the ranking matters). Dropping the oldest instead throws away the copy
 * that started at a fault which began after the deploy as soon as three younger ones exist
 * (every 2 expected events), so a weak fault that needs more evidence than that was judged only
 * by copies too young to hold it (docs/statistics.md, "Which restarts are kept").
 * The ranking uses data up to now only, so validity holds as for any copy dropped.
 */
function withoutOneRestart(state: JointBaselineRateTestState, copies: readonly RestartCopy[]): RestartCopy[] {
  let drop = 1;
  if (RESTART_KEEPING.keep === 'strongest') {
    let least = Number.POSITIVE_INFINITY;
    for (let i = 1; i < copies.length; i++) {
      const evidence = copyEvidence(state, copies[i] as RestartCopy);
      if (evidence < least) {
        least = evidence;
        drop = i;
      }
    }
  }
  return copies.slice(0, drop).concat(copies.slice(drop + 1));
}

/**
 * A copy's weighed evidence: its log weight plus the log of its equal-weight mixture over the
 * ratio grid, of the counts since it started, against the binding null rate (a Poisson
 * approximation, as the e-value mixes them; only the ranking is read).
 */
function copyEvidence(state: JointBaselineRateTestState, copy: RestartCopy): number {
  const events = state.events - copy.events;
  const expected = (state.trials - copy.trials) * state.nullRate;
  const terms = state.ratios.map((r) => events * Math.log(r) - (r - 1) * expected);
  return copy.logWeight + logSumExp(terms) - Math.log(terms.length);
}

/**
 * Where a `joint` test's evidence is: the counts (as observed) since the restarted copy of
 * largest weighed evidence started, when that copy outweighs the copy from the deploy; null
 * otherwise (the whole bake's counts tell it, or the method keeps no copies). A short burst
 * after a long quiet bake is such a case: the e-value crosses on the burst while the whole
 * bake's rate is near the baseline's, and a reason that quoted only the whole bake would read as
 * a rollback without evidence (docs/statistics.md, "What a breach's reason says when a restart
 * crossed"). Built only for a breach's reason: O(copies x grid).
 */
export function leadingRestart(
  state: BaselineRateTestState,
): { readonly events: number; readonly trials: number } | null {
  if (state.method !== 'joint' || state.copies.length < 2) return null;
  let lead = 0;
  let most = copyEvidence(state, state.copies[0] as RestartCopy);
  for (let i = 1; i < state.copies.length; i++) {
    const evidence = copyEvidence(state, state.copies[i] as RestartCopy);
    if (evidence > most) {
      most = evidence;
      lead = i;
    }
  }
  if (lead === 0) return null;
  const copy = state.copies[lead] as RestartCopy;
  const trials = (state.trials - copy.trials) * state.dispersion;
  if (!(trials > 0)) return null;
  return { events: (state.events - copy.events) * state.dispersion, trials };
}

/** Whether an observation is a load-surge step's (its events divided by a finite factor above 1). */
function isSurgeStep(observation: CountObservation): boolean {
  const factor = observation.loadFactor;
  return factor !== undefined && factor > 1 && Number.isFinite(factor);
}

/** {@link BaselineStateCommon.surged} with one more load-surge step's counts, as fed. */
function addSurged(
  surged: BaselineStateCommon['surged'],
  counts: { readonly events: number; readonly trials: number },
): NonNullable<BaselineStateCommon['surged']> {
  return { events: (surged?.events ?? 0) + counts.events, trials: (surged?.trials ?? 0) + counts.trials };
}

/**
 * The keys, in order, of the `joint` states the evaluator starts (with `kappas`, without grace
 * events or fractions: rules/sequential-count.ts) and every step of them keeps. A step of such a
 * state is built field by field ({@link steppedEvaluatorState}): spreading a state of 29 fields
 * takes the engine's slow path (about 1.8 KB per step, measured with bench/src/fleet-profile.ts
 * --mode alloc), against one object of the final size. Any other layout (older snapshots, other
 * options) is spread as before.
 */
const EVALUATOR_KEYS: readonly string[] = [
  'kind',
  'version',
  'alpha',
  'tolerance',
  'ratios',
  'dispersion',
  'baselineEvents',
  'baselineTrials',
  'anchorRate',
  'baselineInterval',
  'restartShare',
  'restartEvery',
  'restarts',
  'sinceRestart',
  'events',
  'trials',
  'observedEvents',
  'observedTrials',
  'updates',
  'logE',
  'rejected',
  'rejectedAtUpdate',
  'method',
  'nullRange',
  'kappa',
  'kappas',
  'nullRate',
  'logThreshold',
  'copies',
];

/** Where {@link EVALUATOR_KEYS} holds `kappas`: a capped state has `tailCap` right after it. */
const KAPPAS_AT = EVALUATOR_KEYS.indexOf('kappas');

/**
 * Which of the evaluator's layouts a state's keys are, in order (so a save writes the same
 * bytes): {@link EVALUATOR_KEYS} (`plain`), the same with `tailCap` after `kappas` (`capped`:
 * the baselines of a few events, which the default contract's latency tests usually are), or
 * neither (`other`).
 */
function evaluatorLayout(state: JointBaselineRateTestState): 'plain' | 'capped' | 'other' {
  // for-in walks the own keys in the order JSON.stringify writes them (states are plain
  // objects), without building an array of them.
  let i = 0;
  let capped = false;
  for (const key in state) {
    if (key !== EVALUATOR_KEYS[i]) {
      if (capped || i !== KAPPAS_AT + 1 || key !== 'tailCap') return 'other';
      capped = true;
      continue;
    }
    i++;
  }
  if (i !== EVALUATOR_KEYS.length) return 'other';
  return capped ? 'capped' : 'plain';
}

/** What a step advances in every method's state. */
interface Advanced {
  readonly restarts: number;
  readonly sinceRestart: number;
  readonly events: number;
  readonly trials: number;
  readonly observedEvents: number;
  readonly observedTrials: number;
  readonly updates: number;
}

/**
 * `{ ...state, ...advanced, copies }` for a state of {@link EVALUATOR_KEYS}: the same keys in
 * the same order with the same values, written out (a test compares the two).
 */
function steppedEvaluatorState(
  state: JointBaselineRateTestState,
  advanced: Advanced,
  copies: readonly RestartCopy[],
): JointBaselineRateTestState {
  return {
    kind: state.kind,
    version: state.version,
    alpha: state.alpha,
    tolerance: state.tolerance,
    ratios: state.ratios,
    dispersion: state.dispersion,
    baselineEvents: state.baselineEvents,
    baselineTrials: state.baselineTrials,
    anchorRate: state.anchorRate,
    baselineInterval: state.baselineInterval,
    restartShare: state.restartShare,
    restartEvery: state.restartEvery,
    restarts: advanced.restarts,
    sinceRestart: advanced.sinceRestart,
    events: advanced.events,
    trials: advanced.trials,
    observedEvents: advanced.observedEvents,
    observedTrials: advanced.observedTrials,
    updates: advanced.updates,
    logE: state.logE,
    rejected: state.rejected,
    rejectedAtUpdate: state.rejectedAtUpdate,
    method: state.method,
    nullRange: state.nullRange,
    kappa: state.kappa,
    kappas: state.kappas as readonly number[],
    nullRate: state.nullRate,
    logThreshold: state.logThreshold,
    copies,
  };
}

/**
 * {@link steppedEvaluatorState} for the `capped` layout (`tailCap` after `kappas`), as
 * `{ ...state, ...advanced, copies }` would write it (a test compares the two).
 */
function steppedCappedState(
  state: JointBaselineRateTestState,
  advanced: Advanced,
  copies: readonly RestartCopy[],
): JointBaselineRateTestState {
  return {
    kind: state.kind,
    version: state.version,
    alpha: state.alpha,
    tolerance: state.tolerance,
    ratios: state.ratios,
    dispersion: state.dispersion,
    baselineEvents: state.baselineEvents,
    baselineTrials: state.baselineTrials,
    anchorRate: state.anchorRate,
    baselineInterval: state.baselineInterval,
    restartShare: state.restartShare,
    restartEvery: state.restartEvery,
    restarts: advanced.restarts,
    sinceRestart: advanced.sinceRestart,
    events: advanced.events,
    trials: advanced.trials,
    observedEvents: advanced.observedEvents,
    observedTrials: advanced.observedTrials,
    updates: advanced.updates,
    logE: state.logE,
    rejected: state.rejected,
    rejectedAtUpdate: state.rejectedAtUpdate,
    method: state.method,
    nullRange: state.nullRange,
    kappa: state.kappa,
    kappas: state.kappas as readonly number[],
    tailCap: state.tailCap as TailCap,
    nullRate: state.nullRate,
    logThreshold: state.logThreshold,
    copies,
  };
}

/** {@link settle} on a state this module has just built and nobody else holds yet. */
function settleFresh(state: BaselineRateTestState, logE: number, nullRate: number): void {
  const crossed = !state.rejected && logE >= state.logThreshold;
  const fresh = state as Mutable<BaselineRateTestState>;
  fresh.logE = Math.max(logE, LOG_FLOOR);
  fresh.nullRate = nullRate;
  fresh.rejected = state.rejected || crossed;
  fresh.rejectedAtUpdate = crossed ? state.updates : state.rejectedAtUpdate;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function kappasOption(kappas: readonly number[] | undefined): { kappas?: readonly number[] } {
  if (kappas === undefined) return {};
  checkThat(
    Array.isArray(kappas) &&
      kappas.length >= 1 &&
      kappas.length <= 16 &&
      kappas.every((k) => Number.isFinite(k) && k > 0),
    'kappas',
    `must be 1 to 16 positive finite numbers, got ${JSON.stringify(kappas)}`,
  );
  return { kappas: [...kappas] };
}

function fractionsOption(fractions: readonly number[] | undefined): {
  baselineFractions?: readonly number[];
} {
  if (fractions === undefined || fractions.length === 0) return {};
  checkThat(
    Array.isArray(fractions) &&
      fractions.length <= 8 &&
      fractions.every((c) => Number.isFinite(c) && c > 0 && c < 1),
    'baselineFractions',
    `must be at most 8 numbers strictly between 0 and 1, got ${JSON.stringify(fractions)}`,
  );
  return { baselineFractions: [...fractions] };
}

function tailCapOption(cap: TailCap | undefined): { tailCap?: TailCap } {
  if (cap === undefined) return {};
  checkThat(
    typeof cap === 'object' &&
      cap !== null &&
      Number.isFinite(cap.kappa) &&
      cap.kappa > 0 &&
      cap.kappa < 1 &&
      Number.isFinite(cap.maxEvents) &&
      cap.maxEvents >= 0,
    'tailCap',
    `must be { kappa in (0, 1), maxEvents >= 0 }, got ${JSON.stringify(cap)}`,
  );
  return { tailCap: { kappa: cap.kappa, maxEvents: cap.maxEvents } };
}

function settle<S extends BaselineRateTestState>(state: S, logE: number, nullRate: number): S {
  const crossed = !state.rejected && logE >= state.logThreshold;
  return {
    ...state,
    logE: Math.max(logE, LOG_FLOOR),
    nullRate,
    rejected: state.rejected || crossed,
    rejectedAtUpdate: crossed ? state.updates : state.rejectedAtUpdate,
  };
}

// Scratch buffers: the hot path allocates nothing. Every call overwrites what it reads.
const perEvent = new Float64Array(MAX_RATIOS);
const perNonEvent = new Float64Array(MAX_RATIOS);
const terms = new Float64Array(MAX_RATIOS * (MAX_LIVE_RESTARTS + 2));
const gridNew = new Float64Array(COARSE_CELLS + 1);
// Per coarse point at this step (see raisePoint): its terms, their lower bound and maximum, how
// far it is known (gridNew holds the exact mixture at EXACT); one copy's terms; per cell, whether
// its bound was computed.
let pointTerms = new Float64Array((COARSE_CELLS + 1) * MAX_RATIOS * (MAX_LIVE_RESTARTS + 2));
const lowNew = new Float64Array(COARSE_CELLS + 1);
const maxNew = new Float64Array(COARSE_CELLS + 1);
const pointLevel = new Uint8Array(COARSE_CELLS + 1);
const copyScratch = new Float64Array(MAX_RATIOS);
const cellDone = new Uint8Array(COARSE_CELLS);
const subBaseline = Array.from({ length: REFINE_DEPTH }, () => new Float64Array(REFINE_CELLS + 1));
const subNew = Array.from({ length: REFINE_DEPTH }, () => new Float64Array(REFINE_CELLS + 1));
const shiftScratch = new Float64Array(24);
// Per live copy at this step (see fillCopyCounts); grown if a restored state holds more copies.
let copyEvents = new Float64Array(MAX_LIVE_RESTARTS + 2);
let copyNonEvents = new Float64Array(MAX_LIVE_RESTARTS + 2);
let copyLogWeights = new Float64Array(MAX_LIVE_RESTARTS + 2);

function growCopyScratch(n: number): void {
  copyEvents = new Float64Array(n);
  copyNonEvents = new Float64Array(n);
  copyLogWeights = new Float64Array(n);
}
const NONE: readonly number[] = [];

/**
 * log of the baseline e-value for "the baseline rate is p": the likelihood ratio of the
 * alternative `p * exp(-delta)` with `delta = kappa / sqrt(max(N0 p, 1))`, a shift of kappa
 * standard errors. It rises with p (docs/statistics.md proves it), which is what lets the
 * infimum over p be bounded from grid points.
 */
export function logBaselineEvidence(
  p: number,
  state: Pick<BaselineStateCommon, 'baselineEvents' | 'baselineTrials'> & {
    readonly kappa: number;
    readonly kappas?: readonly number[];
    readonly baselineFractions?: readonly number[];
    readonly tailCap?: TailCap;
  },
): number {
  const evidence = logShiftMixtureEvidence(p, state);
  const cap = state.tailCap;
  if (cap === undefined || state.baselineEvents > cap.maxEvents) return evidence;
  // Any function of the baseline counts at most an e-value is an e-value, and the minimum of
  // two functions rising with p rises with p: the cap keeps both facts the infimum relies on.
  return Math.min(evidence, logCalibratedTail(p, state.baselineEvents, state.baselineTrials, cap.kappa));
}

/**
 * log of `kappa P^(kappa - 1)` with `P = P(Binomial(trials, p) <= events)`, the exact
 * (Clopper–Pearson) tail: a p-value for "the baseline rate is p" turned into an e-value by a
 * calibrator (Vovk & Wang 2021). Rises with p (the tail falls). Where the tail cannot be
 * computed it returns +Infinity, which leaves the uncapped e-value.
 */
export function logCalibratedTail(p: number, events: number, trials: number, kappa: number): number {
  if (p <= 0 || events >= trials) return Math.log(kappa);
  const tail = regularizedBeta(p, events + 1, trials - events, true);
  if (!(tail > 0)) return Number.POSITIVE_INFINITY;
  return Math.log(kappa) + (kappa - 1) * Math.log(Math.min(tail, 1));
}

/** The baseline e-value of the shifts (and fractions): their equal-weight mixture. */
function logShiftMixtureEvidence(
  p: number,
  state: Pick<BaselineStateCommon, 'baselineEvents' | 'baselineTrials'> & {
    readonly kappa: number;
    readonly kappas?: readonly number[];
    readonly baselineFractions?: readonly number[];
  },
): number {
  const { baselineEvents: events, baselineTrials: trials } = state;
  const fractions = state.baselineFractions ?? NONE;
  const kappas = state.kappas;
  if ((!kappas || kappas.length <= 1) && fractions.length === 0)
    return logShiftEvidence(p, events, trials, kappas?.[0] ?? state.kappa);
  const shifts = kappas ?? [state.kappa];
  // An equal-weight mixture of e-values is an e-value, and a sum of functions rising with p
  // rises with p: both facts the infimum relies on survive.
  let max = Number.NEGATIVE_INFINITY;
  const n = shifts.length + fractions.length;
  for (let i = 0; i < n; i++) {
    const v =
      i < shifts.length
        ? logShiftEvidence(p, events, trials, shifts[i] as number)
        : logFractionEvidence(p, events, trials, fractions[i - shifts.length] as number);
    shiftScratch[i] = v;
    if (v > max) max = v;
  }
  let sum = 0;
  for (let i = 0; i < n; i++) sum += Math.exp((shiftScratch[i] as number) - max);
  return max + Math.log(sum / n);
}

/** The likelihood ratio of `c p` against p for the baseline counts; rises with p. */
function logFractionEvidence(p: number, events: number, trials: number, c: number): number {
  const logC = Math.log(c);
  if (p <= 0) return events * logC;
  const nonEvents = trials - events;
  return events * logC + (nonEvents === 0 ? 0 : nonEvents * (Math.log1p(-p * c) - Math.log1p(-p)));
}

/** The likelihood ratio of `p exp(-delta)` against p for the baseline counts, delta = kappa SE. */
function logShiftEvidence(p: number, events: number, trials: number, kappa: number): number {
  if (p <= 0) return -events * kappa;
  const delta = kappa / Math.sqrt(Math.max(trials * p, 1));
  const nonEvents = trials - events;
  if (nonEvents === 0) return -events * delta;
  return -events * delta + nonEvents * (Math.log1p(-p * Math.exp(-delta)) - Math.log1p(-p));
}

/** log of the mixture of the live copies (plus restarts not yet started) against null rate c. */
function logNewEvidence(c: number, ratios: readonly number[], liveCopies: number, unstarted: number): number {
  if (c >= 1) return unstarted;
  fillLogFactors(c, ratios, perEvent, perNonEvent);
  return logNewEvidenceWith(perEvent, 0, perNonEvent, 0, ratios.length, liveCopies, unstarted);
}

/**
 * Fills {@link copyEvents}, {@link copyNonEvents} and {@link copyLogWeights} with what each live
 * copy weighs at this step, and returns how many copies there are. They depend on the step
 * only, not on the grid point, so one step reads the state's fields once instead of once per
 * grid point: reading a number field of a state (states of one test come in several object
 * shapes) boxes it, which was most of a step's allocations. Same arithmetic, same numbers.
 */
function fillCopyCounts(state: JointBaselineRateTestState): number {
  const copies = state.copies;
  const n = copies.length;
  if (n > copyEvents.length) growCopyScratch(n);
  const logK = Math.log(state.ratios.length);
  const grace = state.graceEvents ?? 0;
  const events = state.events;
  const trials = state.trials;
  for (let j = 0; j < n; j++) {
    const copy = copies[j] as RestartCopy;
    // Grace events count as non-events: fewer events and more non-events never raise a term.
    const x = Math.max(0, events - copy.events - grace);
    copyEvents[j] = x;
    copyNonEvents[j] = trials - copy.trials - x;
    copyLogWeights[j] = copy.logWeight - logK;
  }
  return n;
}

/**
 * {@link logNewEvidence} with the log factors of its null rate (< 1) already filled in at
 * `perEvent[eventAt ..]` and `perNonEvent[nonEventAt ..]` (the coarse grid's come from
 * {@link coarseGrid}) and the live copies' counts by {@link fillCopyCounts}.
 */
function logNewEvidenceWith(
  perEvent: Float64Array,
  eventAt: number,
  perNonEvent: Float64Array,
  nonEventAt: number,
  k: number,
  liveCopies: number,
  unstarted: number,
): number {
  const max = fillTerms(perEvent, eventAt, perNonEvent, nonEventAt, k, liveCopies, unstarted, terms, 0);
  return sumTerms(terms, 0, k * liveCopies, max, unstarted);
}

/**
 * The first half of {@link logNewEvidenceWith}: every (copy, ratio) term's log, written to
 * `out[offset ..]`, and their maximum with the unstarted weight. No exp or log: it costs a
 * multiply-add per term. The maximum is a lower bound of the log mixture to the last bit (the
 * sum of {@link sumTerms} holds the maximum's exp(0) = 1, so its log is >= 0), which is what
 * lets {@link jointLogE} skip the exps of the grid points that cannot bind.
 */
function fillTerms(
  perEvent: Float64Array,
  eventAt: number,
  perNonEvent: Float64Array,
  nonEventAt: number,
  k: number,
  liveCopies: number,
  unstarted: number,
  out: Float64Array,
  offset: number,
): number {
  let count = offset;
  let max = unstarted;
  for (let j = 0; j < liveCopies; j++) {
    const x = copyEvents[j] as number;
    const y = copyNonEvents[j] as number;
    const w = copyLogWeights[j] as number;
    for (let i = 0; i < k; i++) {
      const v =
        w +
        (x === 0 ? 0 : x * (perEvent[eventAt + i] as number)) +
        (y === 0 ? 0 : y * (perNonEvent[nonEventAt + i] as number));
      out[count++] = v;
      if (v > max) max = v;
    }
  }
  return max;
}

/**
 * A lower bound of what {@link sumTerms} returns for the same terms, to the last bit, with no
 * log or exp: `exp(t) >= (1 + t / 8)^8` for t >= -8 (and >= 0 below), so the sum of these
 * is at most the sum of the exps (less than {@link LOWER_SUM_SLACK} of rounding either way).
 * Within about 0.05 nats of the mixture where the terms near the maximum carry it.
 */
function lowerLogSum(
  values: Float64Array,
  offset: number,
  count: number,
  max: number,
  unstarted: number,
): number {
  if (max === Number.NEGATIVE_INFINITY || max === Number.POSITIVE_INFINITY) return max;
  let sum = unstarted === Number.NEGATIVE_INFINITY ? 0 : lowerExp(unstarted - max);
  const end = offset + count;
  for (let i = offset; i < end; i++) sum += lowerExp((values[i] as number) - max);
  // sum >= 1 (the maximum's own term), so the log is >= 0 and the bound >= max - slack.
  return max + lowerLog(sum) - LOWER_SUM_SLACK * (1 + Math.abs(max));
}

/**
 * A lower bound of log(s) for s >= 1 without a log: s = 2^e m with m in [1, 2), and
 * log(m) >= 2 (m - 1) / (m + 1) there (equal at 1, the gap's derivative (m - 1)^2 / (m (m + 1)^2)
 * is >= 0); at most 0.026 nats low. The halvings are exact.
 */
function lowerLog(s: number): number {
  let e = 0;
  let m = s;
  while (m >= 2) {
    m *= 0.5;
    e++;
  }
  return e * Math.LN2 + (2 * (m - 1)) / (m + 1);
}

/** `(1 + t / 8)^8`, at most exp(t), for t <= 0; 0 below -8. */
function lowerExp(t: number): number {
  if (t <= -8) return 0;
  let v = 1 + t * 0.125;
  v *= v;
  v *= v;
  return v * v;
}

/**
 * A term this far (nats) below the maximum adds less than half an ulp to a sum >= 0.5:
 * exp(-38) = 3.1e-17 (Math.exp within an ulp of it), half the ulp of [0.5, 1) is 2^-54 = 5.6e-17.
 */
const TINY_TERM = -38;

/**
 * Rounding room of {@link lowerLogSum}: its sum and the exps' sum each carry a relative error
 * of a few dozen ulps (1e-14), the logs and the additions to `max` one ulp of it; 1e-9 of
 * `1 + |max|` exceeds them by orders of magnitude and costs nothing a cell bound notices.
 */
const LOWER_SUM_SLACK = 1e-9;

/**
 * The second half of {@link logNewEvidenceWith}: the log of the sum of the `count` terms at
 * `values[offset ..]` and the unstarted weight, with their maximum `max` (one pass with a
 * shared maximum: one log per grid point).
 */
function sumTerms(
  values: Float64Array,
  offset: number,
  count: number,
  max: number,
  unstarted: number,
): number {
  if (max === Number.NEGATIVE_INFINITY) return max;
  let sum = unstarted === Number.NEGATIVE_INFINITY ? 0 : Math.exp(unstarted - max);
  const end = offset + count;
  for (let i = offset; i < end; i++) {
    const t = (values[i] as number) - max;
    // Adding exp(t) < 2^-54 to a sum >= 0.5 (whose half ulp is >= 2^-54) leaves the sum as it
    // is, to the last bit: the exp is skipped, not the term (see TINY_TERM).
    if (t < TINY_TERM && sum >= 0.5) continue;
    sum += Math.exp(t);
  }
  return max + Math.log(sum);
}

/**
 * What the coarse grid of {@link jointLogE} needs that depends only on the test's constants
 * (the candidate rates, the baseline e-value at each, the log factors of each null rate), so
 * a step computes them once per test instead of once per step. Same arithmetic as before, so
 * the same numbers to the last bit (a property test compares against recomputing them).
 */
interface CoarseGrid {
  readonly baselineEvents: number;
  readonly baselineTrials: number;
  readonly tolerance: number;
  readonly kappa: number;
  readonly kappas: readonly number[] | undefined;
  readonly fractions: readonly number[] | undefined;
  readonly tailCap: TailCap | undefined;
  readonly ratios: readonly number[];
  /**
   * One array, so a test keeps one small object alive (it lives as long as the test: about
   * 1.7 KB with the default 7 ratios): the candidate rates at [0, GRID_POINTS), the baseline
   * e-value at each at [GRID_POINTS, 2 GRID_POINTS), then for point i its k per-event factors at
   * `factorsAt(i, k)` and its k per-non-event factors right after them (none where the null
   * rate `tolerance * rate` is >= 1: the evidence there is the unstarted weight).
   */
  readonly values: Float64Array;
}

const GRID_POINTS = COARSE_CELLS + 1;

/** Where point i's per-event factors start in {@link CoarseGrid.values} (k ratios). */
function factorsAt(i: number, k: number): number {
  return 2 * GRID_POINTS + 2 * i * k;
}

/**
 * Keyed by the state's `nullRange` array, which every state of one test shares (states are
 * immutable: each step spreads the previous one); a state decoded from a snapshot brings a new
 * array and gets its grid computed once. The other constants are checked as well, so a state
 * built by hand with the same array and other constants never reads a stale grid.
 */
const coarseGrids = new WeakMap<readonly [number, number], CoarseGrid>();

function coarseGrid(state: JointBaselineRateTestState): CoarseGrid {
  const cached = coarseGrids.get(state.nullRange);
  if (
    cached !== undefined &&
    cached.baselineEvents === state.baselineEvents &&
    cached.baselineTrials === state.baselineTrials &&
    cached.tolerance === state.tolerance &&
    cached.kappa === state.kappa &&
    cached.kappas === state.kappas &&
    cached.fractions === state.baselineFractions &&
    cached.tailCap === state.tailCap &&
    cached.ratios === state.ratios
  ) {
    return cached;
  }
  const grid = buildCoarseGrid(state);
  coarseGrids.set(state.nullRange, grid);
  return grid;
}

function buildCoarseGrid(state: JointBaselineRateTestState): CoarseGrid {
  const [lo, hi] = state.nullRange;
  const k = state.ratios.length;
  const values = new Float64Array(factorsAt(GRID_POINTS, k));
  const logHi = Math.log(hi);
  const logLo = lo > 0 ? Math.log(lo) : logHi + Math.log(ZERO_FLOOR_FRACTION);
  for (let i = 0; i < GRID_POINTS; i++) {
    // With zero baseline events the grid gets a first cell (0, hi * 1e-3].
    const p =
      lo > 0 || i > 0
        ? Math.exp(
            logLo + ((logHi - logLo) * (lo > 0 ? i : i - 1)) / (lo > 0 ? COARSE_CELLS : COARSE_CELLS - 1),
          )
        : 0;
    values[i] = i === COARSE_CELLS ? hi : p;
    values[GRID_POINTS + i] = logBaselineEvidence(values[i] as number, state);
    const c = state.tolerance * (values[i] as number);
    if (c >= 1) continue;
    fillLogFactors(c, state.ratios, perEvent, perNonEvent);
    values.set(perEvent.subarray(0, k), factorsAt(i, k));
    values.set(perNonEvent.subarray(0, k), factorsAt(i, k) + k);
  }
  return {
    baselineEvents: state.baselineEvents,
    baselineTrials: state.baselineTrials,
    tolerance: state.tolerance,
    kappa: state.kappa,
    kappas: state.kappas,
    fractions: state.baselineFractions,
    tailCap: state.tailCap,
    ratios: state.ratios,
    values,
  };
}

/**
 * The `joint` e-value: a lower bound of `inf_p [log e_B(p) + log M(tolerance * p)]` over the
 * candidate baseline rates. On a cell [a, b], e_B rises and M falls with p, so
 * `log e_B(a) + log M(tolerance * b)` bounds the cell from below. When the smallest value
 * seen at a grid point is near the threshold, the cells whose bound falls under it are split
 * in eight. Which cells get split depends on the data only through quantities that rise with
 * the event count, so the result still never falls when events rise (docs/statistics.md).
 * A step computes the grid's mixtures only as far as the smallest cell bound and the decision
 * to refine need ({@link boundCellsCheaply}): the same numbers, to the last bit, as computing
 * every point (docs/statistics.md, "What a step computes of it").
 */
function jointLogE(state: JointBaselineRateTestState): { logE: number; nullRate: number } {
  const hi = state.nullRange[1];
  const { tolerance } = state;
  const unstarted = unstartedLogWeight(state.restarts, state.restartShare);
  if (state.trials === 0) return { logE: 0, nullRate: Math.min(tolerance * hi, 1) };
  const k = state.ratios.length;
  const values = coarseGrid(state).values;
  const live = fillCopyCounts(state);
  startGridStep(values, tolerance, k, live, unstarted);
  // The rates at [0, GRID_POINTS), the baseline e-values right after them.
  const gridRate = values;
  const first = cellNearest(values, tolerance, state.nullRate);
  if (!boundCellsCheaply(values, first, state.logThreshold - REFINE_MARGIN)) {
    return refinedLogE(state, values, live, unstarted);
  }
  // No refinement (a grid point lies under the threshold less the margin): the smallest cell
  // bound, the first one of it in grid order, as {@link refinedLogE} would find it; the cells
  // skipped lie above a bound computed.
  let foundBound = Number.POSITIVE_INFINITY;
  let foundRate = hi;
  for (let i = 0; i < COARSE_CELLS; i++) {
    if (cellDone[i] === 0) continue;
    const bound = (values[GRID_POINTS + i] as number) + (gridNew[i + 1] as number);
    if (bound < foundBound) {
      foundBound = bound;
      foundRate = gridRate[i + 1] as number;
    }
  }
  const logE = Number.isNaN(foundBound) ? LOG_FLOOR : foundBound;
  return { logE, nullRate: Math.min(tolerance * foundRate, 1) };
}

/**
 * What a coarse point's log mixture is known as at this step ({@link pointLevel}): nothing but
 * the unstarted weight (a lower bound: the mixture holds it), one copy's terms (those of the
 * copy holding the largest term of the first point filled: {@link oneCopyLow}), all its terms and their
 * maximum (a lower bound, {@link fillTerms}), {@link lowerLogSum} (a tighter one), or exact. Each level
 * costs more than the last; a point is raised only as far as a decision needs.
 */
const UNSTARTED = 0;
const ONE_COPY = 1;
const TERMS = 2;
const TIGHT = 3;
const EXACT = 4;

// The step's constants while the grid is walked (set by startGridStep).
let stepValues: Float64Array = new Float64Array(0);
let stepK = 0;
let stepLive = 0;
let stepUnstarted = 0;
/** The index (copy * k + ratio) of the largest term of the first point filled; -1 before. */
let guessTerm = -1;

/** Starts a step's walk of the coarse grid: every point at {@link UNSTARTED}, or exact where its null rate is >= 1. */
function startGridStep(
  values: Float64Array,
  tolerance: number,
  k: number,
  live: number,
  unstarted: number,
): void {
  stepValues = values;
  stepK = k;
  stepLive = live;
  stepUnstarted = unstarted;
  guessTerm = -1;
  if (GRID_POINTS * k * live > pointTerms.length) pointTerms = new Float64Array(GRID_POINTS * k * live);
  for (let i = 0; i < GRID_POINTS; i++) {
    lowNew[i] = unstarted;
    if (tolerance * (values[i] as number) >= 1) {
      gridNew[i] = unstarted;
      pointLevel[i] = EXACT;
    } else {
      pointLevel[i] = UNSTARTED;
    }
  }
}

/**
 * Point i's log mixture known at least at `level`: its lower bound (in {@link lowNew}) below
 * {@link EXACT}, the mixture itself (in {@link gridNew}) at it.
 */
function raisePoint(i: number, level: number): number {
  const stride = stepK * stepLive;
  if (pointLevel[i] === UNSTARTED) {
    if (guessTerm >= 0) {
      const v = oneCopyLow(i, Math.floor(guessTerm / stepK));
      if (v > (lowNew[i] as number)) lowNew[i] = v;
    }
    pointLevel[i] = ONE_COPY;
    if (level === ONE_COPY) return lowNew[i] as number;
  }
  if (pointLevel[i] === ONE_COPY) {
    const at = factorsAt(i, stepK);
    const max = fillTerms(
      stepValues,
      at,
      stepValues,
      at + stepK,
      stepK,
      stepLive,
      stepUnstarted,
      pointTerms,
      i * stride,
    );
    maxNew[i] = max;
    lowNew[i] = max;
    pointLevel[i] = TERMS;
    if (guessTerm < 0) guessTerm = largestTerm(i * stride, stride);
  }
  if (level >= TIGHT && pointLevel[i] === TERMS) {
    lowNew[i] = lowerLogSum(pointTerms, i * stride, stride, maxNew[i] as number, stepUnstarted);
    pointLevel[i] = TIGHT;
  }
  if (level === EXACT && pointLevel[i] !== EXACT) {
    gridNew[i] = sumTerms(pointTerms, i * stride, stride, maxNew[i] as number, stepUnstarted);
    pointLevel[i] = EXACT;
  }
  return pointLevel[i] === EXACT ? (gridNew[i] as number) : (lowNew[i] as number);
}

/**
 * A lower bound of point i's log mixture from one copy's k terms and the unstarted weight
 * only (the others' exps are positive), as {@link lowerLogSum} bounds them: k terms where the
 * point has k per copy. The copy is the one holding the largest term of the first point
 * filled, which, outside a fault, is the copy from the deploy.
 */
function oneCopyLow(i: number, j: number): number {
  const at = factorsAt(i, stepK);
  const x = copyEvents[j] as number;
  const y = copyNonEvents[j] as number;
  const w = copyLogWeights[j] as number;
  let max = stepUnstarted;
  for (let r = 0; r < stepK; r++) {
    const v =
      w +
      (x === 0 ? 0 : x * (stepValues[at + r] as number)) +
      (y === 0 ? 0 : y * (stepValues[at + stepK + r] as number));
    copyScratch[r] = v;
    if (v > max) max = v;
  }
  return lowerLogSum(copyScratch, 0, stepK, max, stepUnstarted);
}

/** The index, from `offset`, of the largest of `count` terms in {@link pointTerms}. */
function largestTerm(offset: number, count: number): number {
  let best = 0;
  for (let t = 1; t < count; t++) {
    if ((pointTerms[offset + t] as number) > (pointTerms[offset + best] as number)) best = t;
  }
  return best;
}

/**
 * The cell whose upper end is nearest the previous step's binding null rate: the binding cell
 * moves little from step to step, so its bound is usually the smallest or near it.
 */
function cellNearest(values: Float64Array, tolerance: number, nullRate: number): number {
  let first = 0;
  let distance = Number.POSITIVE_INFINITY;
  for (let i = 0; i < COARSE_CELLS; i++) {
    const d = Math.abs(tolerance * (values[i + 1] as number) - nullRate);
    if (d < distance) {
      distance = d;
      first = i;
    }
  }
  return first;
}

/**
 * The coarse cells' bounds `log e_B(a_i) + log M(b_i)` where they can be the smallest, with the
 * work of the others skipped: a cell whose lower bound (from its end point's known level, see
 * {@link raisePoint}) lies above a bound already computed cannot be the smallest, to the last
 * bit. Starts with the cell `first`. Marks the cells computed in {@link cellDone}. Returns
 * whether a grid point lies under `refineBelow`: then no cell is refined and the smallest cell
 * bound is the e-value. Otherwise every point is made exact for {@link refinedLogE}.
 */
function boundCellsCheaply(values: Float64Array, first: number, refineBelow: number): boolean {
  cellDone.fill(0);
  let best = (values[GRID_POINTS + first] as number) + raisePoint(first + 1, EXACT);
  cellDone[first] = 1;
  for (let i = 0; i < COARSE_CELLS; i++) {
    if (i === first) continue;
    const baselineAt = values[GRID_POINTS + i] as number;
    // Each bound only as far as needed: `> best` is false for a NaN, which computes the cell
    // (as the full grid would).
    if (baselineAt + (lowNew[i + 1] as number) > best) continue;
    if (baselineAt + raisePoint(i + 1, ONE_COPY) > best) continue;
    if (baselineAt + raisePoint(i + 1, TERMS) > best) continue;
    if (baselineAt + raisePoint(i + 1, TIGHT) > best) continue;
    const bound = baselineAt + raisePoint(i + 1, EXACT);
    cellDone[i] = 1;
    if (bound < best) best = bound;
  }
  // Refinement needs the smallest grid point >= refineBelow; one point under it rules it out.
  for (let i = 0; i < GRID_POINTS; i++) {
    if (pointLevel[i] === EXACT && (values[GRID_POINTS + i] as number) + (gridNew[i] as number) < refineBelow)
      return true;
  }
  for (let i = 0; i < GRID_POINTS; i++) {
    if (pointLevel[i] === EXACT) continue;
    const baselineAt = values[GRID_POINTS + i] as number;
    if (baselineAt + (lowNew[i] as number) >= refineBelow) continue;
    if (baselineAt + raisePoint(i, ONE_COPY) >= refineBelow) continue;
    if (baselineAt + raisePoint(i, TIGHT) >= refineBelow) continue;
    if (baselineAt + raisePoint(i, EXACT) < refineBelow) return true;
  }
  for (let i = 0; i < GRID_POINTS; i++) raisePoint(i, EXACT);
  return false;
}

/**
 * The `joint` e-value from every coarse point's exact log mixture (in {@link gridNew}), with the
 * cells that may bind refined when the smallest grid point is near the threshold.
 */
function refinedLogE(
  state: JointBaselineRateTestState,
  values: Float64Array,
  live: number,
  unstarted: number,
): { logE: number; nullRate: number } {
  const hi = state.nullRange[1];
  const { tolerance } = state;
  const gridRate = values;
  let minPoint = Number.POSITIVE_INFINITY;
  for (let i = 0; i <= COARSE_CELLS; i++) {
    minPoint = Math.min(minPoint, (values[GRID_POINTS + i] as number) + raisePoint(i, EXACT));
  }
  // The infimum is at most minPoint, so below the threshold no refinement can change the
  // decision; skipping it there keeps healthy steps cheap (and the result still monotone).
  const refine = minPoint >= state.logThreshold - REFINE_MARGIN;
  const found = { bound: Number.POSITIVE_INFINITY, rate: hi };
  for (let i = 0; i < COARSE_CELLS; i++) {
    const a = gridRate[i] as number;
    const b = gridRate[i + 1] as number;
    const bound = (values[GRID_POINTS + i] as number) + (gridNew[i + 1] as number);
    if (refine && bound < minPoint && a > 0) {
      refineCell(
        state,
        live,
        unstarted,
        a,
        b,
        values[GRID_POINTS + i] as number,
        gridNew[i + 1] as number,
        minPoint,
        0,
        found,
      );
    } else if (bound < found.bound) {
      found.bound = bound;
      found.rate = b;
    }
  }
  const logE = Number.isNaN(found.bound) ? LOG_FLOOR : found.bound;
  return { logE, nullRate: Math.min(tolerance * found.rate, 1) };
}

/**
 * Splits the cell [a, b] in REFINE_CELLS (log-spaced) and records the smallest cell bound in
 * `found`; a sub-cell whose bound is still under `minPoint` is split again, down to
 * REFINE_DEPTH levels (the binding cell is often the last one, at the edge p_hi, where a
 * coarse bound gives away its whole width times the slope of e_B).
 */
function refineCell(
  state: JointBaselineRateTestState,
  liveCopies: number,
  unstarted: number,
  a: number,
  b: number,
  baselineAtA: number,
  newAtB: number,
  minPoint: number,
  depth: number,
  found: { bound: number; rate: number },
): void {
  const baseline = subBaseline[depth] as Float64Array;
  const fresh = subNew[depth] as Float64Array;
  baseline[0] = baselineAtA;
  fresh[REFINE_CELLS] = newAtB;
  const logA = Math.log(a);
  const width = Math.log(b) - logA;
  const at = (j: number): number => (j === REFINE_CELLS ? b : Math.exp(logA + (width * j) / REFINE_CELLS));
  for (let j = 1; j < REFINE_CELLS; j++) {
    const p = at(j);
    baseline[j] = logBaselineEvidence(p, state);
    fresh[j] = logNewEvidence(state.tolerance * p, state.ratios, liveCopies, unstarted);
  }
  for (let j = 0; j < REFINE_CELLS; j++) {
    const bound = (baseline[j] as number) + (fresh[j + 1] as number);
    if (bound < minPoint && depth + 1 < REFINE_DEPTH) {
      refineCell(
        state,
        liveCopies,
        unstarted,
        at(j),
        at(j + 1),
        baseline[j] as number,
        fresh[j + 1] as number,
        minPoint,
        depth + 1,
        found,
      );
    } else if (bound < found.bound) {
      found.bound = bound;
      found.rate = at(j + 1);
    }
  }
}

/** The `bound` e-value: the copy from the deploy, the restarted copies and the unstarted weight. */
function boundLogE(state: BoundBaselineRateTestState): number {
  const c = state.nullRate;
  if (state.trials === 0) return 0;
  const unstarted = unstartedLogWeight(state.restarts, state.restartShare);
  if (c >= 1) return unstarted;
  const k = state.ratios.length;
  fillLogFactors(c, state.ratios, perEvent, perNonEvent);
  let total = logAddExp(
    unstarted,
    firstCopyLogWeight(state.restartShare) +
      logMixture(state.events, state.trials, perEvent, perNonEvent, k, terms),
  );
  if (state.restartLogSums !== null) total = logAddExp(total, logSumExp(state.restartLogSums) - Math.log(k));
  return total;
}

/** Shiryaev–Roberts step per ratio: add the new restart's weight, then multiply by the interval's ratio. */
function nextRestartLogSums(
  state: BoundBaselineRateTestState,
  counts: { events: number; trials: number },
  startedIndex: number,
): readonly number[] | null {
  if (state.restartLogSums === null && startedIndex === 0) return null;
  const c = state.nullRate;
  const k = state.ratios.length;
  const weight =
    startedIndex > 0 ? restartLogWeight(startedIndex, state.restartShare) : Number.NEGATIVE_INFINITY;
  const out: number[] = [];
  if (c < 1) fillLogFactors(c, state.ratios, perEvent, perNonEvent);
  for (let i = 0; i < k; i++) {
    const prior =
      state.restartLogSums === null ? Number.NEGATIVE_INFINITY : (state.restartLogSums[i] as number);
    const started = logAddExp(prior, weight);
    const factor =
      c < 1
        ? counts.events * (perEvent[i] as number) +
          (counts.trials - counts.events) * (perNonEvent[i] as number)
        : Number.NEGATIVE_INFINITY;
    out.push(Math.max(started + factor, LOG_FLOOR));
  }
  return out;
}

/**
 * The summary of a baseline rate test; see {@link RateTestSummary}. `interval: false` leaves
 * the ratio's confidence sequence out (null), for a caller that builds it only when it is read
 * (stats/rate-test.ts `rateTestFigures`).
 */
export function summarizeBaselineRateTest(state: BaselineRateTestState, interval = true): RateTestSummary {
  // The observed rate: intervals fed undivided (`atMostOne`) beside divided ones make the
  // weighed counts' ratio another number.
  const observedTrials = state.observedTrials ?? state.trials * state.dispersion;
  const observedEvents = state.observedEvents ?? state.events * state.dispersion;
  const rate = observedTrials > 0 ? observedEvents / observedTrials : 0;
  const baselineRate = state.baselineEvents / state.baselineTrials;
  const level = 1 - state.alpha;
  let ratioInterval: RateTestSummary['ratioInterval'] = null;
  const rateInterval = interval
    ? rateConfidenceSequence(state.events, state.trials, state.alpha / 2, state.anchorRate)
    : null;
  if (rateInterval !== null) {
    const [pLow, pHigh] = state.baselineInterval;
    ratioInterval = {
      lower: rateInterval.lower / pHigh,
      upper: pLow > 0 ? rateInterval.upper / pLow : Number.POSITIVE_INFINITY,
      level,
    };
  }
  // Built as one literal and the optional field added after it (the same keys in the same
  // order as spreading it in): a spread in the literal took the engine's slow path every step.
  const summary: Mutable<RateTestSummary> = {
    kind: 'baseline',
    method: state.method,
    logE: state.logE,
    logThreshold: state.logThreshold,
    alpha: state.alpha,
    rejected: state.rejected,
    rejectedAtUpdate: state.rejectedAtUpdate,
    events: observedEvents,
    trials: observedTrials,
    updates: state.updates,
    rate,
    baselineRate,
    nullRate: state.nullRate,
    ratioEstimate: state.trials > 0 && baselineRate > 0 ? rate / baselineRate : null,
    ratioInterval,
  };
  if (state.method === 'joint' && state.graceEvents)
    summary.graceEvents = state.graceEvents * state.dispersion;
  return summary;
}
