import { xLog1pY, xLogY } from './log-space';
import { type CountPoint, usableCountPoints } from './onset';
import { checkAtLeast, checkOpenUnit, checkThat } from './option-checks';
import { binomialUpperTail, regularizedBeta } from './special-functions';

/**
 * Is the pre-deploy window itself healthy? A baseline that holds an incident (one that began a
 * few minutes before the deploy) or a previous bad release (rolled back before the deploy)
 * inflates the rate the new version is compared with, so a regression reads as no change. The
 * scan looks for one elevated episode: the contiguous stretch of intervals whose rate is higher
 * than the rest's, scored by the binomial log-likelihood ratio of "two rates" (inside and
 * outside) against one, over every stretch of at least `minSteps` intervals that leaves at least
 * `minOutside` of them outside. Its significance is the exact conditional test of the best
 * stretch (given the total events, those inside are Binomial(total, share of trials inside)
 * under a constant rate, whatever the rate is), times the number of stretches scanned
 * (Bonferroni), so a healthy window is called unhealthy with probability at most `alpha`
 * whatever its length.
 *
 * Two scans share `alpha` (half each, a union bound): every stretch, and only the stretches
 * that run to the window's end. An incident still going at the deploy is one of the latter,
 * and there are about m of them against m^2/2 in all (~260 against ~57,000 for a 30 minute
 * window of 5 s steps), so even with half of alpha its correction is ~110 times smaller: at low
 * traffic that is what lets a small incident still going at the deploy be seen. An episode
 * that ended before the deploy pays the factor 2 only.
 */

/** Options of {@link findElevatedEpisode}. */
export interface EpisodeOptions {
  /** Level of the scan (after the Bonferroni correction). Default 0.001. */
  readonly alpha?: number;
  /** Shortest episode, in intervals (>= 1). Default 12 (a minute of 5 s steps). */
  readonly minSteps?: number;
  /** Fewest intervals left outside the episode (>= 1). Default a quarter of the points. */
  readonly minOutside?: number;
  /**
   * Overdispersion (>= 1) of the counts: they are divided by it (quasi-likelihood), so bursts
   * within a step are not read as an episode. Default 1.
   */
  readonly dispersion?: number;
}

/** An elevated stretch of the window. */
export interface ElevatedEpisode {
  /** `t` of its first and last interval. */
  readonly startT: number;
  readonly endT: number;
  /** It runs to the window's last interval (still going at the end of the window). */
  readonly ongoing: boolean;
  /** Counts inside and outside it, as observed. */
  readonly inside: { readonly events: number; readonly trials: number };
  readonly outside: { readonly events: number; readonly trials: number };
  readonly logLikelihoodRatio: number;
  /**
   * The best stretch's exact p-value times the number of stretches its scan looked at, times 2
   * (the two scans share alpha); the smaller of the two scans'.
   */
  readonly pValue: number;
}

/** The scans that share alpha: every stretch, and the stretches running to the window's end. */
const SCANS = 2;

/** Maximised binomial log-likelihood of one segment. */
function segmentLogLikelihood(events: number, trials: number): number {
  if (trials <= 0) return 0;
  const p = events / trials;
  return xLogY(events, p) + xLog1pY(trials - events, -p);
}

/**
 * The most significant elevated episode of `points` (sorted by `t`, unusable points dropped),
 * or null when none is significant at `alpha`. O(m^2) for m points: about 65,000 stretches for
 * a 30 minute window of 5 s steps, once per deploy.
 */
export function findElevatedEpisode(
  points: readonly CountPoint[],
  options: EpisodeOptions = {},
): ElevatedEpisode | null {
  const alpha = checkOpenUnit('alpha', options.alpha ?? 0.001);
  const dispersion = checkAtLeast('dispersion', options.dispersion ?? 1, 1);
  const usable = usableCountPoints(points);
  const m = usable.length;
  const minSteps = Math.max(1, Math.round(options.minSteps ?? 12));
  const minOutside = Math.max(1, Math.round(options.minOutside ?? Math.ceil(m / 4)));
  checkThat(Number.isFinite(minSteps) && Number.isFinite(minOutside), 'minSteps', 'must be finite');
  if (m < minSteps + minOutside) return null;
  const events = new Float64Array(m + 1);
  const trials = new Float64Array(m + 1);
  for (let i = 0; i < m; i++) {
    const p = usable[i] as CountPoint;
    events[i + 1] = (events[i] as number) + p.events / dispersion;
    trials[i + 1] = (trials[i] as number) + p.trials / dispersion;
  }
  const totalEvents = events[m] as number;
  const totalTrials = trials[m] as number;
  if (!(totalEvents > 0)) return null;
  const constant = segmentLogLikelihood(totalEvents, totalTrials);
  let best = 0;
  let bestA = -1;
  let bestB = -1;
  let scanned = 0;
  for (let a = 0; a < m; a++) {
    for (let b = a + minSteps; b <= m; b++) {
      if (m - (b - a) < minOutside) break;
      scanned++;
      const xIn = (events[b] as number) - (events[a] as number);
      const nIn = (trials[b] as number) - (trials[a] as number);
      const xOut = totalEvents - xIn;
      const nOut = totalTrials - nIn;
      if (!(nIn > 0 && nOut > 0) || xIn / nIn <= xOut / nOut) continue;
      const llr = segmentLogLikelihood(xIn, nIn) + segmentLogLikelihood(xOut, nOut) - constant;
      if (llr > best) {
        best = llr;
        bestA = a;
        bestB = b;
      }
    }
  }
  // The second scan: stretches running to the window's end only (an episode ongoing at the end).
  let bestEnd = 0;
  let bestEndA = -1;
  let scannedEnd = 0;
  for (let a = 0; a + minSteps <= m; a++) {
    if (a < minOutside) continue;
    scannedEnd++;
    const xIn = totalEvents - (events[a] as number);
    const nIn = totalTrials - (trials[a] as number);
    const xOut = events[a] as number;
    const nOut = trials[a] as number;
    if (!(nIn > 0 && nOut > 0) || xIn / nIn <= xOut / nOut) continue;
    const llr = segmentLogLikelihood(xIn, nIn) + segmentLogLikelihood(xOut, nOut) - constant;
    if (llr > bestEnd) {
      bestEnd = llr;
      bestEndA = a;
    }
  }
  if ((bestA < 0 || scanned === 0) && bestEndA < 0) return null;
  const adjusted = (a: number, b: number, count: number) => {
    if (a < 0) return 1;
    const xIn = (events[b] as number) - (events[a] as number);
    const nIn = (trials[b] as number) - (trials[a] as number);
    return Math.min(1, binomialUpperTail(xIn, totalEvents, nIn / totalTrials) * count * SCANS);
  };
  const pAll = adjusted(bestA, bestB, scanned);
  const pEnd = adjusted(bestEndA, m, scannedEnd);
  if (pEnd < pAll) {
    bestA = bestEndA;
    bestB = m;
    best = bestEnd;
  }
  const pValue = Math.min(pAll, pEnd);
  if (!(pValue <= alpha)) return null;
  const observed = (from: number, to: number) => {
    let e = 0;
    let n = 0;
    for (let i = from; i < to; i++) {
      e += (usable[i] as CountPoint).events;
      n += (usable[i] as CountPoint).trials;
    }
    return { events: e, trials: n };
  };
  const inside = observed(bestA, bestB);
  const all = observed(0, m);
  return {
    startT: (usable[bestA] as CountPoint).t,
    endT: (usable[bestB - 1] as CountPoint).t,
    ongoing: bestB === m,
    inside,
    outside: { events: all.events - inside.events, trials: all.trials - inside.trials },
    logLikelihoodRatio: best,
    pValue,
  };
}

/**
 * The level at which the stretch after an end found by {@link findRecentEnd} counts as still
 * above the rest of the window. Lenient on purpose: a clean stretch is taken for a fading
 * incident 5% of the time, which leaves that episode going (as before this test existed).
 */
const OVER_LEVEL = 0.05;

/** Options of {@link findRecentEnd}. */
export interface RecentEndOptions {
  /** Level of the test after its correction for the ends tried. Default 0.01. */
  readonly level?: number;
  /** The longest stretch after the end tried, in intervals (>= 1). */
  readonly maxSteps: number;
  /**
   * The shortest, in intervals (>= 1). Default 1. A step or two cannot tell an incident that
   * fades from one that ended: at the window's rate or three times it, they hold a few events.
   */
  readonly minSteps?: number;
  /** Overdispersion (>= 1) of the counts, as {@link EpisodeOptions.dispersion}. Default 1. */
  readonly dispersion?: number;
}

/**
 * Where an elevated episode that runs to the window's end, or ends too close to it for the
 * stretch after it to last an episode's length, stopped: the last `L` intervals (`minSteps` <=
 * L <= `maxSteps`) whose rate is lower than the episode's before them, significantly after a
 * correction for the ends tried, and not above `outsideRate` (the rest of the window's) at
 * {@link OVER_LEVEL}, so an incident still fading at the end is not called over. The test is the exact
 * conditional one of the episode's own counts (given the events from `startT` on, those in the
 * last `L` intervals are Binomial(events, their share of the trials) under a constant rate):
 * it needs no rate estimate. A dependency that failed for a minute and came back 20 s before the
 * deploy shows there (hundreds of failures expected in the last 20 s at the episode's rate,
 * none seen), where requiring a minute after the end would call it still going.
 * Returns the `t` of the episode's last interval and the corrected p-value, or null.
 */
export function findRecentEnd(
  points: readonly CountPoint[],
  startT: number,
  outsideRate: number,
  options: RecentEndOptions,
): { readonly endT: number; readonly pValue: number } | null {
  const level = checkOpenUnit('level', options.level ?? 0.01);
  const dispersion = checkAtLeast('dispersion', options.dispersion ?? 1, 1);
  const maxSteps = Math.max(1, Math.round(options.maxSteps));
  const minSteps = Math.max(1, Math.round(options.minSteps ?? 1));
  const usable = usableCountPoints(points).filter((p) => p.t >= startT);
  const m = usable.length;
  let totalEvents = 0;
  let totalTrials = 0;
  for (const p of usable) {
    totalEvents += p.events / dispersion;
    totalTrials += p.trials / dispersion;
  }
  if (!(totalEvents > 0)) return null;
  let best: { endT: number; pValue: number } | null = null;
  let postEvents = 0;
  let postTrials = 0;
  for (let steps = 1; steps <= maxSteps && steps < m; steps++) {
    const p = usable[m - steps] as CountPoint;
    postEvents += p.events / dispersion;
    postTrials += p.trials / dispersion;
    const share = postTrials / totalTrials;
    // P(Y <= postEvents), Y ~ Binomial(totalEvents, share): I_{1-share}(n - k, k + 1).
    const lower =
      postEvents >= totalEvents ? 1 : regularizedBeta(1 - share, totalEvents - postEvents, postEvents + 1);
    const pValue = Math.min(1, lower * (maxSteps - minSteps + 1));
    if (steps < minSteps || pValue > level) continue;
    // Still above the rest of the window (one-sided, at OVER_LEVEL: a fading incident taken
    // for an ended one would be rolled back as the release's fault): not over.
    const over = binomialUpperTail(postEvents, postTrials, Math.min(1, outsideRate)) <= OVER_LEVEL;
    if (!over && (best === null || pValue < best.pValue))
      best = { endT: (usable[m - steps - 1] as CountPoint).t, pValue };
  }
  return best;
}

/** Options of {@link findElevatedTail}. */
export interface TailOptions {
  /** Level of the look (after the Bonferroni correction over the stretches). */
  readonly alpha: number;
  /**
   * The stretches, in units of `t` (ms): each holds the points with `t` within that span of the
   * window's last point's (that one included), and must leave at least as many points before it.
   */
  readonly spans: readonly number[];
  /** Overdispersion (>= 1) of the counts, as {@link EpisodeOptions.dispersion}. Default 1. */
  readonly dispersion?: number;
  /** Fewest times the rest's rate the stretch's must be. Default 1. */
  readonly minRatio?: number;
}

/** An elevated last stretch of the window ({@link findElevatedTail}). */
export interface ElevatedTail {
  /** `t` of its first and last interval. */
  readonly startT: number;
  readonly endT: number;
  /** Counts inside and outside it, as observed. */
  readonly inside: { readonly events: number; readonly trials: number };
  readonly outside: { readonly events: number; readonly trials: number };
  /** The stretch's exact p-value times the number of stretches looked at. */
  readonly pValue: number;
}

/**
 * The window's last minutes, where an incident still going at the end of the window must show:
 * of a few fixed stretches running to the window's last interval, the one whose events stand
 * out most above the rest's rate (the exact conditional test of {@link findElevatedEpisode}:
 * given the total, the stretch's events are Binomial(total, its share of trials) under a constant
 * rate), Bonferroni over the stretches, or null when none is significant at `alpha` or none is
 * `minRatio` times the rest's rate. The stretches are fixed, not chosen from the data, so the
 * correction is their number (3) where the scan's is the window's length: at low traffic that is
 * what lets an incident of a few failures in its last minutes show. A healthy window is flagged
 * with probability at most `alpha`.
 */
export function findElevatedTail(points: readonly CountPoint[], options: TailOptions): ElevatedTail | null {
  const alpha = checkOpenUnit('alpha', options.alpha);
  const dispersion = checkAtLeast('dispersion', options.dispersion ?? 1, 1);
  const minRatio = checkAtLeast('minRatio', options.minRatio ?? 1, 1);
  const usable = usableCountPoints(points);
  const m = usable.length;
  const lastT = (usable[m - 1] as CountPoint | undefined)?.t ?? 0;
  const stretches = options.spans
    .map((span) => usable.filter((p) => p.t > lastT - span).length)
    .filter((k) => k >= 1 && 2 * k <= m);
  if (stretches.length === 0) return null;
  let totalEvents = 0;
  let totalTrials = 0;
  for (const p of usable) {
    totalEvents += p.events;
    totalTrials += p.trials;
  }
  if (!(totalEvents > 0)) return null;
  let best: ElevatedTail | null = null;
  for (const k of stretches) {
    let events = 0;
    let trials = 0;
    for (let i = m - k; i < m; i++) {
      events += (usable[i] as CountPoint).events;
      trials += (usable[i] as CountPoint).trials;
    }
    const outside = { events: totalEvents - events, trials: totalTrials - trials };
    if (!(trials > 0 && outside.trials > 0)) continue;
    if (!(events * outside.trials >= minRatio * outside.events * trials) || events <= 0) continue;
    const pValue = Math.min(
      1,
      binomialUpperTail(events / dispersion, totalEvents / dispersion, trials / totalTrials) *
        options.spans.length,
    );
    if (best === null || pValue < best.pValue) {
      best = {
        startT: (usable[m - k] as CountPoint).t,
        endT: (usable[m - 1] as CountPoint).t,
        inside: { events, trials },
        outside,
        pValue,
      };
    }
  }
  return best !== null && best.pValue <= alpha ? best : null;
}
