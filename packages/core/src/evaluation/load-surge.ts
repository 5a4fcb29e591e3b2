import { normalUpperQuantile, normalUpperTail } from '../stats/normal';
import type { CountInterval } from './watch-state';

/**
 * Load is a confounder the pre-deploy baseline never saw: when traffic rises 2-5x, requests
 * queue, the median latency rises 15-40% with it and the share of slow requests (sometimes of
 * failures too) rises several-fold, whatever the version. A test against the baseline would
 * read that as a regression. Rollgate therefore marks every step whose traffic is clearly above
 * anything the baseline saw as a surge, and a rule with `loadSurge: 'hold'` does not feed such
 * steps to its test: it judges the version on the traffic the baseline knows (docs/statistics.md).
 * A regression that persists at normal load is still caught, after the surge.
 */

/** Traffic above this multiple of the baseline's highest one-minute mean is a surge... */
export const SURGE_FACTOR = 1.25;
/** ...and only when it is that far above it beyond Poisson noise (standard deviations). */
const SURGE_SIGMAS = 4;
/** Steps summed for the smoothed test (a surge's first steps and its tail are caught by it). */
const SMOOTH_STEPS = 3;
/** Steps per one-minute mean of the baseline profile, at most. */
const PROFILE_STEPS = 12;

/**
 * The share of the baseline's one-minute means above its `highPerStep`: a load level is one the
 * baseline knows when it spent at least this much of its window at or above it. A surge that
 * began a minute or two before the deploy is inside the window, and its busiest minute made the
 * rest of it look like known traffic: its errors in the bake got no tolerance and its latency
 * no holdout (docs/statistics.md, "Surges that straddle the deploy").
 */
export const PROFILE_HIGH_SHARE = 0.1;

/**
 * The traffic a baseline window saw: mean requests per step and the high one-minute mean (the
 * level {@link PROFILE_HIGH_SHARE} of its one-minute means reach).
 */
export interface LoadProfile {
  readonly meanPerStep: number;
  readonly highPerStep: number;
  /**
   * Set (to the steps of a minute) when the baseline's traffic arrives in batches: most steps
   * empty, far more than Poisson arrivals at its mean leave ({@link isBatchTraffic}). A surge is
   * then judged on one-minute sums only: a batch's step holds the requests of the steps before it.
   */
  readonly batchSteps?: number;
}

/** A baseline with at least this share of its steps empty may be batch traffic... */
export const BATCH_EMPTY_SHARE = 0.5;
/** ...when that is at least this many times the share Poisson arrivals at its mean leave empty. */
export const BATCH_EMPTY_EXCESS = 2;

/**
 * Whether per-step request counts are batch traffic (cron clients, queue consumers: requests
 * arrive in bursts every 15-60 s, so most steps are empty): at least {@link BATCH_EMPTY_SHARE}
 * of the steps empty, and {@link BATCH_EMPTY_EXCESS} times what Poisson arrivals at the mean
 * would leave empty (`exp(-mean)`). Poisson traffic at any rate, and traffic with multiplicative
 * noise, is not: its empty share is about `exp(-mean)`.
 */
export function isBatchTraffic(trials: readonly number[], meanPerStep: number): boolean {
  if (trials.length === 0 || !(meanPerStep > 0)) return false;
  let empty = 0;
  for (const n of trials) if (n === 0) empty++;
  const share = empty / trials.length;
  return share >= BATCH_EMPTY_SHARE && share >= BATCH_EMPTY_EXCESS * Math.exp(-meanPerStep);
}

/**
 * The load profile of the baseline's per-step intervals, or null without any. `stepSeconds`
 * sets how many steps make a minute (at least one).
 */
export function loadProfile(intervals: readonly CountInterval[], stepSeconds: number): LoadProfile | null {
  const trials = intervals.map((i) => i.trials).filter((n) => Number.isFinite(n) && n >= 0);
  if (trials.length === 0) return null;
  const total = trials.reduce((a, b) => a + b, 0);
  if (!(total > 0)) return null;
  const width = Math.max(1, Math.min(trials.length, Math.round(60 / stepSeconds), PROFILE_STEPS));
  let sum = 0;
  const minutes: number[] = [];
  for (let i = 0; i < trials.length; i++) {
    sum += trials[i] as number;
    if (i >= width) sum -= trials[i - width] as number;
    if (i >= width - 1) minutes.push(sum / width);
  }
  minutes.sort((a, b) => b - a);
  const high = minutes[Math.floor(PROFILE_HIGH_SHARE * (minutes.length - 1))] as number;
  const meanPerStep = total / trials.length;
  return width > SMOOTH_STEPS && isBatchTraffic(trials, meanPerStep)
    ? { meanPerStep, highPerStep: high, batchSteps: width }
    : { meanPerStep, highPerStep: high };
}

/** The upper bound of Poisson(lambda) noise used to call a count a surge. */
function noiseBound(lambda: number): number {
  return lambda + SURGE_SIGMAS * Math.sqrt(lambda) + SURGE_SIGMAS;
}

/**
 * Whether an interval with `trials` requests, after the intervals with `previous` requests
 * (oldest first), is a load surge against the baseline's profile: its own count, or the sum of
 * the last few steps, above `SURGE_FACTOR` times the baseline's highest one-minute mean by more
 * than Poisson noise. At a few requests per step nothing is a surge: there is no queue to fill.
 */
export function isSurge(
  profile: LoadProfile | null | undefined,
  previous: readonly number[],
  trials: number,
): boolean {
  if (!profile || !(profile.highPerStep > 0) || !Number.isFinite(trials)) return false;
  const lambda = SURGE_FACTOR * profile.highPerStep;
  if (profile.batchSteps !== undefined)
    return minuteSurge(lambda, profile.batchSteps, previous, previous.length, trials);
  if (trials > noiseBound(lambda)) return true;
  const window = [...previous.slice(-(SMOOTH_STEPS - 1)), trials];
  if (window.length < SMOOTH_STEPS) return false;
  const sum = window.reduce((a, b) => a + b, 0);
  return sum > noiseBound(lambda * window.length);
}

/**
 * Batch traffic's surge test: the sum of a minute of steps (`steps`: the newest, `newest`, and
 * the `steps - 1` of `before` up to index `end`, exclusive) above `steps` times `lambda` by more
 * than Poisson noise. A batch's step is no surge: it holds the minute's requests, which the
 * baseline's one-minute high already knows.
 */
function minuteSurge(
  lambda: number,
  steps: number,
  before: readonly number[],
  end: number,
  newest: number,
): boolean {
  if (end < steps - 1) return false;
  let sum = newest;
  for (let i = end - (steps - 1); i < end; i++) sum += before[i] as number;
  return sum > noiseBound(lambda * steps);
}

/**
 * After a surge's last step requests still queue for this long: the backlog built under the
 * surge drains, and pools and caches it resized settle, so the latency tail lags the request
 * rate back into the baseline's range. A step within it may be as slow as the load before it
 * explains ({@link smoothedLoad}), and the onset and the baseline health check of a latency
 * signal leave it out with the surge ({@link withoutSurges}); docs/statistics.md, "The tail
 * after a surge". A watch keeps its signal's window of intervals (a minute by default), so the
 * look-back is at most that long.
 */
export const SURGE_DRAIN_SECONDS = 60;

/**
 * Whether the next interval, after `previous` (oldest first, the watch's recent intervals),
 * falls in the drain of a surge: one of the last `drainSteps` intervals is a surge (each judged
 * as {@link isSurge} judged it, on the intervals before it). Like the surge mark it is chosen
 * from request counts only, so a tolerance or a holdout chosen from it keeps every test valid
 * (assumption 2: traffic is exogenous). The look-back is bounded by the intervals the watch
 * still keeps.
 */
export function isDraining(
  profile: LoadProfile | null | undefined,
  previous: readonly number[],
  drainSteps: number,
): boolean {
  if (!profile || !(profile.highPerStep > 0)) return false;
  const lambda = SURGE_FACTOR * profile.highPerStep;
  const batch = profile.batchSteps;
  if (batch !== undefined) {
    for (let k = 0; k < drainSteps && previous.length - 1 - k >= batch - 1; k++) {
      const end = previous.length - 1 - k;
      if (minuteSurge(lambda, batch, previous, end, previous[end] as number)) return true;
    }
    return false;
  }
  const single = noiseBound(lambda);
  const smooth = noiseBound(lambda * SMOOTH_STEPS);
  const last = previous.length - 1;
  for (let k = 0; k < drainSteps && last - k >= 0; k++) {
    const i = last - k;
    const n = previous[i] as number;
    if (n > single) return true;
    if (i >= SMOOTH_STEPS - 1) {
      let sum = 0;
      for (let j = i - SMOOTH_STEPS + 1; j <= i; j++) sum += previous[j] as number;
      if (sum > smooth) return true;
    }
  }
  return false;
}

/**
 * The points (oldest first) without those under a load surge or its drain, as the sequential
 * tests hold them, marked on request counts only against `profile`; without a profile all are
 * kept. The onset's change point and the baseline health check of a latency signal judge on
 * these: load is a confounder there too (evaluation/onset.ts, baseline-snapshot.ts).
 */
export function withoutSurges<P extends { readonly trials: number }>(
  points: readonly P[],
  profile: LoadProfile | null | undefined,
  drainSteps: number,
): P[] {
  if (!profile) return [...points];
  const previous: number[] = [];
  const kept: P[] = [];
  for (const p of points) {
    const held = isSurge(profile, previous, p.trials) || isDraining(profile, previous, drainSteps);
    if (!held) kept.push(p);
    previous.push(p.trials);
  }
  return kept;
}

/**
 * The load surge still under way at the end of `points` (oldest first; a baseline window's end
 * is the deploy): the trailing points {@link withoutSurges} holds, when the last of them is a
 * surge step itself (not only a drain), with their events over their trials and the end of the
 * first of them (epoch ms). Null when the window does not end in a surge, or without a profile.
 * Marked on request counts only, as every surge mark is. A latency signal's baseline leaves these
 * steps out (load is no episode), so they are the one measure of how slow the service is under
 * the load it carries into the bake: the cold-start recognition judges the warm-up against it
 * (signal-evaluation.ts, docs/statistics.md "A surge under way at the deploy is no cold start").
 */
export function surgeAtEnd<
  P extends { readonly t: number; readonly trials: number; readonly events: number },
>(
  points: readonly P[],
  profile: LoadProfile | null | undefined,
  drainSteps: number,
): { readonly startT: number; readonly events: number; readonly trials: number } | null {
  if (!profile || points.length === 0) return null;
  const previous: number[] = [];
  let first = -1;
  let lastSurge = false;
  for (let i = 0; i < points.length; i++) {
    const trials = (points[i] as P).trials;
    const surge = isSurge(profile, previous, trials);
    const held = surge || isDraining(profile, previous, drainSteps);
    if (!held) first = -1;
    else if (first < 0) first = i;
    lastSurge = surge;
    previous.push(trials);
  }
  if (first < 0 || !lastSurge) return null;
  let events = 0;
  let trials = 0;
  for (let i = first; i < points.length; i++) {
    events += (points[i] as P).events;
    trials += (points[i] as P).trials;
  }
  if (!(trials > 0)) return null;
  return { startT: (points[first] as P).t, events, trials };
}

/**
 * The most the median latency may slow with load alone: median proportional to load^0.5
 * (twice the traffic, up to 41% slower: what queueing does to a service near capacity).
 */
export const LOAD_LATENCY_EXPONENT = 0.5;
/** The log-spread assumed when the baseline's could not be measured (small: a large tolerance). */
export const DEFAULT_LATENCY_SPREAD = 0.25;
/** Steps in the smoothed load of an interval (a minute of 5 s steps). */
export const LOAD_SMOOTH_STEPS = 12;

/**
 * How many times more often requests may exceed a latency threshold at `load` times the
 * baseline's mean traffic, with no regression: latency conditioned on load. With log-normal
 * latency of log-spread `spread` (measured on the baseline from its p50 and p99), a threshold
 * exceeded by a share `share` of the baseline's requests sits `z = Q^-1(share)` spreads above
 * the median; load slowing the median by `load^LOAD_LATENCY_EXPONENT` moves it
 * `LOAD_LATENCY_EXPONENT ln(load) / spread` spreads closer, so the share may grow by
 * `Q(z - that) / Q(z)`. Below the baseline's mean traffic it is 1 (no credit for quiet times).
 */
export function latencyLoadTolerance(share: number, spread: number, load: number): number {
  if (!(load > 1) || !(share > 0) || !(share < 1)) return 1;
  const sigma = spread > 0 && Number.isFinite(spread) ? spread : DEFAULT_LATENCY_SPREAD;
  const z = normalUpperQuantile(share);
  const shifted = normalUpperTail(z - (LOAD_LATENCY_EXPONENT * Math.log(load)) / sigma);
  return Math.min(1 / share, Math.max(1, shifted / share));
}

/**
 * The load of each new interval over the baseline's mean, as far as it explains the interval's
 * latency: its smoothed load (the requests over it and the intervals before it, at most a
 * minute's: a queue built over the last minute still slows it), less two Poisson standard
 * deviations (so that counting noise at low traffic buys no tolerance). Within the drain of a
 * surge ({@link isDraining}, `drainSteps` intervals) it is the largest of the smoothed loads
 * ending at it and at each of the `drainSteps` intervals before it: the tail lags the rate, the backlog a surge built drains
 * after traffic is back in range ({@link SURGE_DRAIN_SECONDS}). Only after a surge: the largest
 * of many noisy minutes would buy every quiet step a tolerance, and it cost two marginal tail
 * faults their detection on the DEV seeds. Chosen from request counts only, as the surge marks
 * are. Null without a baseline profile.
 */
export function smoothedLoad(
  profile: LoadProfile | null | undefined,
  previous: readonly number[],
  trials: number,
  drainSteps = 0,
): number | null {
  if (!profile || !(profile.meanPerStep > 0) || !Number.isFinite(trials)) return null;
  const n = previous.length;
  const at = (i: number) => (i === n ? trials : (previous[i] as number));
  const back = drainSteps > 0 && isDraining(profile, previous, drainSteps) ? drainSteps : 0;
  let best = 0;
  for (let end = n; end >= Math.max(0, n - back); end--) {
    const from = Math.max(0, end - (LOAD_SMOOTH_STEPS - 1));
    let sum = 0;
    for (let i = from; i <= end; i++) sum += at(i);
    best = Math.max(best, Math.max(0, sum - 2 * Math.sqrt(sum)) / (end - from + 1));
  }
  return best / profile.meanPerStep;
}

/**
 * The tolerance factor an error-rate test applies to a load-surge step: as much more often as
 * the step's load explains, `load^ERROR_LOAD_EXPONENT` (the exponent the median latency is
 * allowed: twice the traffic, up to 41% more failures; queueing is what fails requests under
 * load), never below 1 and never above the rule's `loadSurge` factor `cap`. `load` is the
 * step's smoothed load over the baseline's mean ({@link smoothedLoad}: less two Poisson standard
 * deviations, so counting noise buys nothing); unknown, the cap applies, as before the load was
 * measured. Halving every surge step's errors whatever its load made a 2x error fault read 1x
 * under a 2x surge, evidence against it; a surge of 4x or more still gets the whole default cap
 * (docs/statistics.md, "Load as a confounder").
 */
export function errorLoadTolerance(cap: number, load: number | null | undefined): number {
  if (!(cap > 1)) return 1;
  if (load === null || load === undefined || !Number.isFinite(load)) return cap;
  return Math.min(cap, Math.max(1, load ** ERROR_LOAD_EXPONENT));
}

/** Error rates may rise with load at most as the median latency does (see {@link errorLoadTolerance}). */
export const ERROR_LOAD_EXPONENT = LOAD_LATENCY_EXPONENT;

/**
 * After a surge ends, a resource is still sized by it for this long: sessions, caches and
 * buffers filled by the busier minutes drain over their time-to-live (tens of seconds).
 */
export const SURGE_SETTLE_SECONDS = 60;

/** A stretch of surge steps: the first and the last step end (epoch ms) marked a surge. */
export interface SurgeSpan {
  readonly from: number;
  readonly to: number;
}

/**
 * The watch's surge spans with the steps newly marked a surge (step ends, epoch ms) added: a
 * step within one step of a span extends it. Spans that ended more than `keepMs` before `now`
 * are dropped (no window reaches back to them), so the list stays bounded.
 */
export function addSurges(
  spans: readonly SurgeSpan[],
  steps: readonly number[],
  stepMs: number,
  now: number,
  keepMs: number,
): SurgeSpan[] {
  const out = spans.map((s) => ({ ...s }));
  for (const t of [...steps].sort((a, b) => a - b)) {
    const hit = out.find((s) => t >= s.from - stepMs && t <= s.to + stepMs);
    if (hit) {
      hit.from = Math.min(hit.from, t);
      hit.to = Math.max(hit.to, t);
    } else out.push({ from: t, to: t });
  }
  return out.filter((s) => s.to >= now - keepMs).sort((a, b) => a.from - b.from);
}

/**
 * Whether a gauge sample at `t` (epoch ms), judged at `now`, was taken under a load surge or
 * while the resource settled after one: from a step before the span's first surge step to
 * `SURGE_SETTLE_SECONDS` after its last. A span counts once it has lasted
 * `MIN_SURGE_SPAN_SECONDS`, and also while it is still running (its last surge step within two
 * steps of `now`): until a surge has ended nobody knows whether it is a blip or the first seconds
 * of a real one, and judging a trend on its first seconds is what rolled healthy releases back
 * live. A span that ended short is a blip and holds nothing.
 */
export function underSurge(
  spans: readonly SurgeSpan[] | undefined,
  t: number,
  stepMs: number,
  now: number,
): boolean {
  if (!spans) return false;
  return spans.some(
    (s) =>
      (s.to - s.from >= MIN_SURGE_SPAN_SECONDS * 1000 || s.to >= now - 2 * stepMs) &&
      t > s.from - 2 * stepMs &&
      t <= s.to + SURGE_SETTLE_SECONDS * 1000,
  );
}

/**
 * Only a surge lasting this long holds a resource trend once it has ended: a step or two of
 * doubled counts (a scrape landing late on a 1 s grid, a burst of retries) fills no session
 * store, and live such blips held the memory trend of whole bakes. While a span still runs it is
 * held whatever its length (see {@link underSurge}); once a real surge reaches this length, its
 * span from its first step stays held through its settling time.
 */
export const MIN_SURGE_SPAN_SECONDS = 30;
