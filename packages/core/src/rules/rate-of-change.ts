import type { RateOfChangeRule } from '../contract/contract-schema';
import { studentTUpperTail } from '../stats/special-functions';
import { studentTQuantile } from '../stats/student-t-quantile';
import { FINITE_DOMAIN, firstOutside, type MeasureDomain, outOfDomainVerdict } from './measure-domain';
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
  const usable = points.filter((p) => Number.isFinite(p.t) && Number.isFinite(p.v));
  const n = usable.length;
  if (n < 3) return null;
  let tMean = 0;
  let vMean = 0;
  let tMax = Number.NEGATIVE_INFINITY;
  let tMin = Number.POSITIVE_INFINITY;
  for (const p of usable) {
    tMean += p.t / 1000 / n;
    vMean += p.v / n;
    tMax = Math.max(tMax, p.t / 1000);
    tMin = Math.min(tMin, p.t / 1000);
  }
  let sxx = 0;
  let sxy = 0;
  for (const p of usable) {
    const dt = p.t / 1000 - tMean;
    sxx += dt * dt;
    sxy += dt * (p.v - vMean);
  }
  if (sxx === 0) return null;
  const slope = sxy / sxx;
  const intercept = vMean - slope * tMean;
  let sse = 0;
  for (const p of usable) {
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
 * leak. With the pre-deploy `envelope`, growth must also leave the process's own oscillation:
 * the rise over the window (slope x span) must exceed the pre-deploy range, and the recent floor
 * (the lowest of the newest third of the points) must be above the pre-deploy high. A sawtooth
 * can do neither whatever its period, since its floor is its post-GC level. And the growth must
 * have been watched for `sustainShare` of the projected time to the limit (at most the window):
 * the sooner the limit, the sooner Rollgate acts.
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
  const impossible = firstOutside(
    input.points.map((p) => p.v),
    domain,
  );
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
  const fit = fitLine(input.points);
  if (fit === null) {
    return {
      ...base,
      status: 'no-data',
      value: null,
      threshold: null,
      reason: 'fewer than three points at distinct times: no trend can be fitted',
    };
  }
  const headroom = limit - fit.fittedLast;
  const thresholdSlope = Math.max(0, headroom) / rule.horizonSeconds;
  const tStat =
    fit.slopeStdError > 0 ? fit.slope / fit.slopeStdError : fit.slope > 0 ? Number.POSITIVE_INFINITY : 0;
  // One-sided p-value of "slope > 0" with n - 2 degrees of freedom: with few points the t
  // distribution's tails are heavy, so a fixed t threshold would fire on noise.
  const pValue = tStat === Number.POSITIVE_INFINITY ? 0 : studentTUpperTail(tStat, fit.points - 2);
  const statistic = {
    name: 't-stat',
    value: tStat,
    threshold: studentTQuantile(rule.maxPValue, fit.points - 2),
  };
  const perSecond = `${input.unit}/s`;
  const envelope = envelopeCheck(input.points, fit, input.envelope ?? null);
  const shape = envelope.left ? growthCheck(input.points, fit) : envelope;
  if (headroom <= 0 && envelope.left) {
    return {
      ...base,
      status: 'breach',
      value: fit.slope,
      threshold: thresholdSlope,
      statistic,
      reason: `level ${show(fit.fittedLast, input.unit)} has reached the limit ${show(limit, input.unit)}`,
    };
  }
  const secondsToLimit = headroom <= 0 ? 0 : fit.slope > 0 ? headroom / fit.slope : Number.POSITIVE_INFINITY;
  const trending = fit.slope > thresholdSlope && pValue <= rule.maxPValue;
  const windowSeconds = input.windowSeconds ?? (input.window.end - input.window.start) / 1000;
  const needed = Math.min(windowSeconds, (rule.sustainShare ?? DEFAULT_SUSTAIN_SHARE) * secondsToLimit);
  if (trending && shape.left && fit.spanSeconds >= needed) {
    return {
      ...base,
      status: 'breach',
      value: fit.slope,
      threshold: thresholdSlope,
      statistic,
      reason: `growing ${show(fit.slope, perSecond)} (t=${show(tStat)}${envelope.detail}${shape === envelope ? '' : shape.detail}): limit ${show(limit, input.unit)} reached in ~${Math.round(secondsToLimit)} s, within the ${rule.horizonSeconds} s horizon`,
    };
  }
  if (trending && shape.left) {
    // Everything says leak but the time it must be watched: not a pass, not yet a breach.
    return {
      ...base,
      status: 'no-data',
      value: fit.slope,
      threshold: thresholdSlope,
      statistic,
      reason: `slope ${show(fit.slope, perSecond)}: growth seen for ${Math.round(fit.spanSeconds)} s of the ${Math.round(needed)} s it must hold (limit ~${Math.round(secondsToLimit)} s away)`,
    };
  }
  const why = !trending
    ? fit.slope <= thresholdSlope
      ? `the limit ${show(limit, input.unit)} is ${Number.isFinite(secondsToLimit) ? `~${Math.round(secondsToLimit)} s` : 'never'} away at this rate`
      : `the trend is within noise (t=${show(tStat)}, p=${show(pValue)} > ${show(rule.maxPValue)})`
    : !shape.left
      ? shape.detail
      : `growth seen for ${Math.round(fit.spanSeconds)} s of the ${Math.round(needed)} s it must hold (limit ~${Math.round(secondsToLimit)} s away)`;
  return {
    ...base,
    status: 'pass',
    value: fit.slope,
    threshold: thresholdSlope,
    statistic,
    reason: `slope ${show(fit.slope, perSecond)}: ${why}`,
  };
}

/** Equal spans of time the window is cut into for the growth check. */
export const GROWTH_PARTS = 4;
/** Share of the fitted rise per span that each span's floor must add to the one before. */
export const GROWTH_STEP_SHARE = 0.25;
/** The smallest rise between two spans' floors must be at least this share of the largest. */
export const GROWTH_BALANCE = 0.3;

/**
 * Is the growth sustained, not a level shift? The window is cut into `GROWTH_PARTS` equal spans
 * of time and each span's floor (its lowest point: a sawtooth's post-GC level) must rise above
 * the one before by at least `GROWTH_STEP_SHARE` of the fitted rise per span, and by at least
 * `GROWTH_BALANCE` of the largest of those rises. A leak lifts every floor alike; a level shift that settles (RSS stepping up, then flat: a new version's larger working
 * set, caches sized by a busier minute) lifts the floors only across the spans its rise
 * overlaps, so it is a trend only while a rise longer than about half the window is in view,
 * never once it has settled, however far above the pre-deploy high. `detail` explains the answer.
 */
function growthCheck(
  points: readonly { readonly t: number; readonly v: number }[],
  fit: LinearFit,
): { left: boolean; detail: string } {
  const floors = spanFloors(points, GROWTH_PARTS);
  if (floors === null) return { left: true, detail: '' };
  const step = (GROWTH_STEP_SHARE * fit.slope * fit.spanSeconds) / GROWTH_PARTS;
  const shown = floors.map((f) => show(f)).join(', ');
  const rises = floors.slice(1).map((f, k) => f - (floors[k] as number));
  const largest = Math.max(...rises);
  if (rises.every((r) => r > step && r >= GROWTH_BALANCE * largest)) {
    return { left: true, detail: `, floors ${shown} each higher` };
  }
  return {
    left: false,
    detail: `the floors of the window's ${GROWTH_PARTS} spans (${shown}) do not each rise by ${show(step)} and by at least ${show(GROWTH_BALANCE * 100)}% of the largest rise: a level shift that settles, not sustained growth`,
  };
}

/**
 * The lowest value in each of `parts` equal spans of time between the oldest and the newest
 * point, or null when a span holds no point.
 */
export function spanFloors(
  points: readonly { readonly t: number; readonly v: number }[],
  parts: number,
): number[] | null {
  const usable = points.filter((p) => Number.isFinite(p.t) && Number.isFinite(p.v));
  if (usable.length < parts) return null;
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const p of usable) {
    lo = Math.min(lo, p.t);
    hi = Math.max(hi, p.t);
  }
  if (!(hi > lo)) return null;
  const floors = new Array<number>(parts).fill(Number.POSITIVE_INFINITY);
  for (const p of usable) {
    const k = Math.min(parts - 1, Math.floor(((p.t - lo) / (hi - lo)) * parts));
    floors[k] = Math.min(floors[k] as number, p.v);
  }
  return floors.every(Number.isFinite) ? floors : null;
}

/**
 * Has the series left its pre-deploy oscillation? True without an envelope (nothing to compare
 * with). `detail` explains the answer for the reason sentence.
 */
function envelopeCheck(
  points: readonly { readonly t: number; readonly v: number }[],
  fit: LinearFit,
  envelope: Envelope | null,
): { left: boolean; detail: string } {
  if (envelope === null || !Number.isFinite(envelope.low) || !Number.isFinite(envelope.high)) {
    return { left: true, detail: '' };
  }
  const usable = points.filter((p) => Number.isFinite(p.t) && Number.isFinite(p.v)).sort((a, b) => a.t - b.t);
  const recent = usable.slice(Math.floor(usable.length * (1 - FLOOR_SHARE)));
  const floor = recent.reduce((m, p) => Math.min(m, p.v), Number.POSITIVE_INFINITY);
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
