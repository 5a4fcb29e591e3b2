import type { RateOfChangeRule } from '../contract/contract-schema';
import { locateGrowthOnset } from '../stats/growth-onset';
import { median } from '../stats/order-statistics';
import { studentTUpperTail } from '../stats/special-functions';
import { studentTQuantile } from '../stats/student-t-quantile';
import { awaySeconds, gaugePass } from './lazy-gauge-verdict';
import {
  FINITE_DOMAIN,
  firstOutside,
  firstValueOutside,
  type MeasureDomain,
  outOfDomainVerdict,
} from './measure-domain';
import { show, type TimeWindow, type Verdict } from './verdict';

/** A least-squares line through points, with the slope's standard error. */
export interface LinearFit {
  /** Units per second. */
  readonly slope: number;
  /** Fitted value at the newest point. */
  readonly fittedLast: number;
  /** Standard error of the slope; 0 for a perfect fit. */
  readonly slopeStdError: number;
  readonly points: number;
  /** Seconds between the oldest and the newest point. */
  readonly spanSeconds: number;
}

/**
 * Ordinary least squares of value on time (seconds). Order-independent. Returns null with fewer
 * than three distinct times: two points always fit a line exactly and say nothing of noise.
 */
export function fitLine(points: readonly { readonly t: number; readonly v: number }[]): LinearFit | null {
  return fitLineFrom(points, 0);
}

/**
 * {@link fitLine} of `points` from index `from` on, without copying them (the same sums in the
 * same order, so the same fit to the bit as fitting the slice): the recent third of a trend is
 * fitted at every evaluation of every resource signal.
 */
export function fitLineFrom(
  points: readonly { readonly t: number; readonly v: number }[],
  from: number,
): LinearFit | null {
  for (let i = from; i < points.length; i++) {
    const p = points[i] as { readonly t: number; readonly v: number };
    if (!Number.isFinite(p.t) || !Number.isFinite(p.v)) {
      // Copied only when a point must be dropped (the evaluation passes finite points already).
      return fitFinite(
        points.slice(from).filter((q) => Number.isFinite(q.t) && Number.isFinite(q.v)),
        0,
      );
    }
  }
  return fitFinite(points, from);
}

/** The least-squares fit of `usable[from ..]`, all finite. */
function fitFinite(
  usable: readonly { readonly t: number; readonly v: number }[],
  from: number,
): LinearFit | null {
  const n = usable.length - from;
  if (n < 3) return null;
  let tMean = 0;
  let vMean = 0;
  let tMax = Number.NEGATIVE_INFINITY;
  let tMin = Number.POSITIVE_INFINITY;
  for (let i = from; i < usable.length; i++) {
    const p = usable[i] as { readonly t: number; readonly v: number };
    tMean += p.t / 1000 / n;
    vMean += p.v / n;
    tMax = Math.max(tMax, p.t / 1000);
    tMin = Math.min(tMin, p.t / 1000);
  }
  let sxx = 0;
  let sxy = 0;
  for (let i = from; i < usable.length; i++) {
    const p = usable[i] as { readonly t: number; readonly v: number };
    const dt = p.t / 1000 - tMean;
    sxx += dt * dt;
    sxy += dt * (p.v - vMean);
  }
  if (sxx === 0) return null;
  const slope = sxy / sxx;
  const intercept = vMean - slope * tMean;
  let sse = 0;
  for (let i = from; i < usable.length; i++) {
    const p = usable[i] as { readonly t: number; readonly v: number };
    const r = p.v - (intercept + (slope * p.t) / 1000);
    sse += r * r;
  }
  const slopeStdError = Math.sqrt(sse / (n - 2) / sxx);
  return { slope, fittedLast: intercept + slope * tMax, slopeStdError, points: n, spanSeconds: tMax - tMin };
}

/**
 * The pre-deploy oscillation of a gauge: its lowest and highest sample before the deploy. A
 * garbage-collected heap climbs and drops in a sawtooth; growth is only evidence of a leak once
 * it leaves this range.
 */
export interface Envelope {
  readonly low: number;
  readonly high: number;
  /** The largest fall between two consecutive pre-deploy samples (a collection's drop). */
  readonly drop?: number;
}

/** Parts (of equal point counts) the pre-deploy window is cut into by {@link steadyEnvelope}. */
export const ENVELOPE_PARTS = 6;
/**
 * How far above the steady high (the newest part's floor plus the typical part's range) a
 * pre-deploy sample may lie and still be read as the process's own oscillation, as a share of
 * that range (see {@link steadyEnvelope}).
 */
export const ENVELOPE_MARGIN = 0.5;

/** A pre-deploy envelope, with how many samples a one-off fall's memory held out of it. */
export interface SteadyEnvelope extends Envelope {
  /** The largest fall between two consecutive samples both kept. */
  readonly drop: number;
  /** Samples above the steady high, held out (0 for a steady oscillation). */
  readonly heldOut: number;
  /** The value above which a sample was held out (the steady high and its margin); Infinity when none can be. */
  readonly cap: number;
  /** The lowest and highest of every sample, held out or not. */
  readonly whole: { readonly low: number; readonly high: number };
}

/**
 * The pre-deploy oscillation of a gauge (`points`: its samples before the deploy, in time order;
 * `series` splits them into the series they were read from, each in time order, for the largest
 * fall), without the memory of a one-off fall: a load surge's memory given back, or a restart of
 * the previous release that held more, inside the window. Either is higher than everything the
 * process does once it has settled, and read as oscillation it widens the envelope so far that a
 * leak's growth stays inside it (live: a surge's memory falling back from 386 to 130 MB before
 * the deploy hid a 531 kB/s leak). The window is cut into `ENVELOPE_PARTS` parts of equal point
 * counts: the newest part's floor is where the process oscillates from now, the median of the
 * parts' ranges how far it oscillates (a minority of parts holding a fall does not move it, and a
 * fall that fills most of the window widens it, holding less out). A sample above that steady high
 * (the newest floor plus the typical range) by more than `ENVELOPE_MARGIN` of the range is held
 * out, in the newest part too (a restart minutes before the deploy): the envelope is the rest's lowest and highest,
 * and its `drop` the largest fall between two consecutive samples that are both kept (a fall
 * after a surge is no collection). A steady oscillation holds nothing out: each part reaches its
 * high from its floor, so no sample lies that far above them. With fewer than two points a part,
 * the plain lowest and highest.
 */
export function steadyEnvelope(
  points: readonly { readonly t: number; readonly v: number }[],
  series: readonly (readonly { readonly t: number; readonly v: number }[])[] = [points],
): SteadyEnvelope | null {
  const usable = points.filter((p) => Number.isFinite(p.v));
  if (usable.length === 0) return null;
  let low = Number.POSITIVE_INFINITY;
  let high = Number.NEGATIVE_INFINITY;
  for (const p of usable) {
    low = Math.min(low, p.v);
    high = Math.max(high, p.v);
  }
  const whole = { low, high };
  let cap = Number.POSITIVE_INFINITY;
  const floors = partFloors(usable, ENVELOPE_PARTS);
  if (floors !== null && usable.length >= 2 * ENVELOPE_PARTS) {
    const highs = partHighs(usable, ENVELOPE_PARTS);
    const ranges = highs.map((h, k) => h - (floors[k] as number));
    const typical = median(ranges);
    const newestFloor = floors.at(-1) as number;
    cap = newestFloor + (1 + ENVELOPE_MARGIN) * typical;
  }
  let kept = 0;
  let keptLow = Number.POSITIVE_INFINITY;
  let keptHigh = Number.NEGATIVE_INFINITY;
  for (const p of usable) {
    if (p.v > cap) continue;
    kept++;
    keptLow = Math.min(keptLow, p.v);
    keptHigh = Math.max(keptHigh, p.v);
  }
  let drop = 0;
  for (const s of series) {
    let previous: number | null = null;
    for (const p of s) {
      if (!Number.isFinite(p.v)) continue;
      if (previous !== null && previous <= cap && p.v <= cap) drop = Math.max(drop, previous - p.v);
      previous = p.v;
    }
  }
  return { low: keptLow, high: keptHigh, drop, heldOut: usable.length - kept, cap, whole };
}

/** The highest value of each of `parts` consecutive groups of equal point count (as {@link partFloors}). */
function partHighs(points: readonly { readonly t: number; readonly v: number }[], parts: number): number[] {
  const highs = new Array<number>(parts).fill(Number.NEGATIVE_INFINITY);
  points.forEach((p, i) => {
    const k = partOf(i, points.length, parts);
    highs[k] = Math.max(highs[k] as number, p.v);
  });
  return highs;
}

/** Inputs of {@link evaluateRateOfChange}, already past the data-quality checks. */
export interface TrajectoryInput {
  readonly signal: string;
  readonly segment?: string;
  readonly points: readonly { readonly t: number; readonly v: number }[];
  readonly window: TimeWindow;
  /** The pre-deploy level, for `limitFromBaseline`. */
  readonly baseline: number | null;
  /**
   * The pre-deploy range of the samples. When given, growth counts only once it is larger than
   * that range and the recent floor has left it (see {@link evaluateRateOfChange}).
   */
  readonly envelope?: Envelope | null;
  /** The longest the growth must be watched (the signal's configured window); default: the window. */
  readonly windowSeconds?: number;
  readonly unit: string;
  /** The values the measure can take (see `measure-domain.ts`); any finite value when absent. */
  readonly domain?: MeasureDomain;
  /**
   * Whether a load surge was marked in the window: samples held out for it (or while the resource
   * settled after one), or a surge too short to hold any. The level at the limit is then no
   * evidence on its own: memory a surge filled is given back slowly, and the samples after its
   * settling time can still be above the limit with no leak at all. Only growth, watched as any
   * trend is, breaches then (see {@link evaluateRateOfChange}).
   */
  readonly surgeHeld?: boolean;
}

/** Default share of the projected time to the limit over which growth must be watched. */
export const DEFAULT_SUSTAIN_SHARE = 0.1;

/** Share of the window's newest points whose minimum is the recent floor. */
const FLOOR_SHARE = 1 / 3;

/**
 * Resource trajectory: the least-squares slope over the window and the projected time until the
 * limit is reached. Breach when the slope is significantly positive (p-value <= `maxPValue`)
 * and the limit would be reached within `horizonSeconds` — a leak is caught by its trend long
 * before any absolute bound. The verdict's value is the slope (units/s) and its threshold the
 * slope that would reach the limit exactly at the horizon. One point (or a baseline) outside
 * the measure's domain makes the verdict an `error`: a trend through garbage means nothing.
 *
 * A least-squares slope on a sawtooth (a GC cycle climbing, then dropping) is significant on
 * every climb, and its residuals are not independent, so the t-test alone is no evidence of a
 * leak. Every check therefore runs on the growth since its located onset
 * (`locateGrowthOnset`: the knot of the best "flat, then rising" fit), not on the whole window,
 * and with the pre-deploy `envelope` the growth must leave the process's own oscillation: its
 * rise must exceed the pre-deploy range, and the recent floor (the lowest of the newest third of
 * the points, at most their newest 100 s) must be above the pre-deploy high; a sawtooth can do
 * neither, since its floor is its post-GC level. The growth must be sustained, not a step (see
 * `growthCheck`), and watched for `sustainShare` of the projected time to the limit, at least
 * `MIN_SUSTAIN_SECONDS` (`MIN_STEADY_SUSTAIN_SECONDS` for steady growth reaching the limit within
 * `STEADY_LIMIT_SECONDS`: a warm-up ramp decelerates, a leak does not), at most
 * `MAX_SUSTAIN_SECONDS` and the window: the sooner the limit, the sooner Rollgate acts. A slow
 * leak adds less than a wide sawtooth's range in a few minutes, so the window must hold the bake
 * (the default memory window does: docs/statistics.md).
 */
export function evaluateRateOfChange(rule: RateOfChangeRule, input: TrajectoryInput): Verdict {
  const base = {
    signal: input.signal,
    rule: 'rate-of-change',
    ...(input.segment === undefined ? {} : { segment: input.segment }),
    window: input.window,
    samples: input.points.length,
  };
  const domain = input.domain ?? FINITE_DOMAIN;
  const impossible = firstValueOutside(input.points, domain);
  if (impossible !== undefined) return outOfDomainVerdict(base, impossible, domain);
  if (input.baseline !== null && !Number.isNaN(input.baseline)) {
    const badBaseline = firstOutside([input.baseline], domain);
    if (badBaseline !== undefined)
      return outOfDomainVerdict(base, badBaseline, { ...domain, name: `pre-deploy ${domain.name}` });
  }
  const limit =
    rule.limit ??
    (input.baseline !== null && input.baseline > 0 ? input.baseline * rule.limitFromBaseline : null);
  if (limit === null) {
    return {
      ...base,
      status: 'no-data',
      value: null,
      threshold: null,
      reason: 'no limit: set `limit`, or a pre-deploy baseline is needed for `limitFromBaseline`',
    };
  }
  // Finite points in time order, once: every check below reads them.
  const usable = finiteInTimeOrder(input.points);
  const whole = fitLine(usable);
  if (whole === null) {
    return {
      ...base,
      status: 'no-data',
      value: null,
      threshold: null,
      reason: 'fewer than three points at distinct times: no trend can be fitted',
    };
  }
  // The growth is judged from its located onset, not from the window's start: flat samples
  // before a leak would dilute its slope and delay every check that needs its rise.
  const growth = growthSegment(usable, whole);
  const fit = growth.fit;
  const headroom = limit - fit.fittedLast;
  const thresholdSlope = Math.max(0, headroom) / rule.horizonSeconds;
  const tStat =
    fit.slopeStdError > 0 ? fit.slope / fit.slopeStdError : fit.slope > 0 ? Number.POSITIVE_INFINITY : 0;
  const statistic = {
    name: 't-stat',
    value: tStat,
    threshold: studentTQuantile(rule.maxPValue, fit.points - 2),
  };
  const perSecond = `${input.unit}/s`;
  const envelopeOf = input.envelope ?? null;
  // A level at the limit breaches at once, unless a load surge was held out of the window: what a
  // surge filled can still be there after its settling time (given back slowly); then only
  // growth, watched for as long as any trend must be, is evidence (docs/statistics.md, "Memory
  // that a load surge fills").
  if (headroom <= 0 && input.surgeHeld !== true) {
    const reached = envelopeCheck(usable, fit, envelopeOf);
    if (reached.left) {
      return {
        ...base,
        status: 'breach',
        value: fit.slope,
        threshold: thresholdSlope,
        statistic,
        reason: `level ${show(fit.fittedLast, input.unit)} has reached the limit ${show(limit, input.unit)}`,
      };
    }
  }
  const secondsToLimit = headroom <= 0 ? 0 : fit.slope > 0 ? headroom / fit.slope : Number.POSITIVE_INFINITY;
  // A slope within the limit's pace passes whatever the noise and the shape say: the usual step
  // of a healthy watch, answered without the p-value, the envelope, the growth checks or the
  // recent fit, which only a rising trend reads (docs/benchmarks.md, "fleet-tick-issue-13").
  if (fit.slope <= thresholdSlope && headroom <= 0 && input.surgeHeld === true) {
    // At the limit after a load surge (the level path held above), and not growing: say so.
    return {
      ...base,
      status: 'pass',
      value: fit.slope,
      threshold: thresholdSlope,
      statistic,
      reason: `level ${show(fit.fittedLast, input.unit)} at the limit ${show(limit, input.unit)} after samples held out for a load surge, not growing (slope ${show(fit.slope, perSecond)}): memory the surge filled, not yet given back`,
    };
  }
  if (fit.slope <= thresholdSlope) {
    // Its reason built when read (rules/lazy-gauge-verdict.ts): the step of almost every
    // resource signal, whose text nobody reads but the audit of a breach elsewhere.
    return gaugePass(
      { ...base, value: fit.slope, threshold: thresholdSlope, statistic },
      { kind: 'trend', unit: input.unit, a: limit, b: awaySeconds(secondsToLimit), heldSeconds: 0 },
    );
  }
  // One-sided p-value of "slope > 0" with n - 2 degrees of freedom: with few points the t
  // distribution's tails are heavy, so a fixed t threshold would fire on noise.
  const pValue = tStat === Number.POSITIVE_INFINITY ? 0 : studentTUpperTail(tStat, fit.points - 2);
  const envelope = envelopeCheck(usable, fit, envelopeOf);
  const shape = envelope.left ? growthCheck(growth.points, fit, envelopeOf) : envelope;
  const trending = fit.slope > thresholdSlope && pValue <= rule.maxPValue;
  const windowSeconds = input.windowSeconds ?? (input.window.end - input.window.start) / 1000;
  const share = rule.sustainShare ?? DEFAULT_SUSTAIN_SHARE;
  // Steady growth that reaches the limit soon is confirmed after a shorter watch: a warm-up ramp
  // decelerates (its newest third is slower than the whole), a leak does not.
  const steady = steadyGrowth(growth.points, fit);
  const fast = steady.steady && secondsToLimit <= STEADY_LIMIT_SECONDS;
  const minimum = fast ? MIN_STEADY_SUSTAIN_SECONDS : MIN_SUSTAIN_SECONDS;
  // `sustainShare: 0` turns the time requirement off, the minimum with it.
  const watch =
    share === 0 ? 0 : Math.min(windowSeconds, MAX_SUSTAIN_SECONDS, Math.max(share * secondsToLimit, minimum));
  // Far from the limit (projected further away than the growth has been watched) nothing is lost
  // by watching longer, and a cache that fills looks like a leak until it flattens: the growth
  // must then be watched for `farSustainSeconds` (default 540 s), and its newest third must still reach the
  // limit within the horizon on its own pace (a fill that flattened does not; a leak does).
  const farWatch = Math.min(windowSeconds, rule.farSustainSeconds ?? FAR_SUSTAIN_SECONDS);
  const far = share !== 0 && farWatch > 0 && secondsToLimit > fit.spanSeconds;
  // Growth that keeps its pace is no fill: a fill decelerates (its newest third grows slower than
  // before, or not at all, once it is full), and one longer than two thirds of the far watch is
  // not what the far watch guards against. Kept pace is confirmed after `FAR_KEPT_PACE_SHARE` of
  // the far watch (450 of 540 s), read only when all else says breach.
  const keptPaceWatch = Math.max(watch, FAR_KEPT_PACE_SHARE * farWatch);
  const pace =
    far && trending && shape.left && fit.spanSeconds >= keptPaceWatch && fit.spanSeconds < farWatch
      ? keptPace(growth.points, fit)
      : null;
  const kept = pace?.kept === true;
  const needed = far ? Math.max(watch, kept ? keptPaceWatch : farWatch) : watch;
  // The growth must still be there at its end: the newest third of its time (not of its points:
  // after samples held out for a load surge, those are the samples since, where what the surge
  // filled is given back) still reaching the limit within the horizon. Read only when all else
  // says breach.
  const ready = trending && shape.left && fit.spanSeconds >= needed;
  const recent = ready ? recentPace(growth.points, fit) : null;
  const slowing = ready && !(recent !== null && recent.slope > thresholdSlope);
  // Since when: the located onset, or the whole read when the growth fills it.
  const since =
    growth.onsetAt === null
      ? ` over all ${Math.round(fit.spanSeconds)} s read`
      : ` since ${Math.round(fit.spanSeconds)} s ago`;
  // Why the watch is as short as it is: the reader sees a shortened minimum explained.
  const watchWhy = far
    ? kept && pace !== null
      ? ` (the limit further away than the growth was watched: at least ${Math.round(keptPaceWatch)} s, its pace kept: the newest third of it still ${show(pace.recent, perSecond)} against ${show(pace.older, perSecond)} before it, not a fill that flattens)`
      : ` (the limit further away than the growth was watched: at least ${Math.round(farWatch)} s${recent === null ? '' : `, the newest third of it still ${show(recent.slope, perSecond)}`})`
    : fast
      ? ` (steady: the newest third still ${show(steady.recentSlope ?? 0, perSecond)}, and the limit within ${STEADY_LIMIT_SECONDS} s)`
      : '';
  if (ready && !slowing) {
    return {
      ...base,
      status: 'breach',
      value: fit.slope,
      threshold: thresholdSlope,
      statistic,
      reason: `growing ${show(fit.slope, perSecond)}${since} (t=${show(tStat)}${envelope.detail}${shape === envelope ? '' : shape.detail}): limit ${show(limit, input.unit)} reached in ~${Math.round(secondsToLimit)} s, within the ${rule.horizonSeconds} s horizon; growth watched for ${Math.round(fit.spanSeconds)} s of the ${Math.round(needed)} s it must hold${watchWhy}`,
    };
  }
  if (trending && shape.left && !(fit.spanSeconds >= needed)) {
    // Everything says leak but the time it must be watched: not a pass, not yet a breach.
    return {
      ...base,
      status: 'no-data',
      value: fit.slope,
      threshold: thresholdSlope,
      statistic,
      reason: `slope ${show(fit.slope, perSecond)}: growth seen for ${Math.round(fit.spanSeconds)} s of the ${Math.round(needed)} s it must hold${watchWhy} (limit ~${Math.round(secondsToLimit)} s away)`,
    };
  }
  // (A slope within the limit's pace has passed above: here it is above it.)
  const why = !trending
    ? `the trend is within noise (t=${show(tStat)}, p=${show(pValue)} > ${show(rule.maxPValue)})`
    : !shape.left
      ? shape.detail
      : `the newest third of the ${Math.round(fit.spanSeconds)} s since the growth began ${recent === null ? 'holds too few samples to fit' : `grows ${show(recent.slope, perSecond)}`}, under the limit's pace of ${show(thresholdSlope, perSecond)}, ${
          far
            ? `and the limit is ~${Math.round(secondsToLimit)} s away, further than the growth was watched: growth that settles (a cache filling), not a leak`
            : input.surgeHeld === true
              ? 'after samples held out for a load surge: memory the surge filled, given back, not a leak'
              : 'growth that has stopped, not a leak'
        }`;
  return {
    ...base,
    status: 'pass',
    value: fit.slope,
    threshold: thresholdSlope,
    statistic,
    reason: `slope ${show(fit.slope, perSecond)}: ${why}`,
  };
}

/**
 * The points with a finite time and value, ascending by time (stable for ties). Reads arrive
 * finite and ordered (the signal reader checks): then they are used as they are, not copied and
 * sorted at every evaluation of every resource signal.
 */
function finiteInTimeOrder<P extends { readonly t: number; readonly v: number }>(
  points: readonly P[],
): readonly P[] {
  let previous = Number.NEGATIVE_INFINITY;
  for (const p of points) {
    if (!Number.isFinite(p.t) || !Number.isFinite(p.v) || p.t < previous) {
      return points.filter((q) => Number.isFinite(q.t) && Number.isFinite(q.v)).sort((a, b) => a.t - b.t);
    }
    previous = p.t;
  }
  return points;
}

/**
 * The watch for growth while the limit is further away than the growth has been watched (see
 * {@link evaluateRateOfChange}): longer than a cache takes to fill (up to 6 min in the
 * `cache-fill-keep` family) and for its newest third to be flat once it has.
 */
export const FAR_SUSTAIN_SECONDS = 540;

/**
 * Share of the far watch after which growth that keeps its pace is confirmed (see
 * {@link keptPace}): 450 s of the default 540 s. The far watch is one and a half times the longest
 * fill it guards against (6 min), so that a fill's newest third is flat by its end; growth still
 * at its pace 90 s after that longest fill has ended is not one.
 */
export const FAR_KEPT_PACE_SHARE = 5 / 6;
/**
 * The newest third of the growth's time must grow at least this share of the pace of the two
 * thirds before it for the growth to keep its pace (see {@link keptPace}).
 */
export const KEPT_PACE_SHARE = 0.9;

/**
 * Does the growth keep its pace? The least-squares slope of the newest `STEADY_RECENT_SHARE` of
 * the growth segment's time (`points`, finite, in time order; `fit` their line) against the slope
 * of the time before it: a leak grows as fast at the end as before (at least `KEPT_PACE_SHARE`),
 * a fill decelerates (concave: each stretch rises less than the one before, then nothing). By
 * time, not by point count, as {@link recentPace}. Null when either stretch has fewer than three
 * points.
 */
function keptPace(
  points: readonly { readonly t: number; readonly v: number }[],
  fit: LinearFit,
): { kept: boolean; recent: number; older: number } | null {
  const newest = (points.at(-1) as { t: number }).t;
  const from = newest - STEADY_RECENT_SHARE * fit.spanSeconds * 1000;
  let i = points.length;
  while (i > 0 && (points[i - 1] as { t: number }).t >= from) i--;
  const recent = fitLineFrom(points, i);
  const older = fitLine(points.slice(0, i));
  if (recent === null || older === null) return null;
  return {
    kept: older.slope > 0 && recent.slope >= KEPT_PACE_SHARE * older.slope,
    recent: recent.slope,
    older: older.slope,
  };
}

/** Equal shares of the growth segment's points whose floors must each be higher. */
export const GROWTH_PARTS = 4;
/** Share of the fitted slope at which each part's floor must rise above the one before (per second). */
export const GROWTH_STEP_SHARE = 0.25;
/** The slowest rise between two parts' floors (per second) must be at least this share of the fastest. */
export const GROWTH_BALANCE = 0.3;
/**
 * The shortest time growth must be watched (capped by the signal's window): a young process
 * sizing its heap, or a new version filling its caches, grows fast for a minute or so and then
 * flattens, and a level shift's ramp is over by then. However near the projected limit: a step
 * of a third of the level looks like a leak that doubles it within minutes, and a leak that does
 * reach the limit sooner breaches on the level itself. 180 s, not 120 s: a warm-up ramp of up to
 * 90 s has flattened for long enough by then that the newest part's floor no longer reads as
 * higher (A/A, a young process sizing its heap: 9 of 200 healthy deploys rolled back with 120 s,
 * 0 of 200 with 180 s; docs/benchmarks.md).
 */
export const MIN_SUSTAIN_SECONDS = 180;
/**
 * The most that growth must be watched, whatever the projected time to the limit: a tenth of an
 * hour. The window used to cap it (300 s); the memory window is now longer (the whole bake since
 * the warm-up), and a slow leak must not wait longer for it than it did.
 */
export const MAX_SUSTAIN_SECONDS = 300;
/**
 * The shortest watch for growth that is steady and reaches the limit within
 * `STEADY_LIMIT_SECONDS`: 30 s more than the longest warm-up ramp guarded against (a young
 * process sizing its heap for up to 90 s), so that a ramp has been flat for a while by then and
 * no longer reads as steady.
 */
export const MIN_STEADY_SUSTAIN_SECONDS = 120;
/** Projected time to the limit (s) within which steady growth is confirmed after the shorter watch. */
export const STEADY_LIMIT_SECONDS = 600;
/** Share of the growth segment's newest points whose own slope tells steady growth from a ramp. */
export const STEADY_RECENT_SHARE = 1 / 3;
/**
 * The newest points' slope must be at least this share of the whole growth's for it to count as
 * steady: a ramp that flattens is decelerating, its newest third slower than the whole; a leak is
 * not.
 */
export const STEADY_SLOPE_SHARE = 0.5;
/** The recent floor is taken over at most this many newest seconds (see `envelopeCheck`). */
const RECENT_FLOOR_SECONDS = 100;

/**
 * Is the growth steady, not decelerating? The slope of the newest `STEADY_RECENT_SHARE` of the
 * growth segment's points (`points`, finite, in time order) against the whole segment's (`fit`).
 */
function steadyGrowth(
  points: readonly { readonly t: number; readonly v: number }[],
  fit: LinearFit,
): { steady: boolean; recentSlope: number | null } {
  const late = fitLineFrom(points, Math.floor(points.length * (1 - STEADY_RECENT_SHARE)));
  if (late === null || !(fit.slope > 0)) return { steady: false, recentSlope: late?.slope ?? null };
  return { steady: late.slope >= STEADY_SLOPE_SHARE * fit.slope, recentSlope: late.slope };
}

/**
 * The least-squares line of the growth segment's points (finite, in time order) in the newest
 * `STEADY_RECENT_SHARE` of its time (`fit.spanSeconds`), or null with fewer than three there.
 * By time, not by point count: after samples held out for a load surge, the newest points by
 * count reach back across the gap.
 */
function recentPace(
  points: readonly { readonly t: number; readonly v: number }[],
  fit: LinearFit,
): LinearFit | null {
  const newest = (points.at(-1) as { t: number }).t;
  const from = newest - STEADY_RECENT_SHARE * fit.spanSeconds * 1000;
  let i = points.length;
  while (i > 0 && (points[i - 1] as { t: number }).t >= from) i--;
  return fitLineFrom(points, i);
}

/**
 * A fall between two consecutive points of at least this share of the largest pre-deploy fall
 * marks a collection (a sawtooth's drop) inside a part.
 */
export const CYCLE_DROP_SHARE = 0.5;
/** Points the growth segment holds at least (two per part). */
const MIN_SEGMENT_POINTS = 2 * GROWTH_PARTS;

/**
 * The points from the located onset of growth (`locateGrowthOnset`) to the newest, and their
 * least-squares line. Without a rising onset (flat or falling data), the whole window: `usable`
 * (finite, in time order) and its line `whole`.
 */
function growthSegment(
  usable: readonly { readonly t: number; readonly v: number }[],
  whole: LinearFit,
): {
  points: readonly { readonly t: number; readonly v: number }[];
  fit: LinearFit;
  onsetAt: number | null;
} {
  const onset = locateGrowthOnset(usable, MIN_SEGMENT_POINTS);
  if (onset === null || onset.index === 0) return { points: usable, fit: whole, onsetAt: null };
  const segment = usable.slice(onset.index);
  const fit = fitLine(segment);
  return fit === null
    ? { points: usable, fit: whole, onsetAt: null }
    : { points: segment, fit, onsetAt: onset.t };
}

/**
 * Is the growth sustained, beyond the process's own oscillation, and not a level shift? The
 * growth segment (from the located onset) is cut into `GROWTH_PARTS` parts of equal point counts
 * and each part's floor (its lowest point: a sawtooth's post-GC level) must rise above the one
 * before, per second between the parts' mean times, at at least `GROWTH_STEP_SHARE` of the
 * fitted slope and at least `GROWTH_BALANCE` of the fastest of those rises (per second, so that a
 * part across the gap a load surge's hold leaves is not read as a step). A leak lifts every floor alike; a level shift
 * (RSS stepping up, then flat: a larger working set) lifts only the floors it ramps through.
 * And unless every part after the first holds a collection (a fall of at least
 * `CYCLE_DROP_SHARE` of the largest pre-deploy fall, so its floor is a post-GC level), the
 * floors must keep rising AFTER the first part by more than the pre-deploy range: a step (which
 * the onset puts at the segment's start) is over by then, and a sawtooth's climb, which lifts
 * every floor of parts shorter than its cycle, rises at most its amplitude, which the range
 * holds. `detail` explains the answer.
 */
function growthCheck(
  points: readonly { readonly t: number; readonly v: number }[],
  fit: LinearFit,
  envelope: Envelope | null,
): { left: boolean; detail: string } {
  const floors = partFloors(points, GROWTH_PARTS);
  if (floors === null) {
    return { left: false, detail: `fewer than ${GROWTH_PARTS} points since the growth began` };
  }
  const shown = floors.map((f) => show(f)).join(', ');
  // Rises per second between the parts' mid-times, not per part: samples held out under a load
  // surge leave a gap, and a part across it spans more time, so its floor rises more.
  const mids = partMidTimes(points, GROWTH_PARTS);
  const rates = floors
    .slice(1)
    .map(
      (f, k) => (f - (floors[k] as number)) / Math.max(1e-9, (mids[k + 1] as number) - (mids[k] as number)),
    );
  const step = GROWTH_STEP_SHARE * fit.slope;
  // Every rise above the step, and each at least GROWTH_BALANCE of the fastest among them.
  const risesBalanced = (rs: readonly number[]) => {
    const top = Math.max(...rs);
    return rs.every((r) => r > step && r >= GROWTH_BALANCE * top);
  };
  const fastest = Math.max(...rates);
  const balanced = risesBalanced(rates);
  // A cache that filled (or a step) at the growth's start, and sustained growth after it: the
  // first rise is the fastest, and every later one still rises, balanced among themselves. What
  // follows the first part must then hold the rest of the checks on its own (below).
  const afterFill = !balanced && rates[0] === fastest && risesBalanced(rates.slice(1));
  if (!balanced && !afterFill) {
    return {
      left: false,
      detail: `the floors of ${GROWTH_PARTS} parts of the ${Math.round(fit.spanSeconds)} s since the growth began (${shown}) do not each rise at ${show(step)}/s and at ${show(GROWTH_BALANCE * 100)}% of the fastest rise between parts or more: a level shift that settles, not sustained growth`,
    };
  }
  const range = envelope === null ? 0 : Math.max(0, envelope.high - envelope.low);
  const rise = (floors.at(-1) as number) - (floors[1] as number);
  // A part that holds a collection's drop has a post-collection floor, not a point on a climb.
  const cycled =
    envelope?.drop !== undefined &&
    envelope.drop > 0 &&
    partsHoldFalls(points, GROWTH_PARTS, CYCLE_DROP_SHARE * envelope.drop);
  if (!cycled && Number.isFinite(range) && !(rise > range)) {
    return {
      left: false,
      detail: `after the first of ${GROWTH_PARTS} parts of the ${Math.round(fit.spanSeconds)} s since the growth began the floors (${shown}) rose ${show(rise)}, within the pre-deploy oscillation (range ${show(range)}), and not every part holds a collection's drop: a step or a GC cycle's climb, not yet sustained growth`,
    };
  }
  return {
    left: true,
    detail: `, floors ${shown} each higher${afterFill ? ' (the first rise the fastest: a fill or a step, then growth)' : ''}, ${show(rise)} after the first part against a pre-deploy range of ${show(range)}${cycled ? ', every part holding a collection' : ''}`,
  };
}

/** The mean time (seconds) of each of `parts` groups of equal point count, as in {@link partFloors}. */
function partMidTimes(
  points: readonly { readonly t: number; readonly v: number }[],
  parts: number,
): number[] {
  const sums = new Array<number>(parts).fill(0);
  const counts = new Array<number>(parts).fill(0);
  points.forEach((p, i) => {
    const k = partOf(i, points.length, parts);
    sums[k] = (sums[k] as number) + p.t / 1000;
    counts[k] = (counts[k] as number) + 1;
  });
  return sums.map((sum, k) => sum / Math.max(1, counts[k] as number));
}

/** The part (of `parts` groups of equal point count) that the `i`-th of `n` points falls in. */
const partOf = (i: number, n: number, parts: number) => Math.min(parts - 1, Math.floor((i * parts) / n));

/**
 * Does every part but the first (as in {@link partFloors}; `points` finite, in time order) hold
 * a fall of at least `fall` between two consecutive points? Then each of those parts holds a
 * collection, and its floor is a post-collection level, not a point on a climb.
 */
function partsHoldFalls(
  points: readonly { readonly t: number; readonly v: number }[],
  parts: number,
  fall: number,
): boolean {
  if (points.length < 2 * parts) return false;
  const held = new Array<boolean>(parts).fill(false);
  for (let i = 1; i < points.length; i++) {
    if ((points[i - 1] as { v: number }).v - (points[i] as { v: number }).v >= fall) {
      held[partOf(i, points.length, parts)] = true;
    }
  }
  return held.slice(1).every(Boolean);
}

/**
 * The lowest value of each of `parts` consecutive groups of equal point count of `points`
 * (finite, in time order), or null with fewer points than parts. Groups of points, not of time:
 * samples held out under a load surge leave a gap in time, never an empty part.
 */
export function partFloors(
  points: readonly { readonly t: number; readonly v: number }[],
  parts: number,
): number[] | null {
  if (points.length < parts || parts < 1) return null;
  const floors = new Array<number>(parts).fill(Number.POSITIVE_INFINITY);
  points.forEach((p, i) => {
    const k = partOf(i, points.length, parts);
    floors[k] = Math.min(floors[k] as number, p.v);
  });
  return floors;
}

/**
 * Has the series left its pre-deploy oscillation? True without an envelope (nothing to compare
 * with). `usable` is the whole window (finite, in time order). The rise is the growth segment's
 * (from the located onset); the recent floor is the lowest of the newest third of the window, so
 * a segment that is one sawtooth climb (its onset at the last drop) does not hide the floor the
 * sawtooth returned to, and of at most its newest `RECENT_FLOOR_SECONDS`, so that with a whole
 * bake in the window the floor is still recent. `detail` explains
 * the answer for the reason sentence.
 */
function envelopeCheck(
  usable: readonly { readonly t: number; readonly v: number }[],
  fit: LinearFit,
  envelope: Envelope | null,
): { left: boolean; detail: string } {
  if (envelope === null || !Number.isFinite(envelope.low) || !Number.isFinite(envelope.high)) {
    return { left: true, detail: '' };
  }
  const newestT = (usable.at(-1) as { t: number }).t;
  // The lowest of the newest points (the last FLOOR_SHARE of them, within RECENT_FLOOR_SECONDS),
  // read in place.
  let floor = Number.POSITIVE_INFINITY;
  for (let i = Math.floor(usable.length * (1 - FLOOR_SHARE)); i < usable.length; i++) {
    const p = usable[i] as { readonly t: number; readonly v: number };
    if (p.t >= newestT - RECENT_FLOOR_SECONDS * 1000) floor = Math.min(floor, p.v);
  }
  const range = Math.max(0, envelope.high - envelope.low);
  const rise = fit.slope * fit.spanSeconds;
  if (rise <= range) {
    return {
      left: false,
      detail: `a rise of ${show(rise)} over ${Math.round(fit.spanSeconds)} s is within the pre-deploy oscillation (range ${show(range)})`,
    };
  }
  if (!(floor > envelope.high)) {
    return {
      left: false,
      detail: `the recent floor ${show(floor)} is not above the pre-deploy high ${show(envelope.high)} (a sawtooth returns to its floor)`,
    };
  }
  return { left: true, detail: `, floor ${show(floor)} above the pre-deploy high ${show(envelope.high)}` };
}
