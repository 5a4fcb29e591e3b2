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
