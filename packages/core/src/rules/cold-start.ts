import { ERROR_RATE_DOMAIN, inDomain, MEASURE_DOMAINS } from './measure-domain';

/**
 * Whether a count signal was already degraded during the warm-up: the signature of a cold
 * start (or of a fault present from the very first request), as opposed to a regression that
 * appears after a healthy start. A one-shot generalised likelihood-ratio check of the warm-up
 * rate against the baseline rate at a lenient level: getting it wrong only changes which test
 * judges the signal (and how soon), never the false-rollback bound, because the warm-up data is
 * disjoint from the data both tests see. Impossible counts (negative, infinite, more events
 * than trials) or an impossible baseline rate are no evidence of a cold start: false.
 */
export function isElevated(
  warmup: { readonly events: number; readonly trials: number },
  baselineRate: number,
  options: { readonly minRatio?: number; readonly logThreshold?: number } = {},
): boolean {
  const { events, trials } = warmup;
  if (!possible(warmup, baselineRate) || !(trials > 0) || !(events > 0)) return false;
  const p0 = Math.min(Math.max(baselineRate, 1e-9), 1 - 1e-9);
  const rate = Math.min(events / trials, 1 - 1e-12);
  if (rate < (options.minRatio ?? 1.5) * p0) return false;
  return trials * klBernoulli(rate, p0) >= (options.logThreshold ?? Math.log(20));
}

/**
 * Whether the warm-up's requests slower than the cold-start bound (a bucket bound in the latency's
 * body, evaluation/baseline-snapshot.ts `coldStartBound`) show a cold start. Where at most half
 * the baseline is slower than the bound, the slow share must be elevated ({@link isElevated}).
 * Where more than half is, a cold start cannot raise the slow share by half again (55% can reach
 * at most 1.8x): it shows as the requests faster than the bound growing fewer, their share at most
 * two thirds of the baseline's at the same likelihood ratio of 20 (docs/statistics.md, "Cold starts
 * on a decade histogram"). Like {@link isElevated}, it only decides from when the count tests
 * judge, never their alpha.
 */
export function showsColdStartAtBound(
  warmup: { readonly events: number; readonly trials: number },
  baselineRate: number,
  options: { readonly logThreshold?: number } = {},
): boolean {
  if (!(baselineRate > 0.5)) return isElevated(warmup, baselineRate, options);
  const { events, trials } = warmup;
  if (!possible(warmup, baselineRate) || !(trials > 0)) return false;
  const fast0 = Math.max(1 - baselineRate, 1e-9);
  const fast = (trials - events) / trials;
  if (fast > fast0 / FEWER_FAST_RATIO) return false;
  return trials * klBernoulli(Math.max(fast, 1e-12), fast0) >= (options.logThreshold ?? Math.log(20));
}

/** How much fewer the requests faster than a dense bound must be to show a cold start: 1.5x, {@link isElevated}'s ratio. */
export const FEWER_FAST_RATIO = 1.5;

/**
 * The smallest cold start {@link rulesOutColdStart} must rule out: a share of slow requests
 * `COLD_START_RATIO` times the baseline's, and at least `COLD_START_EXCESS` above it. The
 * cold starts this guards against (a JIT, empty caches and connection pools) make a tenth to
 * most of the first seconds' requests slow against a baseline near 1%.
 */
export const COLD_START_RATIO = 3;
export const COLD_START_EXCESS = 0.005;

/**
 * Whether the warm-up seen so far already rules a cold start out: the likelihood ratio of the
 * baseline rate against the smallest cold start ({@link COLD_START_RATIO}, {@link
 * COLD_START_EXCESS}) favours the baseline by 20 or more, the level {@link isElevated} uses to
 * recognise one. A cold start shows from the first requests, so at a few hundred requests the
 * first step or two settle it, and the rest of the warm-up need not be waited for. Like
 * {@link isElevated}, it only decides from when the count tests judge, never their alpha: their
 * rejections are sticky, so judging earlier makes the same rejections sooner. With `seen` (a
 * cold start recognised, its warm-up's counts), the cold start ruled out is the smaller of the
 * smallest one and the one half way to what the warm-up showed: whether it is over. Impossible or
 * absent counts rule nothing out: false.
 */
export function rulesOutColdStart(
  warmup: { readonly events: number; readonly trials: number },
  baselineRate: number,
  options: { readonly logThreshold?: number; readonly seen?: ColdStartSeen } = {},
): boolean {
  const { events, trials } = warmup;
  if (!possible(warmup, baselineRate) || !(trials > 0)) return false;
  const p0 = Math.min(Math.max(baselineRate, 1e-9), 1 - 1e-9);
  const cold = options.seen
    ? Math.min(smallestColdStart(p0), halfSeen(p0, options.seen))
    : smallestColdStart(p0);
  if (!(cold > p0)) return false;
  if (!(cold < 1)) return false;
  const logRatio = events * Math.log(p0 / cold) + (trials - events) * Math.log((1 - p0) / (1 - cold));
  // Never both: a share {@link isElevated} (or, above half, {@link showsColdStartAtBound}) would
  // call a cold start is not one ruled out (at thousands of requests a share 1.5-1.8x the
  // baseline's can be nearer it than a cold start's). At or below half the two are the same check.
  return (
    logRatio >= (options.logThreshold ?? Math.log(20)) &&
    !isElevated(warmup, baselineRate) &&
    !showsColdStartAtBound(warmup, baselineRate)
  );
}

/**
 * A cold start already recognised, as its warm-up showed it: the warm-up's counts at the measure
 * the recognition read (evaluation/signal-evaluation.ts `coldStartOver`).
 */
export interface ColdStartSeen {
  readonly events: number;
  readonly trials: number;
}

/**
 * The slow share half way from the baseline's to the one a recognised cold start showed in its
 * warm-up: what {@link rulesOutColdStart} must rule out for such a cold start to be over, where
 * it is below the smallest cold start. A mild cold start (1.1-1.5x slower, a slow share 1.3-2x
 * the baseline's) is recognised on a warm-up of thousands of requests; ruled out only at three
 * times the baseline's share, its own still-slow steps passed for its end, and the errors it still
 * made were judged (docs/statistics.md, "The end of a cold start").
 */
function halfSeen(p0: number, seen: ColdStartSeen): number {
  if (!(seen.trials > 0)) return p0;
  const share = Math.min(Math.max(seen.events / seen.trials, 0), 1);
  return p0 + (share - p0) / 2;
}

/**
 * The slow share of the smallest cold start {@link rulesOutColdStart} rules out against a
 * baseline share `p0`: {@link COLD_START_RATIO} times it and {@link COLD_START_EXCESS} above it,
 * or, where that is the larger, the requests faster than the threshold {@link COLD_START_RATIO}
 * times fewer. The first is impossible from a third of the requests up (a share cannot triple
 * past 1), where a cold start shows as fewer fast requests instead ({@link showsColdStartAtBound},
 * on a decade histogram's cold-start bound): before, a warm-up there could never be ruled out
 * early and every bake on such a layout held its count tests for the whole warm-up, however clean
 * (docs/statistics.md, "Where the delay goes"). The two agree below a quarter, where the first is
 * the smaller: nothing changes there.
 */
export function smallestColdStart(p0: number): number {
  return Math.min(Math.max(COLD_START_RATIO * p0, p0 + COLD_START_EXCESS), 1 - (1 - p0) / COLD_START_RATIO);
}

/**
 * Whether a warm-up of `trials` requests can show a cold start at a measure the baseline exceeds
 * with share `share`: the expected likelihood ratio of the smallest multiplicative cold start
 * there ({@link COLD_START_RATIO} times the share) against the share reaches 20, the level
 * {@link isElevated} recognises one at. Below it (about 2.3 expected slow requests: a threshold
 * at 0.3% and a 15 s warm-up at under 50 req/s) even a warm-up whose slow share has tripled
 * cannot be told from the baseline there, so the recognition must read the warm-up elsewhere
 * (evaluation/baseline-snapshot.ts `keepsColdStartBound`; docs/statistics.md, "A threshold the
 * warm-up's traffic cannot reach"). Impossible inputs: false.
 */
export function warmupCanShowColdStart(
  share: number,
  trials: number,
  options: { readonly logThreshold?: number } = {},
): boolean {
  if (!inDomain(share, ERROR_RATE_DOMAIN) || !(share > 0) || !(trials > 0) || !Number.isFinite(trials))
    return false;
  const cold = Math.min(COLD_START_RATIO * share, 1 - 1e-12);
  return trials * klBernoulli(cold, share) >= (options.logThreshold ?? Math.log(20));
}

/** Counts a warm-up can have (finite, non-negative, no more events than trials) and a possible baseline rate. */
function possible(
  warmup: { readonly events: number; readonly trials: number },
  baselineRate: number,
): boolean {
  return (
    inDomain(warmup.events, MEASURE_DOMAINS.errors) &&
    inDomain(warmup.trials, MEASURE_DOMAINS.requests) &&
    warmup.events <= warmup.trials &&
    inDomain(baselineRate, ERROR_RATE_DOMAIN)
  );
}

/** KL divergence of Bernoulli(p) from Bernoulli(q), in nats. */
function klBernoulli(p: number, q: number): number {
  const a = p === 0 ? 0 : p * Math.log(p / q);
  const b = p === 1 ? 0 : (1 - p) * Math.log((1 - p) / (1 - q));
  return a + b;
}
