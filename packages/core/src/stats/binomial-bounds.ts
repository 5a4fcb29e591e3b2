import { bisect } from './bisect';
import { regularizedBeta } from './special-functions';

/**
 * Confidence bounds for a binomial rate from `events` out of `trials`. Counts may be
 * non-integers (backends extrapolate); the bounds then interpolate smoothly.
 */

/** Bernoulli Kullback–Leibler divergence `KL(a || q)` in nats, with `0 log 0 = 0`. */
export function bernoulliKl(a: number, q: number): number {
  let out = 0;
  if (a > 0) out += a * Math.log(a / q);
  if (a < 1) out += (1 - a) * Math.log((1 - a) / (1 - q));
  return out;
}

/**
 * The Chernoff (KL) upper bound: the largest q with `trials * KL(rate || q) <= log(1/delta)`.
 * `P(true rate > bound) <= delta` holds for every trial count; with zero events it equals the
 * Clopper–Pearson bound `1 - delta^(1/trials)`.
 */
export function klUpperBound(events: number, trials: number, delta: number): number {
  if (!(trials > 0)) return 1;
  const rate = Math.min(Math.max(events / trials, 0), 1);
  if (rate >= 1) return 1;
  const budget = Math.log(1 / delta) / trials;
  if (rate === 0) return -Math.expm1(-budget);
  // Return the end of the bracket outside the set: rounding never narrows the bound.
  return bisect((q) => bernoulliKl(rate, q) <= budget, rate, 1)[1];
}

/** The Chernoff (KL) lower bound: the smallest q with `trials * KL(rate || q) <= log(1/delta)`. */
export function klLowerBound(events: number, trials: number, delta: number): number {
  if (!(trials > 0)) return 0;
  const rate = Math.min(Math.max(events / trials, 0), 1);
  if (rate <= 0) return 0;
  const budget = Math.log(1 / delta) / trials;
  if (rate === 1) return Math.exp(-budget);
  return bisect((q) => bernoulliKl(rate, q) > budget, 0, rate)[0];
}

/**
 * The exact (Clopper–Pearson) one-sided upper confidence bound: the q with
 * `P(Binomial(trials, q) <= events) = delta`, i.e. the `1 - delta` quantile of
 * Beta(events + 1, trials - events). With zero events it is `1 - delta^(1/trials)`. Falls back
 * to the (always wider, always valid) KL bound when the counts are too large for the
 * incomplete beta function.
 */
export function clopperPearsonUpper(events: number, trials: number, delta: number): number {
  if (!(trials > 0)) return 1;
  const x = Math.min(Math.max(events, 0), trials);
  if (x >= trials) return 1;
  if (x === 0) return -Math.expm1(Math.log(delta) / trials);
  const outer = klUpperBound(x, trials, delta);
  let failed = false;
  // P(Bin(trials, q) <= x) = 1 - I_q(x + 1, trials - x) falls as q rises.
  const [, bound] = bisect(
    (q) => {
      const cdf = regularizedBeta(q, x + 1, trials - x, true);
      if (Number.isNaN(cdf)) failed = true;
      return cdf > delta;
    },
    x / trials,
    outer,
  );
  return failed ? outer : bound;
}

/**
 * The exact (Clopper–Pearson) one-sided lower bound: the q with
 * `P(Binomial(trials, q) >= events) = delta`; 0 with zero events. Falls back to the KL bound
 * like {@link clopperPearsonUpper}.
 */
export function clopperPearsonLower(events: number, trials: number, delta: number): number {
  if (!(trials > 0)) return 0;
  const x = Math.min(Math.max(events, 0), trials);
  if (x <= 0) return 0;
  if (x >= trials) return Math.exp(Math.log(delta) / trials);
  const outer = klLowerBound(x, trials, delta);
  let failed = false;
  // P(Bin(trials, q) >= x) = I_q(x, trials - x + 1) rises with q.
  const [bound] = bisect(
    (q) => {
      const tail = regularizedBeta(q, x, trials - x + 1);
      if (Number.isNaN(tail)) failed = true;
      return tail < delta;
    },
    outer,
    x / trials,
  );
  return failed ? outer : bound;
}
