import { countsOutsideSurges, type SequentialState } from '../rules/sequential-count';
import { show, showRate } from '../rules/verdict';
import {
  DRIFT_INBAKE_ALPHA,
  DRIFT_INBAKE_LOOKS_MS,
  DRIFT_INBAKE_MIN_LATER_MS,
  DRIFT_INBAKE_RATIO,
  DRIFT_INBAKE_SPLITS_MS,
  DRIFT_STEP_ALPHA,
  DRIFT_STEP_BLOCK_MS,
  DRIFT_STEP_LOOKS_MS,
  DRIFT_STEP_RATIO,
  driftInBakePairs,
  estimateDrift,
  stepAtDeployP,
} from '../stats/drift';
import { type CountInterval, crossesTime, type SignalBaseline } from './watch-state';

/**
 * The drift check of a count baseline (docs/statistics.md, "Drifting baselines"): the healthy
 * part of the pre-deploy window cut into blocks of `DRIFT_BLOCK_MS`, and the relative spread of
 * the level between them beyond binomial noise (stats/drift.ts), which the baseline test adds to
 * the baseline's own uncertainty (rules/sequential-count.ts). Absent on a window whose blocks
 * agree with one rate, so a stationary baseline's test is unchanged.
 */

/** Block length: long enough to average step noise out, short enough to see a 20 min cycle. */
export const DRIFT_BLOCK_MS = 300_000;
/**
 * An elevated stretch the health check found and saw end, at most this many times the rest of
 * the window, is as well explained by a drift's high as by an incident (see {@link driftWindow}).
 * 3: a drift of +-50-60% has its high 3-4 times its low, and the stretch the scan cuts out of
 * it reads 2-3x the rest (7 of 16 false rollbacks in 300 `drift-stress-keep` draws read
 * 2.05-2.94x at 2). A previous bad release is a step of 4x or more (docs/statistics.md,
 * "Drifting baselines stressed").
 */
export const DRIFT_EPISODE_RATIO = 3;

/** The drift field of a baseline, or nothing when the window shows none. */
export function baselineDrift(
  window: readonly CountInterval[],
  stepMs: number,
  dispersion: number,
  whole: readonly CountInterval[] = window,
): Pick<SignalBaseline, 'drift'> {
  if (window.length === 0 || !(stepMs > 0)) return {};
  const blocks = Math.floor((window.length * stepMs) / DRIFT_BLOCK_MS);
  const estimate = estimateDrift(window, blocks, dispersion);
  if (!(estimate.spread > 0)) return {};
  const end = windowEnd(whole);
  return {
    drift: {
      spread: estimate.spread,
      blocks: estimate.blocks,
      lowRate: estimate.lowRate,
      highRate: estimate.highRate,
      pValue: estimate.pValue,
      ...(end === null ? {} : { end }),
    },
  };
}

/**
 * The counts of the last {@link DRIFT_STEP_BLOCK_MS} of the window (its newest interval's time
 * back), whatever the health check made of them: the level just before the deploy, against which
 * a step at the deploy is judged (docs/statistics.md, "A step at the deploy on a drifting
 * baseline's test"). Null without requests there.
 */
export function windowEnd(whole: readonly CountInterval[]): { events: number; trials: number } | null {
  const newest = whole.at(-1);
  if (newest === undefined) return null;
  let events = 0;
  let trials = 0;
  for (const i of whole) {
    if (!(i.t > newest.t - DRIFT_STEP_BLOCK_MS) || !(i.trials > 0)) continue;
    events += Math.min(Math.max(0, i.events), i.trials);
    trials += i.trials;
  }
  return trials > 0 ? { events, trials } : null;
}

/**
 * The intervals the drift is measured on: the healthy part of the window, or the whole window
 * when the health check's elevated stretch is over and at most `DRIFT_EPISODE_RATIO` times the
 * rest. A drift's high half an hour before the deploy reads as such a stretch, and judging
 * against the rest alone would keep only the drift's low; a previous bad release or an incident
 * is many times the rest (or still on at the deploy) and stays out.
 */
export function driftWindow(
  intervals: readonly CountInterval[],
  clean: readonly CountInterval[],
  health: SignalBaseline['health'],
): readonly CountInterval[] {
  const episode = health?.episode;
  if (!episode || episode.ongoing) return clean;
  return episode.rate <= DRIFT_EPISODE_RATIO * episode.outsideRate ? intervals : clean;
}

/** How a drift is said in reasons: `the baseline drifts (5-min rates 0.33%-0.52%, p 2.1e-5): its level +-14% beyond binomial noise`. */
export function describeDrift(drift: NonNullable<SignalBaseline['drift']>): string {
  return `the baseline drifts (${Math.round(DRIFT_BLOCK_MS / 60_000)}-min rates ${showRate(drift.lowRate)}-${showRate(drift.highRate)}, p ${drift.pValue.toPrecision(2)}): its level +-${show(Math.round(drift.spread * 1000) / 10)}% beyond binomial noise, weighed as fewer requests`;
}

/**
 * What a step look that rejected found, kept on the test's state (sticky, as a crossing is): its
 * exact conditional p-value, the level it was judged at, the ratio a drift is allowed, and the
 * rates of the bake so far and of the window's last minutes.
 */
export interface DriftStep {
  readonly p: number;
  readonly alpha: number;
  readonly ratio: number;
  readonly rate: number;
  readonly endRate: number;
  /** Seconds after the deploy of the look. */
  readonly atSeconds: number;
  /**
   * Seconds after the deploy of the split a step inside the bake was found from: `rate` is the
   * bake's since it and `endRate` the bake's before it. Absent: a step at the deploy.
   */
  readonly fromSeconds?: number;
}

/** The bake's counts so far at a split (as the test weighs them, load-surge steps left out). */
export interface DriftMark {
  /** Ms after the deploy of the split. */
  readonly atMs: number;
  readonly events: number;
  readonly trials: number;
}

/**
 * A baseline test's state with the step look's finding (absent: no step look rejected) and the
 * bake's counts at the splits passed so far (absent: none yet).
 */
type WithDriftStep = SequentialState & {
  readonly driftStep?: DriftStep;
  readonly driftMarks?: readonly DriftMark[];
};

/** The step look that rejected a test, if one did. */
export function driftStepOf(state: SequentialState | null | undefined): DriftStep | null {
  return (state as WithDriftStep | null | undefined)?.driftStep ?? null;
}

/**
 * The look whose time this evaluation crosses (the first evaluation at or after the deploy plus
 * one of `DRIFT_STEP_LOOKS_MS`, times fixed before the deploy), as ms after the deploy; null
 * when it crosses none.
 */
export function driftStepLookDue(
  deployAt: number,
  lastEvaluatedAt: number | null,
  now: number,
): number | null {
  for (const after of DRIFT_STEP_LOOKS_MS)
    if (crossesTime(deployAt + after, lastEvaluatedAt, now)) return after;
  return null;
}

/**
 * A step at the deploy on a drifting baseline (docs/statistics.md, "A step at the deploy on a
 * drifting baseline's test"). The drift's variance inflation lets the bake's level stand anywhere
 * the window's level wandered, and a fault of 2-3x arriving with the deploy hides there: the
 * baseline weighs as some 25 events, too few to exclude it. But a drift moves its level slowly,
 * while a fault steps it at the deploy: at a few looks in the bake's first minutes
 * (`DRIFT_STEP_LOOKS_MS`), the bake's rate so far (the test's own counts, load-surge steps left
 * out) is tested against `DRIFT_STEP_RATIO` times the rate of the window's last minutes
 * ({@link stepAtDeployP}, both divided by the test's dispersion, times the rule's tolerance), at
 * `DRIFT_STEP_ALPHA` over the looks (Bonferroni). If it rejects, the test rejects (sticky), the
 * finding kept on its state for the reason. Returns the state itself otherwise: no drift (the
 * test has its full power there), no window end, not a baseline test, or already rejected.
 */
export function takeDriftStepLook(
  state: SequentialState,
  drift: SignalBaseline['drift'],
  lookMs: number,
): SequentialState {
  if (state.kind !== 'baseline' || state.rejected || drift?.end === undefined) return state;
  const phi = Math.max(1, state.dispersion);
  const { events, trials } = countsOutsideSurges(state);
  const ratio = DRIFT_STEP_RATIO * Math.max(1, state.tolerance);
  const p = stepAtDeployP(events, trials, drift.end.events / phi, drift.end.trials / phi, ratio);
  const alpha = DRIFT_STEP_ALPHA / DRIFT_STEP_LOOKS_MS.length;
  if (p === null || !(p <= alpha)) return state;
  const driftStep: DriftStep = {
    p,
    alpha,
    ratio,
    rate: events / trials,
    endRate: drift.end.events / drift.end.trials,
    atSeconds: Math.round(lookMs / 1000),
  };
  return { ...state, rejected: true, rejectedAtUpdate: state.updates, driftStep } as WithDriftStep;
}

/** The bake's counts at the splits a test has passed (baseline-drift.ts {@link takeDriftInBakeLook}). */
export function driftMarksOf(state: SequentialState | null | undefined): readonly DriftMark[] {
  return (state as WithDriftStep | null | undefined)?.driftMarks ?? [];
}

/**
 * The in-bake split and look times this evaluation crosses (each at or before `now`, after the
 * previous evaluation), as ms after the deploy; empty when it crosses none.
 */
export function driftInBakeDue(
  deployAt: number,
  lastEvaluatedAt: number | null,
  now: number,
): DriftInBakeDue {
  const crossed = (after: number) => crossesTime(deployAt + after, lastEvaluatedAt, now);
  // Every evaluation of a drifting window asks; most cross nothing and build nothing.
  if (!DRIFT_INBAKE_SPLITS_MS.some(crossed) && !DRIFT_INBAKE_LOOKS_MS.some(crossed)) return NOTHING_DUE;
  return { splits: DRIFT_INBAKE_SPLITS_MS.filter(crossed), looks: DRIFT_INBAKE_LOOKS_MS.filter(crossed) };
}

/** The in-bake split and look times one evaluation crosses (ms after the deploy). */
export interface DriftInBakeDue {
  readonly splits: readonly number[];
  readonly looks: readonly number[];
}

const NOTHING_DUE: DriftInBakeDue = { splits: [], looks: [] };

/** The level of each in-bake (split, look) pair: the pairs are fixed, so it is one constant. */
const INBAKE_PAIR_ALPHA = DRIFT_INBAKE_ALPHA / driftInBakePairs();

/**
 * A step inside the bake on a drifting baseline (docs/statistics.md, "A step inside the bake on a
 * drifting baseline"). A fault that starts minutes into the bake, while the drift holds the bake
 * low, is diluted at the deploy's step look and in the test's cumulative counts, and the window
 * (weighed as some 25 events) cannot exclude it. But the bake's own earlier minutes are a
 * reference the drift does not pollute (the same version, minutes before): at each look of
 * `DRIFT_INBAKE_LOOKS_MS`, the bake's rate since each split of `DRIFT_INBAKE_SPLITS_MS` at least
 * `DRIFT_INBAKE_MIN_LATER_MS` before it is tested against `DRIFT_INBAKE_RATIO` times its rate
 * before the split ({@link stepAtDeployP}: the test's own counts, divided by its dispersion,
 * load-surge steps left out), at `DRIFT_INBAKE_ALPHA` over every pair (Bonferroni; split and
 * look times fixed before the deploy, not chosen by the data). At a split the counts so far are
 * marked on the state. If a pair rejects, the test rejects (sticky), the finding kept for the
 * reason. Returns the state itself when there is nothing to do: no drift (the test has its full
 * power there), not a baseline test, already rejected, or no split or look crossed.
 */
export function takeDriftInBakeLook(
  state: SequentialState,
  drift: SignalBaseline['drift'],
  due: DriftInBakeDue,
): SequentialState {
  if (state.kind !== 'baseline' || state.rejected || drift === undefined) return state;
  if (due.splits.length === 0 && due.looks.length === 0) return state;
  const { events, trials } = countsOutsideSurges(state);
  const marks = driftMarksOf(state);
  const ratio = DRIFT_INBAKE_RATIO * Math.max(1, state.tolerance);
  const alpha = INBAKE_PAIR_ALPHA;
  let best: DriftStep | null = null;
  for (const look of due.looks) {
    for (const mark of marks) {
      if (look - mark.atMs < DRIFT_INBAKE_MIN_LATER_MS || !(mark.trials > 0)) continue;
      const later = events - mark.events;
      const laterTrials = trials - mark.trials;
      const p = stepAtDeployP(later, laterTrials, mark.events, mark.trials, ratio);
      if (p === null || !(p <= alpha) || (best !== null && best.p <= p)) continue;
      best = {
        p,
        alpha,
        ratio,
        rate: later / laterTrials,
        endRate: mark.events / mark.trials,
        atSeconds: Math.round(look / 1000),
        fromSeconds: Math.round(mark.atMs / 1000),
      };
    }
  }
  const known = new Set(marks.map((m) => m.atMs));
  const added = due.splits.filter((at) => !known.has(at)).map((atMs) => ({ atMs, events, trials }));
  const driftMarks = added.length > 0 ? [...marks, ...added] : marks;
  if (best !== null)
    return {
      ...state,
      rejected: true,
      rejectedAtUpdate: state.updates,
      driftStep: best,
      driftMarks,
    } as WithDriftStep;
  return added.length > 0 ? ({ ...state, driftMarks } as WithDriftStep) : state;
}

/** How a step look's rejection is said in a breach reason. */
export function describeDriftStep(step: DriftStep): string {
  if (step.fromSeconds !== undefined)
    return `a step inside the bake: ${showRate(step.rate)} from ${show(step.fromSeconds)} s to ${show(step.atSeconds)} s after the deploy against ${showRate(step.endRate)} before ${show(step.fromSeconds)} s, above ${show(step.ratio)}x (what a drift moves in minutes), exact conditional p ${step.p.toPrecision(2)} <= ${show(step.alpha)}: a drift does not step, a fault does`;
  return `a step at the deploy: ${showRate(step.rate)} in the bake's first ${show(step.atSeconds)} s against ${showRate(step.endRate)} in the window's last ${Math.round(DRIFT_STEP_BLOCK_MS / 60_000)} min, above ${show(step.ratio)}x (what a drift moves in minutes), exact conditional p ${step.p.toPrecision(2)} <= ${show(step.alpha)}: a drift does not step, a fault does`;
}
