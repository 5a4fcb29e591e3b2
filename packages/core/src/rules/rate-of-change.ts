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
  for (const p of usable) {
    tMean += p.t / 1000 / n;
    vMean += p.v / n;
    tMax = Math.max(tMax, p.t / 1000);
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
  return { slope, fittedLast: intercept + slope * tMax, slopeStdError, points: n };
}

/** Inputs of {@link evaluateRateOfChange}, already past the data-quality checks. */
export interface TrajectoryInput {
  readonly signal: string;
  readonly segment?: string;
  readonly points: readonly { readonly t: number; readonly v: number }[];
  readonly window: TimeWindow;
  /** The pre-deploy level, for `limitFromBaseline`. */
  readonly baseline: number | null;
  readonly unit: string;
  /** The values the measure can take (see `measure-domain.ts`); any finite value when absent. */
  readonly domain?: MeasureDomain;
}

/**
 * Resource trajectory: the least-squares slope over the window and the projected time until the
 * limit is reached. Breach when the slope is significantly positive (p-value <= `maxPValue`)
 * and the limit would be reached within `horizonSeconds` — a leak is caught by its trend long
 * before any absolute bound. The verdict's value is the slope (units/s) and its threshold the
 * slope that would reach the limit exactly at the horizon. One point (or a baseline) outside
 * the measure's domain makes the verdict an `error`: a trend through garbage means nothing.
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
  if (headroom <= 0) {
    return {
      ...base,
      status: 'breach',
      value: fit.slope,
      threshold: thresholdSlope,
      statistic,
      reason: `level ${show(fit.fittedLast, input.unit)} has reached the limit ${show(limit, input.unit)}`,
    };
  }
  const secondsToLimit = fit.slope > 0 ? headroom / fit.slope : Number.POSITIVE_INFINITY;
  if (fit.slope > thresholdSlope && pValue <= rule.maxPValue) {
    return {
      ...base,
      status: 'breach',
      value: fit.slope,
      threshold: thresholdSlope,
      statistic,
      reason: `growing ${show(fit.slope, perSecond)} (t=${show(tStat)}): limit ${show(limit, input.unit)} reached in ~${Math.round(secondsToLimit)} s, within the ${rule.horizonSeconds} s horizon`,
    };
  }
  const why =
    fit.slope <= thresholdSlope
      ? `the limit ${show(limit, input.unit)} is ${Number.isFinite(secondsToLimit) ? `~${Math.round(secondsToLimit)} s` : 'never'} away at this rate`
      : `the trend is within noise (t=${show(tStat)}, p=${show(pValue)} > ${show(rule.maxPValue)})`;
  return {
    ...base,
    status: 'pass',
    value: fit.slope,
    threshold: thresholdSlope,
    statistic,
    reason: `slope ${show(fit.slope, perSecond)}: ${why}`,
  };
}
