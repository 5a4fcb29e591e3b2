/** One cumulative bucket of a classic histogram: the count of observations `<= upperBound`. */
export interface HistogramBucket {
  readonly upperBound: number;
  readonly count: number;
}

/**
 * The q-quantile of a classic histogram, computed the way PromQL's `histogram_quantile` does
 * (Prometheus `promql/quantile.go`, `bucketQuantile`), so the exposition source and a real
 * Prometheus give the same number for the same bucket counts:
 * - q < 0 is -Inf, q > 1 is +Inf, NaN q is NaN;
 * - buckets are sorted by bound; without a `+Inf` bucket, with fewer than two buckets, or with
 *   no observations, the result is NaN;
 * - counts are forced to be monotonic (a bucket may not hold fewer than the one below it);
 * - a rank in the `+Inf` bucket gives the highest finite bound; otherwise the value is
 *   interpolated linearly inside the bucket holding the rank (from 0 for the first bucket when
 *   its bound is positive).
 */
export function histogramQuantile(q: number, input: readonly HistogramBucket[]): number {
  if (Number.isNaN(q)) return Number.NaN;
  if (q < 0) return Number.NEGATIVE_INFINITY;
  if (q > 1) return Number.POSITIVE_INFINITY;
  const buckets = [...input].sort((a, b) => a.upperBound - b.upperBound);
  const last = buckets.at(-1);
  if (last === undefined || last.upperBound !== Number.POSITIVE_INFINITY || buckets.length < 2) {
    return Number.NaN;
  }
  const counts = buckets.map((b) => b.count);
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i] ?? 0;
    if (c < max) counts[i] = max;
    else max = c;
  }
  const observations = counts.at(-1) ?? 0;
  if (!(observations > 0)) return Number.NaN;
  let rank = q * observations;
  let b = counts.findIndex((c) => c >= rank);
  if (b < 0) b = counts.length - 1;
  if (b === buckets.length - 1) return buckets[buckets.length - 2]?.upperBound ?? Number.NaN;
  const first = buckets[0];
  if (b === 0 && first !== undefined && first.upperBound <= 0) return first.upperBound;
  let bucketStart = 0;
  const bucketEnd = buckets[b]?.upperBound ?? Number.NaN;
  let count = counts[b] ?? 0;
  if (b > 0) {
    bucketStart = buckets[b - 1]?.upperBound ?? 0;
    const below = counts[b - 1] ?? 0;
    count -= below;
    rank -= below;
  }
  return bucketStart + (bucketEnd - bucketStart) * (rank / count);
}
