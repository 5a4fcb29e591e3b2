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

/** The traffic a baseline window saw: mean requests per step and the highest one-minute mean. */
export interface LoadProfile {
  readonly meanPerStep: number;
  readonly highPerStep: number;
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
  let high = 0;
  for (let i = 0; i < trials.length; i++) {
    sum += trials[i] as number;
    if (i >= width) sum -= trials[i - width] as number;
    if (i >= width - 1) high = Math.max(high, sum / width);
  }
  return { meanPerStep: total / trials.length, highPerStep: high };
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
  if (trials > noiseBound(lambda)) return true;
  const window = [...previous.slice(-(SMOOTH_STEPS - 1)), trials];
  if (window.length < SMOOTH_STEPS) return false;
  const sum = window.reduce((a, b) => a + b, 0);
  return sum > noiseBound(lambda * window.length);
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
 * The smoothed load of each new interval: the requests over it and the intervals before it (at
 * most a minute's), less two Poisson standard deviations (so that counting noise at low traffic
 * buys no tolerance), over the baseline's mean. Null without a baseline profile.
 */
export function smoothedLoad(
  profile: LoadProfile | null | undefined,
  previous: readonly number[],
  trials: number,
): number | null {
  if (!profile || !(profile.meanPerStep > 0) || !Number.isFinite(trials)) return null;
  const window = [...previous.slice(-(LOAD_SMOOTH_STEPS - 1)), trials];
  const sum = window.reduce((a, b) => a + b, 0);
  return Math.max(0, sum - 2 * Math.sqrt(sum)) / window.length / profile.meanPerStep;
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
