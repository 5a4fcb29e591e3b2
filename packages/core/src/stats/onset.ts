import { xLog1pY, xLogY } from './log-space';
import { checkOpenUnit, checkThat } from './option-checks';
import { binomialUpperTail, studentTUpperTail } from './special-functions';

/**
 * When did an elevated rate begin? For the validation gate: given the counts of a range that
 * spans the deploy, the maximum-likelihood single change point between two rates (upward
 * shifts only), whether the shift is significant once the scan over every candidate onset is
 * accounted for (Bonferroni over the candidates), and the set of onsets the data cannot tell
 * apart from the best one (a likelihood support set), so a caller can require the whole set
 * to lie before the deploy.
 */

/** One interval's counts; `t` identifies the interval (e.g. its end, epoch ms). */
export interface CountPoint {
  readonly t: number;
  readonly events: number;
  readonly trials: number;
}

/** One gauge reading (latency p99, ready fraction). */
export interface GaugePoint {
  readonly t: number;
  readonly value: number;
}

/** Options of {@link estimateOnset}. */
export interface OnsetOptions {
  /**
   * Significance level of the shift (after the scan correction), and the support set's
   * width: onsets whose likelihood is within a factor 1/alpha of the best. Default 0.01.
   */
  readonly alpha?: number;
  /**
   * The deploy's `t`. When given, `startsBefore` says whether the data favour an onset
   * before it over every onset at or after it by a likelihood ratio of at least 1/alpha.
   */
  readonly referenceT?: number;
}

/** Options of {@link estimateGaugeOnset}. */
export interface GaugeOnsetOptions extends OnsetOptions {
  /** The direction of a bad shift: `up` for latency (default), `down` for a ready fraction. */
  readonly direction?: 'up' | 'down';
  /** Fewest points on each side of a candidate onset (>= 2, so each side has a variance). Default 2. */
  readonly minSegment?: number;
}

/** The onsets within a factor 1/alpha of the best likelihood: earliest and latest `t`. */
export interface OnsetRange {
  readonly earliestT: number;
  readonly latestT: number;
}

/** What {@link estimateOnset} found. */
export interface OnsetEstimate {
  /** `t` of the first interval at the elevated rate (MLE); null when no upward shift fits. */
  readonly onsetT: number | null;
  /** Rate before and from the onset (the pooled rate for both when there is none). */
  readonly rateBefore: number;
  readonly rateAfter: number;
  /** Profile log-likelihood ratio of the best change point against a constant rate (>= 0). */
  readonly logLikelihoodRatio: number;
  /** Smallest exact p-value over the candidates (conditional binomial), times their number. */
  readonly pValue: number;
  /** `pValue <= alpha`. */
  readonly significant: boolean;
  /** The likelihood support set of the onset; null when there is no onset. */
  readonly onsetRange: OnsetRange | null;
  /**
   * With `referenceT`: the shift is significant and its whole support set lies before
   * `referenceT` (route an incident, do not roll back); null without `referenceT`. Prefer it
   * to comparing `onsetT` with the deploy: a weak fault's most likely onset can fall a few
   * steps early by chance.
   */
  readonly startsBefore: boolean | null;
}

/** What {@link estimateGaugeOnset} found. */
export interface GaugeOnsetEstimate {
  readonly onsetT: number | null;
  readonly meanBefore: number;
  readonly meanAfter: number;
  readonly logLikelihoodRatio: number;
  /** Smallest one-sided two-sample t-test p-value over the candidates, times their number. */
  readonly pValue: number;
  readonly significant: boolean;
  readonly onsetRange: OnsetRange | null;
  /** As in {@link OnsetEstimate}. */
  readonly startsBefore: boolean | null;
}

function startsBefore(
  significant: boolean,
  range: OnsetRange | null,
  referenceT: number | undefined,
): boolean | null {
  if (referenceT === undefined) return null;
  return significant && range !== null && range.latestT < referenceT;
}

function supportRange<P extends { t: number }>(
  points: readonly P[],
  llr: readonly number[],
  best: number,
  alpha: number,
): OnsetRange | null {
  if (!(best > 0)) return null;
  let earliestT = Number.POSITIVE_INFINITY;
  let latestT = Number.NEGATIVE_INFINITY;
  const floor = best - Math.log(1 / alpha);
  for (let k = 1; k < points.length; k++) {
    if ((llr[k] as number) > 0 && (llr[k] as number) >= floor) {
      const t = (points[k] as P).t;
      earliestT = Math.min(earliestT, t);
      latestT = Math.max(latestT, t);
    }
  }
  return { earliestT, latestT };
}

/** Maximised binomial log-likelihood of one segment. */
function segmentLogLikelihood(events: number, trials: number): number {
  if (trials <= 0) return 0;
  const p = events / trials;
  return xLogY(events, p) + xLog1pY(trials - events, -p);
}

/**
 * The points a change-point scan can use, in time order: finite counts with trials, events
 * capped at the trials.
 */
export function usableCountPoints(points: readonly CountPoint[]): CountPoint[] {
  return points
    .filter((p) => Number.isFinite(p.t) && Number.isFinite(p.events) && Number.isFinite(p.trials))
    .filter((p) => p.trials > 0 && p.events >= 0)
    .map((p) => ({ t: p.t, events: Math.min(p.events, p.trials), trials: p.trials }))
    .sort((a, b) => a.t - b.t);
}

/**
 * The single upward change point of an event rate. Points with no trials or non-finite
 * counts are dropped; the rest are sorted by `t`. Counts may be non-integers.
 */
export function estimateOnset(points: readonly CountPoint[], options: OnsetOptions = {}): OnsetEstimate {
  const alpha = checkOpenUnit('alpha', options.alpha ?? 0.01);
  const usable = usableCountPoints(points);
  const m = usable.length;
  let totalEvents = 0;
  let totalTrials = 0;
  for (const p of usable) {
    totalEvents += p.events;
    totalTrials += p.trials;
  }
  const pooled = totalTrials > 0 ? totalEvents / totalTrials : 0;
  const none: OnsetEstimate = {
    onsetT: null,
    rateBefore: pooled,
    rateAfter: pooled,
    logLikelihoodRatio: 0,
    pValue: 1,
    significant: false,
    onsetRange: null,
    startsBefore: startsBefore(false, null, options.referenceT),
  };
  if (m < 2) return none;
  const constant = segmentLogLikelihood(totalEvents, totalTrials);
  const llr: number[] = [0];
  let bestK = -1;
  let bestLlr = 0;
  let minP = 1;
  let eventsBefore = 0;
  let trialsBefore = 0;
  for (let k = 1; k < m; k++) {
    const prev = usable[k - 1] as CountPoint;
    eventsBefore += prev.events;
    trialsBefore += prev.trials;
    const eventsAfter = totalEvents - eventsBefore;
    const trialsAfter = totalTrials - trialsBefore;
    let value = 0;
    if (eventsAfter / trialsAfter > eventsBefore / trialsBefore) {
      value = Math.max(
        0,
        segmentLogLikelihood(eventsBefore, trialsBefore) +
          segmentLogLikelihood(eventsAfter, trialsAfter) -
          constant,
      );
      // Given the total, the events after the candidate are Binomial(total, share of trials)
      // under a constant rate: an exact test whatever the rate is.
      const p = binomialUpperTail(eventsAfter, totalEvents, trialsAfter / totalTrials);
      if (p < minP) minP = p;
    }
    llr.push(value);
    if (value > bestLlr) {
      bestLlr = value;
      bestK = k;
    }
  }
  if (bestK < 0) return none;
  let before = 0;
  let beforeTrials = 0;
  for (let k = 0; k < bestK; k++) {
    before += (usable[k] as CountPoint).events;
    beforeTrials += (usable[k] as CountPoint).trials;
  }
  const pValue = Math.min(1, minP * (m - 1));
  const onsetRange = supportRange(usable, llr, bestLlr, alpha);
  return {
    onsetT: (usable[bestK] as CountPoint).t,
    rateBefore: before / beforeTrials,
    rateAfter: (totalEvents - before) / (totalTrials - beforeTrials),
    logLikelihoodRatio: bestLlr,
    pValue,
    significant: pValue <= alpha,
    onsetRange,
    startsBefore: startsBefore(pValue <= alpha, onsetRange, options.referenceT),
  };
}

/**
 * The single change point of a gauge's mean in the bad direction (Gaussian segments with a
 * common unknown variance). The p-values treat readings as independent; gauges computed
 * over overlapping windows (a p99 over the last minute) are autocorrelated, which makes them
 * optimistic: prefer the count-based {@link estimateOnset} where counts exist.
 */
export function estimateGaugeOnset(
  points: readonly GaugePoint[],
  options: GaugeOnsetOptions = {},
): GaugeOnsetEstimate {
  const alpha = checkOpenUnit('alpha', options.alpha ?? 0.01);
  const direction = options.direction ?? 'up';
  checkThat(
    direction === 'up' || direction === 'down',
    'direction',
    `must be 'up' or 'down', got ${String(direction)}`,
  );
  const minSegment = options.minSegment ?? 2;
  checkThat(
    Number.isInteger(minSegment) && minSegment >= 2,
    'minSegment',
    `must be an integer >= 2, got ${minSegment}`,
  );
  const usable = points
    .filter((p) => Number.isFinite(p.t) && Number.isFinite(p.value))
    .sort((a, b) => a.t - b.t);
  const m = usable.length;
  const sign = direction === 'up' ? 1 : -1;
  let sum = 0;
  for (const p of usable) sum += p.value;
  const mean = m > 0 ? sum / m : 0;
  const none: GaugeOnsetEstimate = {
    onsetT: null,
    meanBefore: mean,
    meanAfter: mean,
    logLikelihoodRatio: 0,
    pValue: 1,
    significant: false,
    onsetRange: null,
    startsBefore: startsBefore(false, null, options.referenceT),
  };
  if (m < 2 * minSegment || m < 3) return none;
  // Centred prefix sums keep the squares well conditioned (a ready fraction near 1).
  const prefix = [0];
  const prefixSq = [0];
  for (const p of usable) {
    const d = p.value - mean;
    prefix.push((prefix.at(-1) as number) + d);
    prefixSq.push((prefixSq.at(-1) as number) + d * d);
  }
  const rss0 = prefixSq[m] as number;
  const scale = Math.max(Math.abs(mean), Math.sqrt(rss0 / m), Number.MIN_VALUE);
  const varianceFloor = (1e-9 * scale) ** 2;
  const dof = m - 2;
  const llr: number[] = [0];
  let bestK = -1;
  let bestLlr = 0;
  let minP = 1;
  let candidates = 0;
  for (let k = 1; k < m; k++) {
    if (k < minSegment || m - k < minSegment) {
      llr.push(0);
      continue;
    }
    candidates++;
    const sumB = prefix[k] as number;
    const sumA = (prefix[m] as number) - sumB;
    const meanB = sumB / k;
    const meanA = sumA / (m - k);
    const rss = Math.max(rss0 - k * meanB * meanB - (m - k) * meanA * meanA, 0);
    const shift = sign * (meanA - meanB);
    let value = 0;
    if (shift > 0) {
      const variance = Math.max(rss / dof, varianceFloor);
      value = (m / 2) * Math.log(Math.max(rss0, dof * variance) / (dof * variance));
      const t = shift / Math.sqrt(variance * (1 / k + 1 / (m - k)));
      const p = studentTUpperTail(t, dof);
      if (p < minP) minP = p;
    }
    llr.push(value);
    if (value > bestLlr) {
      bestLlr = value;
      bestK = k;
    }
  }
  if (bestK < 0) return none;
  const pValue = Math.min(1, minP * candidates);
  const onsetRange = supportRange(usable, llr, bestLlr, alpha);
  return {
    onsetT: (usable[bestK] as GaugePoint).t,
    meanBefore: mean + (prefix[bestK] as number) / bestK,
    meanAfter: mean + ((prefix[m] as number) - (prefix[bestK] as number)) / (m - bestK),
    logLikelihoodRatio: bestLlr,
    pValue,
    significant: pValue <= alpha,
    onsetRange,
    startsBefore: startsBefore(pValue <= alpha, onsetRange, options.referenceT),
  };
}

/** What {@link compareRampOnsets} found: the best climb that began before the reference and the best at or after it. */
export interface RampOnsetComparison {
  /** Log-likelihood of the best ramp whose climb began before `referenceT`, divided by the dispersion. */
  readonly beforeLogLikelihood: number;
  /** The same for the best ramp beginning at or after `referenceT` (a step at it included). */
  readonly afterLogLikelihood: number;
  /** `beforeLogLikelihood - afterLogLikelihood`: > 0 favours an onset before the reference. */
  readonly logLikelihoodRatio: number;
  /** The best climb before: its start (`t` of the last interval at the base rate) and length in intervals. */
  readonly before: RampFit | null;
  /** The best onset at or after the reference. */
  readonly after: RampFit | null;
}

/** One fitted ramp: the base rate to `startT`, a linear climb over `steps` intervals, then the plateau. */
export interface RampFit {
  readonly startT: number;
  readonly steps: number;
  readonly rateBefore: number;
  readonly rateAfter: number;
  readonly logLikelihood: number;
}

/** Options of {@link compareRampOnsets}. */
export interface RampOnsetOptions {
  /** The interval, ms: the points' `t` are taken on its grid from `referenceT`. */
  readonly stepMs: number;
  /** The deploy's `t` (the last interval before it has `t = referenceT`). */
  readonly referenceT: number;
  /** The counts' dispersion (>= 1): log-likelihoods are divided by it. Default 1. */
  readonly dispersion?: number;
}

/** Ramp lengths scanned, in intervals (a step is 1). */
const RAMP_STEPS = [1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256] as const;
/** EM iterations of a ramp's two rates. */
const RAMP_ITERATIONS = 30;

/**
 * Where did a climb begin, before the reference (the deploy) or at or after it? Each candidate
 * is a ramp: the rate `a` up to an interval `s`, then a linear climb over `L` intervals, then
 * the rate `b >= a` (L = 1 is a step). Interval `k` (counted from the reference: the last
 * interval before it is 0, the first after it 1) has the rate `a + (b - a) w_k`, `w_k =
 * min(1, max(0, (k - s) / L))`, and Poisson counts; for each (s, L) the two rates are fitted
 * by EM (a Poisson linear model with known weights: each interval's events split between the
 * base and the plateau in proportion to their share of its rate). The profile log-likelihood's
 * best over `s < 0` (the climb under way at the reference: its last interval before it is
 * already above the base rate) is compared with the best over `s >= 0` (the rate at the base up
 * to the reference, then a step or a climb from it). A climb that began before the deploy and
 * goes on through the bake is continuous at the deploy; a fault that arrives with the deploy is
 * a step there, or a climb that starts from the base rate at it. Points with no trials or
 * non-finite counts are dropped. Fits only rises (b >= a); a fall fits as a constant rate.
 */
export function compareRampOnsets(
  points: readonly CountPoint[],
  options: RampOnsetOptions,
): RampOnsetComparison {
  const { stepMs, referenceT } = options;
  const phi = Math.max(1, options.dispersion ?? 1);
  const usable = usableCountPoints(points);
  const m = usable.length;
  const ks = usable.map((p) => Math.round((p.t - referenceT) / stepMs));
  // Prefix sums of events and trials: the intervals at the base rate or at the plateau are
  // summed, only the climb's are visited one by one.
  const ev = [0];
  const tr = [0];
  for (const p of usable) {
    ev.push((ev.at(-1) as number) + p.events);
    tr.push((tr.at(-1) as number) + p.trials);
  }
  const none: RampOnsetComparison = {
    beforeLogLikelihood: 0,
    afterLogLikelihood: 0,
    logLikelihoodRatio: 0,
    before: null,
    after: null,
  };
  if (m < 3) return none;
  const first = ks[0] as number;
  const last = ks[m - 1] as number;
  // Index of the first point with k > x.
  const upper = (x: number): number => {
    let lo = 0;
    let hi = m;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((ks[mid] as number) <= x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  let before: RampFit | null = null;
  let after: RampFit | null = null;
  for (let s = first; s < last; s++) {
    const i0 = upper(s);
    for (const steps of RAMP_STEPS) {
      const i1 = upper(s + steps - 1);
      const fit = fitRamp(usable, ks, ev, tr, i0, i1, s, steps);
      if (fit === null) continue;
      const candidate: RampFit = {
        startT: referenceT + s * stepMs,
        steps,
        rateBefore: fit.a,
        rateAfter: fit.b,
        logLikelihood: fit.ll / phi,
      };
      if (s < 0) {
        if (before === null || candidate.logLikelihood > before.logLikelihood) before = candidate;
      } else if (after === null || candidate.logLikelihood > after.logLikelihood) after = candidate;
    }
  }
  if (before === null || after === null) return { ...none, before, after };
  return {
    beforeLogLikelihood: before.logLikelihood,
    afterLogLikelihood: after.logLikelihood,
    logLikelihoodRatio: before.logLikelihood - after.logLikelihood,
    before,
    after,
  };
}

/**
 * The two rates of one ramp by EM: points before `i0` are at the base, from `i1` on at the
 * plateau, those between on the climb. Null when a side has no trials.
 */
function fitRamp(
  usable: readonly CountPoint[],
  ks: readonly number[],
  ev: readonly number[],
  tr: readonly number[],
  i0: number,
  i1: number,
  s: number,
  steps: number,
): { a: number; b: number; ll: number } | null {
  const m = usable.length;
  const e0 = ev[i0] as number;
  const n0 = tr[i0] as number;
  const e1 = (ev[m] as number) - (ev[i1] as number);
  const n1 = (tr[m] as number) - (tr[i1] as number);
  let na = n0;
  let nb = n1;
  for (let i = i0; i < i1; i++) {
    const w = ((ks[i] as number) - s) / steps;
    const n = (usable[i] as CountPoint).trials;
    na += n * (1 - w);
    nb += n * w;
  }
  if (!(na > 0) || !(nb > 0)) return null;
  const total = ev[m] as number;
  let a = n0 > 0 ? e0 / n0 : total / (tr[m] as number);
  let b = n1 > 0 ? e1 / n1 : total / (tr[m] as number);
  if (i1 > i0) {
    for (let it = 0; it < RAMP_ITERATIONS; it++) {
      let ea = e0;
      let eb = e1;
      for (let i = i0; i < i1; i++) {
        const q = usable[i] as CountPoint;
        if (q.events === 0) continue;
        const w = ((ks[i] as number) - s) / steps;
        const r = a * (1 - w) + b * w;
        if (r > 0) {
          ea += (q.events * a * (1 - w)) / r;
          eb += (q.events * b * w) / r;
        }
      }
      a = ea / na;
      b = eb / nb;
    }
  }
  if (!(b >= a)) {
    a = total / (tr[m] as number);
    b = a;
  }
  let ll = xLogY(e0, a) - n0 * a + xLogY(e1, b) - n1 * b;
  for (let i = i0; i < i1; i++) {
    const q = usable[i] as CountPoint;
    const w = ((ks[i] as number) - s) / steps;
    const r = a * (1 - w) + b * w;
    ll += xLogY(q.events, r) - q.trials * r;
  }
  return { a, b, ll };
}
