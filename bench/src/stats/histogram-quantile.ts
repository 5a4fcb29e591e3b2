/**
 * Prometheus `histogram_quantile(q, ...)` over non-cumulative bucket counts (the scenario
 * format's `latencyHistogram` rows, last entry the +Inf bucket), following promql/quantile.go
 * `bucketQuantile`: linear interpolation inside the bucket holding rank q·total, the first
 * bucket starting at 0, and the highest finite bound returned when the rank falls in +Inf.
 * `null` when the histogram is empty (Prometheus returns NaN: "no data" to a controller).
 */
export function histogramQuantile(
  q: number,
  boundsMs: readonly number[],
  counts: readonly number[],
): number | null {
  let total = 0;
  for (const c of counts) total += c;
  if (total === 0) return null;
  const rank = q * total;
  let cumulative = 0;
  for (let i = 0; i < counts.length; i++) {
    const count = counts[i] ?? 0;
    const before = cumulative;
    cumulative += count;
    if (cumulative >= rank && count > 0) {
      if (i >= boundsMs.length) return boundsMs[boundsMs.length - 1] ?? null;
      const end = boundsMs[i] as number;
      const start = i === 0 ? 0 : (boundsMs[i - 1] as number);
      return start + (end - start) * ((rank - before) / count);
    }
  }
  return boundsMs[boundsMs.length - 1] ?? null;
}

/** Adds histogram rows element-wise (a `sum(increase(...[window]))` over steps). */
export function sumHistograms(rows: readonly (readonly number[])[], width: number): number[] {
  const out = new Array<number>(width).fill(0);
  for (const row of rows) {
    for (let i = 0; i < width; i++) out[i] = (out[i] as number) + (row[i] ?? 0);
  }
  return out;
}

/**
 * The sample quantile with linear interpolation between order statistics (Hyndman-Fan type 7,
 * numpy's default), of values already sorted ascending.
 */
export function sortedQuantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const low = sorted[lo] as number;
  const high = sorted[Math.min(lo + 1, sorted.length - 1)] as number;
  return low + (h - lo) * (high - low);
}
