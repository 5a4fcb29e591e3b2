import type { SequentialRule } from '../contract/contract-schema';
import type { ReadResult } from '../ports/metric-source';
import {
  createBaselineRateTest,
  createConcurrentRateTest,
  createSprt,
  DEFAULT_RATIOS,
  driftShare,
  type RateTestState,
  type RateTestSummary,
  summarizeRateTest,
  TAIL_CAP_KAPPA,
  updateRateTest,
} from '../stats';
import type { BaselineRateTestState } from '../stats/baseline-rate-test';
import { FEW_EVENTS_RATIOS, reachableRatios } from '../stats/rate-mixture';
import { binomialUpperTail } from '../stats/special-functions';
import { checkDataQuality, dataQualityHolds } from './data-quality';
import { inDomain, MEASURE_DOMAINS } from './measure-domain';
import { show, shownOnce, showPercent, showRate, type TimeWindow, type Verdict } from './verdict';

/** A sequential test's state (plain JSON, O(1) in size), as kept in the watch state. */
export type SequentialState = RateTestState;

/**
 * Starts the test a sequential rule asks for. A `baseline` test needs the pre-deploy counts;
 * without them it cannot start (null) and the rule reports no-data — never a pass.
 */
export function startSequential(
  rule: SequentialRule,
  baseline: {
    readonly status: string;
    readonly events: number | null;
    readonly trials: number | null;
    readonly dispersion?: number;
    /** A drifting window's relative level spread (evaluation/baseline-drift.ts). */
    readonly drift?: { readonly spread: number };
  } | null,
  alpha: number,
  finalShare = 0,
  /**
   * The bake the test plans its ratio grid for (`reachableRatios`): the contract's bake and
   * baseline lengths. Absent (a verification, a segment, a latency test): the default grid.
   */
  plan?: { readonly bakeSeconds: number; readonly baselineSeconds: number },
): SequentialState | null {
  switch (rule.test) {
    case 'sprt':
      if (rule.p0 === undefined || rule.p1 === undefined) return null;
      return createSprt({ p0: rule.p0, p1: rule.p1, alpha, beta: alpha });
    case 'concurrent':
      return createConcurrentRateTest({ alpha, ...(rule.ratios ? { ratios: rule.ratios } : {}) });
    case 'baseline': {
      if (baseline?.status !== 'ok' || baseline.trials === null || baseline.trials <= 0) return null;
      const ratios =
        rule.ratios ??
        (plan
          ? plannedRatios(
              baseline.events ?? 0,
              rule.tolerance,
              baseline.dispersion,
              plan,
              alpha * (1 - finalShare),
            )
          : undefined);
      return createBaselineRateTest({
        ...driftedCounts(baseline.events ?? 0, baseline.trials, baseline.drift, baseline.dispersion),
        // A test with a look at the bake's end spends the rest of its alpha on the look.
        alpha: alpha * (1 - finalShare),
        tolerance: rule.tolerance,
        dispersion: Math.max(1, baseline.dispersion ?? 1),
        kappas: BASELINE_SHIFTS,
        // A window that saw no more than the prior: its e-value capped by the exact tail.
        tailCap: { kappa: TAIL_CAP_KAPPA, maxEvents: BASELINE_PRIOR_EVENTS },
        ...(ratios ? { ratios } : {}),
      });
    }
  }
}

/**
 * The ratio grid of an error test planned from its baseline (issue 12, round 21): the events a
 * bake as long as the contract's, at the baseline's own traffic, expects at the null rate (the
 * baseline's events with the prior, times the tolerance, over the dispersion the test divides
 * counts by), and the ratios whose evidence over that bake can reach `1/alpha`
 * (stats/rate-mixture.ts `reachableRatios`). Decided from the contract and the baseline alone,
 * before any of the bake's data, as {@link plansFinalLook} is. Undefined: the default grid.
 */
export function plannedRatios(
  baselineEvents: number,
  tolerance: number | undefined,
  dispersion: number | undefined,
  plan: { readonly bakeSeconds: number; readonly baselineSeconds: number },
  alpha: number,
): readonly number[] | undefined {
  if (!(plan.baselineSeconds > 0) || !(plan.bakeSeconds > 0) || !Number.isFinite(baselineEvents))
    return undefined;
  const expected =
    (plannedBakeEvents(baselineEvents, plan.bakeSeconds, plan.baselineSeconds) * (tolerance ?? 1)) /
    Math.max(1, dispersion ?? 1);
  const ratios = reachableRatios(expected, alpha);
  return ratios === DEFAULT_RATIOS ? undefined : ratios;
}

/**
 * The baseline counts a test starts from, with the prior events added: a drifting window's
 * counts are weighed as fewer requests at the same rate, so the baseline rate's uncertainty
 * includes the drift's spread of the level (stats/drift.ts, docs/statistics.md "Drifting
 * baselines"). Unchanged without a drift.
 */
export function driftedCounts(
  events: number,
  trials: number,
  drift: { readonly spread: number } | undefined,
  dispersion: number | undefined,
): { baselineEvents: number; baselineTrials: number } {
  const withPrior = Math.min(trials, events + BASELINE_PRIOR_EVENTS);
  if (!drift) return { baselineEvents: withPrior, baselineTrials: trials };
  // The prior is part of the counts whose rate the drift leaves as it is.
  const share = driftShare(withPrior, trials, drift.spread, dispersion ?? 1);
  return { baselineEvents: share * withPrior, baselineTrials: share * trials };
}

/**
 * The share of an error-rate test's alpha spent on one look at the bake's end (the e-process
 * keeps the rest): where the sequential test has not decided, the bake's counted events against
 * the baseline's (with the prior) by the exact conditional test, once (docs/statistics.md,
 * "Faults missed at low traffic, classified"). An e-process pays for being checkable at every
 * step; at a few requests a minute, or for a weak fault that the whole bake shows, one look at
 * a fixed time sees what the mixture does not reach in 15 minutes.
 */
export const FINAL_LOOK_SHARE = 0.2;

/**
 * The look rejects only a bake whose in-range requests the baseline's rate (with the prior)
 * expects at most this many events of: where the e-process's costs (its mixture over ratios, its
 * restarts, the baseline's uncertainty paid per candidate rate) are a large share of the
 * evidence. With more, the e-process reaches every ratio it is built for (1.5x and up) within the
 * bake, and a look adds power only on smaller rises, which a drift the baseline window cannot
 * show makes on healthy releases (on the DEV drift families, 1.4-2.3x rises at 58-491 expected
 * events; the faults the look found, at 2-23). A condition on the look only removes rejections.
 */
export const FINAL_LOOK_MAX_EXPECTED = 30;

/**
 * The look is planned (its share of alpha set aside when the test starts) only where the bake
 * could expect at most this many times {@link FINAL_LOOK_MAX_EXPECTED} events at the baseline's
 * rate and traffic: see {@link plansFinalLook}. Elsewhere the look could reject only on a bake
 * whose traffic fell to a fraction of the baseline's, and the e-process keeps the whole alpha.
 */
export const FINAL_LOOK_PLAN_MARGIN = 2;

/**
 * Whether a bake's error test sets its look's share aside (issue 12, session 18): the events
 * the baseline's rate (with the prior) expects of a bake as long as the contract's at the
 * baseline's own traffic, `(events + prior) x bakeSeconds / baselineSeconds`, are at most
 * {@link FINAL_LOOK_MAX_EXPECTED} x {@link FINAL_LOOK_PLAN_MARGIN}. Decided from the baseline
 * and the contract alone, before any of the bake's data: given the baseline, the test is either
 * the e-process at the whole alpha (no look is ever taken) or the union of the e-process at
 * `alpha (1 - share)` and the look at `alpha x share`, each valid at alpha. A baseline read
 * short of its window (fewer events) only keeps the look. Where the look is not planned it
 * would have needed the bake's traffic under half the baseline's to be taken at all, and the
 * e-process's threshold drops from 1/(0.8 alpha) to 1/alpha (docs/statistics.md, "The look's
 * alpha where it can look").
 */
export function plansFinalLook(
  baselineEvents: number,
  baselineSeconds: number,
  bakeSeconds: number,
): boolean {
  if (!(baselineSeconds > 0) || !Number.isFinite(baselineEvents)) return true;
  return (
    plannedBakeEvents(baselineEvents, bakeSeconds, baselineSeconds) <=
    FINAL_LOOK_MAX_EXPECTED * FINAL_LOOK_PLAN_MARGIN
  );
}

/**
 * The events the baseline's rate (with the prior) expects of a bake as long as the contract's at
 * the baseline's own traffic, `(events + prior) x bakeSeconds / baselineSeconds`: what a test
 * plans from before any of the bake's data ({@link plansFinalLook}, {@link plannedRatios}).
 */
function plannedBakeEvents(baselineEvents: number, bakeSeconds: number, baselineSeconds: number): number {
  return ((Math.max(0, baselineEvents) + BASELINE_PRIOR_EVENTS) * bakeSeconds) / baselineSeconds;
}

/**
 * What a test's look at the bake's end found, kept in its state when the look rejected: the
 * exact conditional one-sided p-value of the bake's counted events and the alpha it spent.
 */
export type FinalLook = NonNullable<BaselineRateTestState['finalLook']>;

/**
 * The one-sided exact conditional p-value of a baseline test's totals: given the bake's and the
 * baseline's events together, the bake's share is binomial in its share of the trials when the
 * two rates are equal (Poisson counts), and stochastically smaller when the bake's rate is lower
 * (H0). The counts are the test's own: the bake's counted events (burst-capped, divided by the
 * dispersion as the test weighs them) without the load-surge steps (`surged`), and the baseline's
 * with the prior; fewer bake events and more baseline events only make the p-value larger.
 * Continuous in the counts (`I_x(k, n - k + 1)`). Null for a test that is not a baseline test or
 * has seen no event outside a surge.
 */
export function finalLookP(state: SequentialState, windowEvents?: number): number | null {
  if (state.kind !== 'baseline') return null;
  // Load-surge steps are left out (as a latency test holds them): the look judges the version
  // on the traffic the baseline knows. Which steps those are is decided on request counts only.
  const { events, trials } = countsOutsideSurges(state);
  if (!(trials > 0) || !(events > 0)) return null;
  const baselineEvents =
    windowEvents === undefined ? state.baselineEvents : lookBaselineEvents(state, windowEvents);
  if (baselineEvents === null) return null;
  // H0 is "rate <= tolerance x the baseline's": the bake's trials weigh tolerance times as much.
  const bake = trials * state.tolerance;
  return binomialUpperTail(events, events + baselineEvents, bake / (bake + state.baselineTrials));
}

/**
 * The baseline events the look weighs: the window's own (`windowEvents`, before the prior), as
 * the test weighs them (divided by the dispersion, scaled as a drift scales the counts). The
 * exact conditional test already carries the baseline's uncertainty (it is exact given both
 * arms' totals, whatever the baseline's count), so the prior, which the e-process needs for a
 * rate that is never exactly zero, would pay for it twice: at 0.05 req/s its 3 events weigh as
 * much as a 90-request window (docs/statistics.md, "The look without the prior"). Null where the
 * prior was cut to the window's trials (a window of a few requests, all of them events).
 */
function lookBaselineEvents(state: BaselineRateTestState, windowEvents: number): number | null {
  const events = Math.max(0, windowEvents);
  // `driftedCounts` adds the prior, then scales; the stored rate is (events + prior) / trials
  // unless the prior was cut to the trials (rate 1).
  if (!(state.baselineEvents < state.baselineTrials)) return null;
  return (state.baselineEvents * events) / (events + BASELINE_PRIOR_EVENTS);
}

/**
 * A baseline test's counts without those of its load-surge steps (`surged`), as the test weighs
 * them (divided by the dispersion): what the looks at fixed times judge the version on.
 */
export function countsOutsideSurges(state: BaselineRateTestState): { events: number; trials: number } {
  return {
    events: state.events - (state.surged?.events ?? 0),
    trials: state.trials - (state.surged?.trials ?? 0),
  };
}

/**
 * The look at the bake's end of a test started with a final share (`startSequential`'s
 * `finalShare`): rejects, sticky as a crossing is, when {@link finalLookP} is at most
 * `lookAlpha` and the baseline window saw at least one event of its own (`windowEvents`, before
 * the prior), and the baseline's rate expects at most {@link FINAL_LOOK_MAX_EXPECTED} events of
 * the bake's requests. The union of the e-process at `alpha (1 - share)` and one look at
 * `alpha x share` rejects a healthy version with probability at most alpha; the conditions only
 * remove rejections (an empty window and a busy host's handful are the same counts:
 * docs/statistics.md, "Small baselines"). Returns the state itself when the look does not reject.
 *
 * A bake that ended below the signal's request floor (`minSamples`: fewer requests than a pass
 * needs, so otherwise an undecided bake a human decides) is judged on evidence instead: the
 * window's own events without the prior ({@link lookBaselineEvents}), on an empty window too.
 * That p-value is never above the one with the prior, and it is the exact conditional test
 * itself, valid at `lookAlpha` whatever the window's count; which of the two is used is decided
 * on request counts only, so the union keeps its bound (docs/statistics.md, "The look below the
 * request floor").
 */
export function takeFinalLook(
  state: SequentialState,
  lookAlpha: number,
  windowEvents: number,
  minSamples = 0,
): SequentialState {
  if (state.kind !== 'baseline' || state.rejected || !(lookAlpha > 0)) return state;
  const belowFloor = bakeRequests(state) < minSamples;
  if (!belowFloor && !(windowEvents >= 1)) return state;
  if (!(finalLookExpected(state) <= FINAL_LOOK_MAX_EXPECTED)) return state;
  const p = belowFloor ? finalLookP(state, windowEvents) : finalLookP(state);
  if (p === null || !(p <= lookAlpha)) return state;
  const finalLook: FinalLook = {
    p,
    alpha: lookAlpha,
    ...(belowFloor ? { withoutPrior: true as const } : {}),
  };
  return { ...state, rejected: true, rejectedAtUpdate: state.updates, finalLook };
}

/** The requests a baseline test has seen, as observed (what the request floor counts). */
function bakeRequests(state: BaselineRateTestState): number {
  return state.observedTrials ?? state.trials * state.dispersion;
}

/**
 * The events the baseline's rate (with the prior) expects of the bake's requests outside load
 * surges, as observed (the test's counts are divided by the dispersion): see
 * {@link FINAL_LOOK_MAX_EXPECTED}.
 */
export function finalLookExpected(state: SequentialState): number {
  if (state.kind !== 'baseline') return Number.POSITIVE_INFINITY;
  const trials = countsOutsideSurges(state).trials * state.dispersion;
  return (trials * state.baselineEvents) / state.baselineTrials;
}

/** The look at the bake's end that rejected a test, if one did. */
export function finalLookOf(state: SequentialState | null): FinalLook | null {
  return state?.kind === 'baseline' ? (state.finalLook ?? null) : null;
}

/**
 * Events added to every baseline count before the test starts: a prior that a healthy version's
 * rate is never exactly zero. Without it, a baseline window that happened to see no slow request
 * (or no error) makes a handful of them decisive, and a handful comes from a busy host as easily
 * as from a bad version. It weighs only where the baseline saw almost nothing: two events are
 * noise next to the 90 of the reference case (docs/statistics.md, "Small baselines").
 */
export const BASELINE_PRIOR_EVENTS = 3;

/**
 * The shifts (in standard errors) of the baseline e-value the evaluator's baseline tests mix:
 * 0.5 (the single shift tuned on the reference case) and 1.5 and 3, which pay for a candidate
 * baseline rate far above the estimate in full. Small baselines (a few events: low traffic, a
 * latency threshold with almost no exceedances) gain most; the reference case is unchanged
 * (docs/statistics.md, "Small baselines").
 */
export const BASELINE_SHIFTS: readonly number[] = [0.5, 1.5, 3];

/**
 * At most this many times the baseline's expected events of an interval count as evidence
 * (and at least one): a burst of slow or failed requests within one step (a host hiccup, a
 * retry chain) shares one cause, so it is one piece of evidence, not many. Capping never makes
 * a test less valid (its factors rise with the event count).
 */
export const BURST_CAP_RATIO = 12;

/**
 * And at most the expected events plus this many of their standard deviations under the test's
 * own model, `sqrt(dispersion x expected)`: a step counts for no more than the model's
 * 4-sigma step, whatever the size of a burst in it. The ratio cap alone lets one burst of 10
 * count whole where about one event is expected a step, and dividing by the dispersion does not
 * bound its weight (a compound-Poisson tail is heavier than a scaled Poisson's): 15 of 600
 * healthy deploys rejected at alpha 0.005 (issue 12; docs/statistics.md, "One step's weight
 * bounded by the model").
 */
export const BURST_CAP_SIGMAS = 4;

/** The events of an interval that count as evidence (see {@link BURST_CAP_RATIO}, {@link burstCap}). */
export function cappedEvents(
  interval: { readonly events: number; readonly trials: number },
  baselineRate: number,
  previousEvents = 0,
  dispersion = 1,
): number {
  return Math.min(interval.events, burstCap(interval, baselineRate, previousEvents, dispersion));
}

/**
 * The most events of an interval that count (see {@link BURST_CAP_RATIO} and
 * {@link BURST_CAP_SIGMAS}, with the test's `dispersion`): at least one, and at least as many as
 * the step before also had (`previousEvents`, the same measure's events of the previous step, as
 * observed). A burst is one step's events sharing one cause; events that the step before saw as
 * well are a lasting rise, which is what a fault is, so they count. Whatever it is, the cap
 * never exceeds the step's own events, and fewer events never make a test less valid
 * (docs/statistics.md, "Small baselines", "Bursts count once"). Where it is one (fewer than a
 * twelfth of an event expected, and the step before held at most one), the counted events are
 * a Bernoulli count, which the test need not divide by the dispersion
 * (`CountObservation.atMostOne`).
 */
export function burstCap(
  interval: { readonly trials: number },
  baselineRate: number,
  previousEvents = 0,
  dispersion = 1,
): number {
  const expected = interval.trials * Math.max(0, baselineRate);
  const spread = Math.sqrt(Math.max(1, dispersion) * expected);
  const cap = Math.max(
    1,
    Math.min(Math.ceil(BURST_CAP_RATIO * expected), Math.ceil(expected + BURST_CAP_SIGMAS * spread)),
  );
  return previousEvents > cap && Number.isFinite(previousEvents) ? Math.floor(previousEvents) : cap;
}

/**
 * Whether an interval's counts are possible: finite, non-negative, and no more events than
 * trials. The reader already turns a read with impossible counts into an error verdict (which
 * names the value); this keeps the test itself from ever being moved by one.
 */
function possibleCounts(interval: { readonly events: number; readonly trials: number }): boolean {
  return (
    inDomain(interval.events, MEASURE_DOMAINS.errors) &&
    inDomain(interval.trials, MEASURE_DOMAINS.requests) &&
    interval.events <= interval.trials
  );
}

/**
 * Feeds one step interval to a test. `stable` is the stable fleet's interval at the same time,
 * which only a concurrent test uses (an interval without it is skipped by that test). An
 * interval with impossible counts is skipped: it is no evidence either way.
 */
export function stepSequential(
  state: SequentialState,
  interval: {
    readonly events: number;
    readonly trials: number;
    readonly atMostOne?: boolean;
    /** The factor a load-surge step's events were divided by (`CountObservation.loadFactor`). */
    readonly loadFactor?: number;
  },
  stable: { readonly events: number; readonly trials: number } | null,
): SequentialState {
  if (!possibleCounts(interval)) return state;
  if (state.kind === 'concurrent') {
    if (!stable || stable.trials <= 0 || !possibleCounts(stable)) return state;
    return updateRateTest(state, {
      events: interval.events,
      trials: interval.trials,
      baselineEvents: stable.events,
      baselineTrials: stable.trials,
    });
  }
  const factor = interval.loadFactor;
  if (factor !== undefined && factor > 1) {
    return updateRateTest(state, {
      events: interval.events,
      trials: interval.trials,
      loadFactor: factor,
      ...(interval.atMostOne ? { atMostOne: true } : {}),
    });
  }
  return updateRateTest(
    state,
    interval.atMostOne
      ? { events: interval.events, trials: interval.trials, atMostOne: true }
      : { events: interval.events, trials: interval.trials },
  );
}

/** Inputs of {@link judgeSequential} besides the test state. */
export interface SequentialJudgement {
  readonly signal: string;
  readonly segment?: string;
  readonly window: TimeWindow;
  /** Post-warm-up trials fed to the test. */
  readonly samples: number;
  readonly newestT: number | null;
  readonly now: number;
  readonly maxLagMs: number;
  readonly minSamples: number;
  /** What the rate is, for the reason: `error rate`, `share slower than 250 ms`. */
  readonly what: string;
  /** Why the counts or the baseline are unavailable right now, if they are. */
  readonly unavailable: ReadResult | null;
  /**
   * The other threshold's test of the same latency rule (the first threshold's for the tail
   * test and the other way round), whose alpha share is added to this one's: see
   * {@link jointCrossing}. Absent or null: the test is judged alone.
   */
  readonly partner?: { readonly state: SequentialState | null; readonly leads: boolean } | null;
}

/**
 * Two tests of one latency rule at two thresholds, with alpha shares a1 + a2 = alpha (the tail
 * test's `TAIL_ALPHA_SHARE`), judged jointly: the rule breaches when
 * `a1' E1 + a2' E2 >= 1` (a' = 0.99 a, each test's `1 / exp(logThreshold)`), a weighted average
 * of two e-processes on the same requests, which is valid at alpha under the rule's null (no
 * threshold's rate above its baseline's) by Ville's inequality, and rejects whenever alpha
 * split between them (Bonferroni) does, and sooner when both carry evidence (docs/statistics.md,
 * "Latency: the tail threshold"). The test whose share `a' E` is the larger reports the breach
 * (ties: the leading one), so one rule breaches once; its threshold is its own 1/alpha less
 * what the partner's share already holds. Null: no joint crossing (or either test crossed on
 * its own, which its own verdict reports).
 */
export function jointCrossing(
  state: SequentialState,
  partner: SequentialJudgement['partner'],
): number | null {
  const other = partner?.state;
  if (!other || state.kind !== 'baseline' || other.kind !== 'baseline' || other.rejected) return null;
  const own = Math.exp(state.logE - state.logThreshold);
  const theirs = Math.exp(other.logE - other.logThreshold);
  if (own + theirs < 1) return null;
  if (own < theirs || (own === theirs && !partner.leads)) return null;
  return Math.exp(state.logThreshold) * (1 - theirs);
}

/**
 * The verdict of a sequential test. A rejection is final (breach) whatever happens to the data
 * afterwards: anytime validity is what allows stopping at the first crossing. Otherwise the
 * usual data-quality checks apply, so a test that has seen too few requests is no-data.
 */
export function judgeSequential(state: SequentialState | null, input: SequentialJudgement): Verdict {
  const summary = state ? summarizeRateTest(state) : null;
  const base = {
    signal: input.signal,
    rule: 'sequential',
    ...(input.segment === undefined ? {} : { segment: input.segment }),
    window: input.window,
    // The floor counts what this test instance has seen (a late test starts after the cold start).
    samples: summary ? summary.trials : input.samples,
  };
  const statistic = summary
    ? {
        name: summary.kind === 'sprt' ? 'log-likelihood-ratio' : 'log-e-value',
        value: summary.logE,
        threshold: summary.logThreshold,
        alpha: summary.alpha,
        ratioEstimate: summary.ratioEstimate,
        ratioInterval: summary.ratioInterval,
      }
    : undefined;
  const joint = summary && state && !summary.rejected ? jointCrossing(state, input.partner) : null;
  if (joint !== null && summary) {
    return {
      ...base,
      status: 'breach',
      value: summary.rate,
      threshold: summary.baselineRate,
      // The threshold this test had to reach, with the partner's share: value >= threshold.
      ...(statistic ? { statistic: { ...statistic, threshold: Math.log(joint) } } : {}),
      reason: `${describeTest(summary, input.what)}: e-value ${show(Math.exp(summary.logE))} >= ${show(joint)}, 1/alpha ${show(Math.exp(summary.logThreshold))} less the other threshold's share`,
    };
  }
  const look = summary?.rejected ? finalLookOf(state) : null;
  if (look !== null && summary) {
    return {
      ...base,
      status: 'breach',
      value: summary.rate,
      threshold: summary.baselineRate,
      ...(statistic ? { statistic } : {}),
      reason: `${describeTest(summary, input.what)}: one look at the bake's end, exact conditional p ${show(look.p)} <= alpha ${show(look.alpha)}${look.withoutPrior ? " (below the request floor: against the window's own events, no prior)" : ''} (e-value ${show(Math.exp(summary.logE))} < 1/alpha ${show(Math.exp(summary.logThreshold))})`,
    };
  }
  if (summary?.rejected) {
    return {
      ...base,
      status: 'breach',
      value: summary.rate,
      threshold: summary.baselineRate,
      ...(statistic ? { statistic } : {}),
      // Rejection is sticky: the e-value may have drifted back below the threshold it crossed.
      reason:
        summary.logE >= summary.logThreshold
          ? `${describeTest(summary, input.what)}: e-value ${show(Math.exp(summary.logE))} >= 1/alpha ${show(Math.exp(summary.logThreshold))}${gridNote(state)}`
          : `${describeTest(summary, input.what)}: e-value crossed 1/alpha ${show(Math.exp(summary.logThreshold))} (now ${show(Math.exp(summary.logE))})${gridNote(state)}`,
    };
  }
  if (input.unavailable?.status === 'error') {
    return {
      ...base,
      status: 'error',
      value: null,
      threshold: null,
      reason: `source failed: ${input.unavailable.error.code}: ${input.unavailable.error.message}`,
      error: input.unavailable.error.toJSON(),
    };
  }
  if (!state || !summary) {
    return {
      ...base,
      status: 'no-data',
      value: null,
      threshold: null,
      reason:
        input.unavailable?.status === 'no-data'
          ? input.unavailable.reason
          : 'the test has not started: no baseline',
    };
  }
  // Almost every step passes the data-quality checks: asked from the numbers first, so the
  // check's input object is built only when something is wrong.
  if (!dataQualityHolds(base.samples, input.newestT, input.now, input.maxLagMs, input.minSamples)) {
    const quality = checkDataQuality({
      ...base,
      newestT: input.newestT,
      now: input.now,
      maxLagMs: input.maxLagMs,
      minSamples: input.minSamples,
    });
    if (quality) return { ...quality, ...(statistic ? { statistic } : {}) };
  }
  // The verdict of almost every step, stored with its reason: written out field by field (the
  // same keys in the same order as the spreads above, so the same bytes), with the parts of the
  // reason that are fixed per test formatted once.
  const reason = `${describeTest(summary, input.what)}: e-value ${show(Math.exp(summary.logE))} < 1/alpha ${shownThreshold(summary.logThreshold)}`;
  return input.segment === undefined
    ? {
        signal: base.signal,
        rule: base.rule,
        window: base.window,
        samples: base.samples,
        status: 'pass',
        value: summary.rate,
        threshold: summary.baselineRate,
        statistic: statistic as NonNullable<typeof statistic>,
        reason,
      }
    : {
        signal: base.signal,
        rule: base.rule,
        segment: input.segment,
        window: base.window,
        samples: base.samples,
        status: 'pass',
        value: summary.rate,
        threshold: summary.baselineRate,
        statistic: statistic as NonNullable<typeof statistic>,
        reason,
      };
}

/**
 * Texts of numbers fixed per test (its threshold `1/alpha`, its baseline rate, its interval's
 * level), formatted once and looked up at every step after (docs/benchmarks.md,
 * "fleet-tick-issue-13": reasons are written for every signal at every step). Keyed by the
 * number itself, so the text is the one `show`/`showRate` would write. Bounded: a process
 * running many distinct tests starts over rather than growing.
 */
const thresholdTexts = new Map<number, string>();
const rateTexts = new Map<number, string>();
const levelTexts = new Map<number, string>();

const showExp = (logValue: number): string => show(Math.exp(logValue));

/** `show(Math.exp(logThreshold))`, formatted once per threshold. */
function shownThreshold(logThreshold: number): string {
  return shownOnce(thresholdTexts, logThreshold, showExp);
}

/**
 * What a breach reason says of a grid planned for few events ({@link plannedRatios}): the
 * ratios mixed and why; empty for the default grid or a rule's own.
 */
function gridNote(state: SequentialState | null): string {
  if (state?.kind !== 'baseline') return '';
  const ratios = state.ratios;
  const few =
    ratios.length === FEW_EVENTS_RATIOS.length && ratios.every((r, i) => r === FEW_EVENTS_RATIOS[i]);
  return few ? "; ratios 2-24x: a bake at the baseline's traffic cannot show a 2x rise" : '';
}

/** What a test has seen against what it tests, the start of every sequential reason. */
function describeTest(summary: RateTestSummary, what: string): string {
  const interval = summary.ratioInterval;
  const ratio =
    summary.ratioEstimate === null
      ? ''
      : ` (ratio ${show(summary.ratioEstimate)}x${interval ? `, ${shownOnce(levelTexts, interval.level, showPercent)}% CS [${show(interval.lower)}, ${show(interval.upper)}]` : ''})`;
  return `${what} ${showRate(summary.rate)} of ${show(summary.trials)} vs ${summary.kind === 'sprt' ? 'p0' : 'baseline'} ${shownOnce(rateTexts, summary.baselineRate, showRate)}${ratio}`;
}
