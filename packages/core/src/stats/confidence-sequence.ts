import { BISECT_STEPS } from './bisect';
import { logSumExp, xLog1pY, xLogY } from './log-space';

/**
 * Confidence sequences: intervals that cover the true value at every step simultaneously
 * with probability at least 1 - alpha, so they can be read whenever the test is read. Both
 * come from the method of mixtures (Robbins 1970; Howard, Ramdas, McAuliffe & Sekhon 2021):
 * for every candidate value v, `M(v) = sum_k w_k L(s_k) / L(v)` is a test martingale under v;
 * the values with `M(v) < 1/alpha` form the sequence (Ville's inequality).
 */

/** Mixture points per octave of the rate mixture and how far they reach around the anchor. */
const RATE_MIXTURE_OCTAVES: readonly number[] = [-4, -3, -2, -1, 0, 1, 2, 3, 4, 5, 6, 7, 8];

/**
 * A confidence sequence for a binomial rate from cumulative `events` out of `trials`. The
 * mixture puts equal weight on the rates `anchor * 2^k`, k = -4..8 (the scale where a rate
 * ratio against the baseline is interesting), so the interval is tightest there. The binomial
 * log-likelihood is concave in the rate, so the set is an interval whose ends are found by
 * bisection; each end is rounded outwards. Null without trials.
 */
export function rateConfidenceSequence(
  events: number,
  trials: number,
  alpha: number,
  anchor: number,
): { lower: number; upper: number } | null {
  if (!(trials > 0)) return null;
  const x = Math.min(Math.max(events, 0), trials);
  const y = trials - x;
  const scale = anchor > 0 && anchor < 1 ? anchor : 1 / (trials + 1);
  let count = 0;
  for (const k of RATE_MIXTURE_OCTAVES) {
    const s = scale * 2 ** k;
    if (s < 1) mixtureTerms[count++] = binomialLogLik(x, y, s);
  }
  const target = logSumExp(mixtureTerms, count) - Math.log(count) - Math.log(1 / alpha);
  const mle = x / trials;
  const lower = x === 0 ? 0 : lowerEnd(x, y, target, mle);
  const upper = y === 0 ? 1 : upperEnd(x, y, target, mle);
  return { lower, upper };
}

/** Scratch for the mixture's terms (one per octave): every call overwrites it. */
const mixtureTerms = new Float64Array(RATE_MIXTURE_OCTAVES.length);

/** `x log c + y log(1 - c)`, the binomial log-likelihood (zero counts contribute 0). */
function binomialLogLik(x: number, y: number, c: number): number {
  return xLogY(x, c) + xLog1pY(y, -c);
}

/**
 * The lower end: `bisect(c => logLik(c) < target, 0, mle)[0]` written out (the same halvings,
 * so the same result to the bit), without a closure per call and a boxed number per halving:
 * summaries are built for every signal at every step (docs/benchmarks.md, "fleet-tick-issue-13").
 */
function lowerEnd(x: number, y: number, target: number, mle: number): number {
  let a = 0;
  let b = mle;
  for (let i = 0; i < BISECT_STEPS; i++) {
    const mid = 0.5 * (a + b);
    if (mid <= a || mid >= b) break;
    if (binomialLogLik(x, y, mid) < target) a = mid;
    else b = mid;
  }
  return a;
}

/** The upper end: `bisect(c => logLik(c) >= target, mle, 1)[1]` written out (see lowerEnd). */
function upperEnd(x: number, y: number, target: number, mle: number): number {
  let a = mle;
  let b = 1;
  for (let i = 0; i < BISECT_STEPS; i++) {
    const mid = 0.5 * (a + b);
    if (mid <= a || mid >= b) break;
    if (binomialLogLik(x, y, mid) >= target) a = mid;
    else b = mid;
  }
  return b;
}

/**
 * Outer bounds of the super-level set `{u : f(u) > target}` of a concave function known only
 * on the grid `u_i = u0 + i * step`. Between grid points the set can only be as wide as the
 * chords next to it allow (a concave function lies below the extension of every chord), which
 * is much tighter than rounding to the neighbouring grid points. `-Infinity` / `Infinity` when
 * the set reaches the end of the grid; null when no grid value exceeds the target.
 */
export function concaveSuperLevelSet(
  values: ArrayLike<number>,
  u0: number,
  step: number,
  target: number,
): { lower: number; upper: number } | null {
  const n = values.length;
  const v = (i: number): number => values[i] as number;
  const u = (i: number): number => u0 + i * step;
  let first = -1;
  let last = -1;
  for (let i = 0; i < n; i++) {
    if (v(i) > target) {
      if (first < 0) first = i;
      last = i;
    }
  }
  if (first < 0) return null;
  let lower = Number.NEGATIVE_INFINITY;
  if (first > 0) {
    const i = first;
    lower = u(i - 1);
    if (i + 1 < n) {
      const slope = (v(i + 1) - v(i)) / step;
      if (slope > 0) lower = Math.max(lower, u(i) - (v(i) - target) / slope);
    }
    if (i - 2 >= 0) {
      const slope = (v(i - 1) - v(i - 2)) / step;
      if (slope > 0) lower = Math.max(lower, u(i - 1) + (target - v(i - 1)) / slope);
    }
    lower = Math.min(lower, u(i));
  }
  let upper = Number.POSITIVE_INFINITY;
  if (last < n - 1) {
    const j = last;
    upper = u(j + 1);
    if (j - 1 >= 0) {
      const slope = (v(j) - v(j - 1)) / step;
      if (slope < 0) upper = Math.min(upper, u(j) + (v(j) - target) / -slope);
    }
    if (j + 2 < n) {
      const slope = (v(j + 2) - v(j + 1)) / step;
      if (slope < 0) upper = Math.min(upper, u(j + 1) - (target - v(j + 1)) / -slope);
    }
    upper = Math.max(upper, u(j));
  }
  return { lower, upper };
}
