import { driftedCounts, type SequentialState } from '../rules/sequential-count';
import { show, showMinutes, showRate } from '../rules/verdict';
import type { SignalBaseline, SignalState, WatchState } from './watch-state';

/**
 * An incident under way at the deploy that the bake never breached on (docs/statistics.md,
 * "Dirty baselines and ambiguous onsets", "A passing bake after an incident under way"). The
 * baseline health check can see an episode still elevated at the deploy; the bake's tests then
 * judge against the healthy part of the window, and an incident that recovers a few minutes into
 * the bake (or that low traffic keeps below the tests' power) ends in a passing bake: the watch
 * kept the release and said nothing of the incident it had seen. The release is not to blame
 * (the bake passed), but what predates the deploy still wants a human.
 *
 * The question here is whether the bake's start shows the episode still going: at each look, the
 * likelihood ratio of the bake's counts so far (as the first rule's test weighs them, divided by
 * its dispersion) at the episode's own rate against the healthy part's rate (the test's anchor).
 * Both rates are fixed on pre-deploy data before the bake, so under "the bake is at the healthy
 * rate" the ratio is a test martingale and its peak over the looks crosses `1 / level` with
 * probability at most `level` (Ville's inequality): an incident that recovers leaves its peak at
 * the recovery, however long the bake goes on after it. Only for an episode at least
 * {@link UNHEALTHY_RATIO} times the healthy rate (a drift's or a load surge's rise is no
 * incident). A passing bake whose peak crossed is routed as an incident (the release is kept, no
 * rollback); the health check's own level (at most `BASELINE_HEALTH_ALPHA` per look on a healthy
 * window) comes first, so a healthy window is routed at most that times `level`.
 */

/** Fewest times the healthy part's rate an episode's rate must be for the bake to be read at it. */
export const UNHEALTHY_RATIO = 3;

/** Level of the bake-start check: its peak likelihood ratio must reach 1 / this. */
export const UNHEALTHY_LEVEL = 0.1;

/** What the bake showed of an episode under way at the deploy: the peak over the looks so far. */
export interface IncidentSeen {
  /** Log likelihood ratio (episode's rate against the healthy rate) at its peak. */
  readonly logLr: number;
  /** Epoch ms of the look at the peak. */
  readonly at: number;
  /** The bake's counts at the peak, as observed (undivided). */
  readonly events: number;
  readonly trials: number;
  /** The episode's rate and the healthy rate the ratio compared. */
  readonly rate: number;
  readonly healthyRate: number;
}

/**
 * The episode a passing bake is checked against: ongoing at the deploy, well above the healthy
 * rate; or, where the scan found none, the window's elevated last minutes (the tail look).
 */
function episodeToCheck(baseline: SignalBaseline | undefined, healthyRate: number) {
  const health = baseline?.health;
  const episode = health?.episode ?? (health?.tail ? { ...health.tail, ongoing: true } : undefined);
  if (!episode?.ongoing) return null;
  const rate = episode.rate;
  if (!(healthyRate > 0) || !(rate < 1)) return null;
  if (!(rate >= UNHEALTHY_RATIO * healthyRate) || !(rate >= UNHEALTHY_RATIO * episode.outsideRate))
    return null;
  return episode;
}

/**
 * Where the tail look armed the check (the window stayed healthy, so the test's anchor holds the
 * tail's own events): the anchor the test would have had with the tail left out, as an episode
 * is, `(events + BASELINE_PRIOR_EVENTS + 0.5) / (trials + 1)` of the rest. Infinity otherwise.
 */
function restAnchor(baseline: SignalBaseline | undefined): number {
  const tail = baseline?.health?.episode ? undefined : baseline?.health?.tail;
  if (tail === undefined || baseline?.events == null || baseline.trials == null) return Infinity;
  const trials = baseline.trials - tail.trials;
  if (!(trials > 0)) return Infinity;
  // The rest's counts with the prior, as the test's own start adds it (no drift: the rate only).
  const { baselineEvents } = driftedCounts(
    Math.max(0, baseline.events - tail.events),
    trials,
    undefined,
    undefined,
  );
  return (baselineEvents + 0.5) / (trials + 1);
}

/**
 * The peak after this look: `previous`, or this look's ratio where it is higher. `state` is the
 * signal's first sequential test on the aggregate (null before it starts). Undefined where the
 * check does not apply (a verification, no ongoing episode, an episode too close to the healthy
 * rate).
 */
export function incidentSeenAfter(
  previous: IncidentSeen | undefined,
  watch: WatchState,
  baseline: SignalBaseline | undefined,
  state: SequentialState | null | undefined,
  now: number,
): IncidentSeen | undefined {
  if (watch.purpose !== 'bake' || !state || state.kind !== 'baseline') return previous;
  const healthyRate = Math.min(state.anchorRate, restAnchor(baseline));
  const episode = episodeToCheck(baseline, healthyRate);
  if (episode === null) return previous;
  const events = state.events;
  const trials = state.trials;
  if (!(trials > 0)) return previous;
  const rate = episode.rate;
  const logLr =
    events * Math.log(rate / healthyRate) +
    (trials - events) * (Math.log1p(-rate) - Math.log1p(-healthyRate));
  if (previous !== undefined && !(logLr > previous.logLr)) return previous;
  return {
    logLr,
    at: now,
    events: state.observedEvents ?? events * state.dispersion,
    trials: state.observedTrials ?? trials * state.dispersion,
    rate,
    healthyRate,
  };
}

/** A passing bake's incident: the signal and the reason, or null when none crossed. */
export function incidentAtPassingBake(
  watch: WatchState,
  signalIds: readonly string[],
): { readonly signal: string; readonly reason: string; readonly seen: IncidentSeen } | null {
  if (watch.purpose !== 'bake') return null;
  const threshold = Math.log(1 / UNHEALTHY_LEVEL);
  for (const id of signalIds) {
    const state: SignalState | undefined = watch.signals[id];
    const seen = state?.incidentSeen;
    const health = watch.baseline?.signals[id]?.health;
    const episode = health?.episode ?? health?.tail;
    if (seen === undefined || episode === undefined || !(seen.logLr >= threshold)) continue;
    const since = showMinutes(watch.deployAt - episode.startT);
    const seenBy =
      health?.episode === undefined
        ? `the window's last ${since} before the deploy stood out (${show(episode.events)} of ${show(episode.trials)} requests, p = ${show(health?.tail?.pValue ?? 1)} over the tail look's stretches, where the scan saw no episode): an incident under way since then`
        : `the incident under way since ${since} before the deploy`;
    const after = Math.max(0, Math.round((seen.at - watch.deployAt) / 1000));
    return {
      signal: id,
      seen,
      reason: `baseline unhealthy: ${id}: ${seenBy} (${showRate(seen.rate)} against ${showRate(seen.healthyRate)} otherwise) was still going at the bake's start: ${Math.round(seen.events)} of ${Math.round(seen.trials)} requests in the first ${after} s, ${show(Math.exp(Math.min(seen.logLr, 700)))} times likelier at its rate than at the healthy one, >= 1/level ${show(1 / UNHEALTHY_LEVEL)}; the bake passed, so the release is kept and the incident routed`,
    };
  }
  return null;
}
