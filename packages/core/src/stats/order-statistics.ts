/**
 * Order statistics of a sample, for the rules and the scoring: one place for the median and the
 * quantiles, so every caller sorts and interpolates the same way.
 */

/** Ascending copy of `values` (the input is left as it is). */
function sortedCopy(values: readonly number[]): number[] {
  return [...values].sort((a, b) => a - b);
}

/**
 * The median of `values`: the middle value, or the mean of the two middle values for an even
 * count; NaN for no values.
 */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = sortedCopy(values);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/**
 * The q-quantile (0..1) of `values` with linear interpolation between order statistics
 * (Hyndman-Fan type 7, the default of R and numpy); `null` for no values.
 */
export function quantile(values: readonly number[], q: number): number | null {
  if (values.length === 0) return null;
  const sorted = sortedCopy(values);
  const h = (sorted.length - 1) * Math.min(1, Math.max(0, q));
  const lo = Math.floor(h);
  const low = sorted[lo] as number;
  const high = sorted[Math.min(lo + 1, sorted.length - 1)] as number;
  return low + (h - lo) * (high - low);
}
