/**
 * The one-sample likelihood-ratio mixture: evidence that a binomial rate is above a null rate
 * c, from `events` out of `trials`. Alternatives are `r * c` for each ratio r of the grid,
 * capped halfway between c and 1 so they stay valid rates; the grid has equal weights.
 *
 * Each term `(a/c)^x ((1-a)/(1-c))^(n-x)` with a > c has expectation at most 1 under every
 * rate q <= c, so the mixture is a test supermartingale for "rate <= c". Two facts the
 * baseline test relies on: the log mixture rises with `events` (a > c) and falls as c rises
 * (both for `r * c` and for the cap), so bounds over an interval of null rates come from its
 * end points.
 */

/** Default rate-ratio grid of the alternatives (equal weights; docs/statistics.md). */
export const DEFAULT_RATIOS: readonly number[] = [1.5, 2, 3, 4, 6, 8, 12];

/**
 * The grid of a test whose bake cannot show a 2x rise ({@link reachableRatios}): the default
 * grid without 1.5x, with 16x and 24x.
 */
export const FEW_EVENTS_RATIOS: readonly number[] = [2, 3, 4, 6, 8, 12, 16, 24];

/**
 * The ratio grid a test plans from what its whole bake can show (issue 12, round 21): a Poisson
 * count of `expected` events at the null rate, raised `r` times, carries `expected (r ln r - r +
 * 1)` nats of evidence for ratio r (its expected log likelihood ratio, the Kullback-Leibler
 * divergence). Where even a 2x rise stays under `log(1 / alpha)` over the whole bake (about 15
 * expected events at the evaluator's alpha), 1.5x is far out of reach and only dilutes the
 * equal-weight mixture, while the faults the bake can show at all are large: the grid is
 * {@link FEW_EVENTS_RATIOS}. Elsewhere the default grid. A function of the baseline and the
 * contract only (`expected` is planned before any of the bake's data), so the mixture is a test
 * supermartingale with whichever grid it picks.
 */
export function reachableRatios(expected: number, alpha: number): readonly number[] {
  if (!(expected > 0) || !Number.isFinite(expected) || !(alpha > 0 && alpha < 1)) return DEFAULT_RATIOS;
  const reachesTwo = expected * (2 * Math.log(2) - 1) >= Math.log(1 / alpha);
  return reachesTwo ? DEFAULT_RATIOS : FEW_EVENTS_RATIOS;
}

/** The alternative rate for ratio `ratio` against null rate `nullRate` (< 1). */
export function alternativeRate(ratio: number, nullRate: number): number {
  return Math.min(ratio * nullRate, 0.5 * (1 + nullRate));
}

/**
 * Fills `perEvent[i] = log(a_i / c)` and `perNonEvent[i] = log((1 - a_i) / (1 - c))` for the
 * ratios of the grid, so a log likelihood ratio is `x * perEvent + (n - x) * perNonEvent`.
 * At c = 0 the limits are `log r` and 0. Requires c < 1.
 */
export function fillLogFactors(
  nullRate: number,
  ratios: readonly number[],
  perEvent: Float64Array,
  perNonEvent: Float64Array,
): void {
  if (nullRate <= 0) {
    for (let i = 0; i < ratios.length; i++) {
      perEvent[i] = Math.log(ratios[i] as number);
      perNonEvent[i] = 0;
    }
    return;
  }
  const log1mC = Math.log1p(-nullRate);
  const logCapRatio = Math.log((1 + nullRate) / (2 * nullRate));
  const cap = 0.5 * (1 + nullRate);
  for (let i = 0; i < ratios.length; i++) {
    const r = ratios[i] as number;
    const a = r * nullRate;
    // Below the cap log(a / c) is log(r) exactly; the ratios are sorted, so once capped, all are.
    if (a < cap) {
      perEvent[i] = Math.log(r);
      perNonEvent[i] = Math.log1p(-a) - log1mC;
    } else {
      perEvent[i] = logCapRatio;
      perNonEvent[i] = Math.log1p(-cap) - log1mC;
    }
  }
}

/**
 * `log sum_i w * exp(x * perEvent[i] + (n - x) * perNonEvent[i])` with equal weights
 * `w = 1 / count`; `scratch` holds `count` terms.
 */
export function logMixture(
  events: number,
  trials: number,
  perEvent: Float64Array,
  perNonEvent: Float64Array,
  count: number,
  scratch: Float64Array,
): number {
  const nonEvents = trials - events;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < count; i++) {
    const v =
      (events === 0 ? 0 : events * (perEvent[i] as number)) +
      (nonEvents === 0 ? 0 : nonEvents * (perNonEvent[i] as number));
    scratch[i] = v;
    if (v > max) max = v;
  }
  if (max === Number.NEGATIVE_INFINITY || max === Number.POSITIVE_INFINITY) return max;
  let sum = 0;
  for (let i = 0; i < count; i++) sum += Math.exp((scratch[i] as number) - max);
  return max + Math.log(sum / count);
}
