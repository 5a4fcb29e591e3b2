/**
 * Where did a gauge start to grow? A resource trend is judged on the growth since its onset, not
 * on a window that may hold minutes of flat samples before it: a leak that starts three minutes
 * after the deploy is then watched from where it starts (docs/statistics.md, "Memory trend").
 */

/** A located onset of growth. */
export interface GrowthOnset {
  /** Index (in time order) of the first point of the growth segment. */
  readonly index: number;
  /** Time of that point (ms). */
  readonly t: number;
  /** Slope of the hinge fit after the onset (units per second); 0 before it. */
  readonly slope: number;
}

/**
 * The onset of growth in `points` (sorted by time, finite): the knot of the best least-squares
 * hinge ("flat, then a straight rise") `v = a + b * max(0, t - t_j)` over every candidate knot
 * `t_j` that leaves at least `minAfter` points after it (the knot at the oldest point is a plain
 * line). Among fits within a relative `tolerance` of the best residual sum of squares the oldest
 * knot wins: the growth is measured over the longest stretch that fits as well, so a sawtooth's
 * last climb (which a hinge can also fit) does not cut a long leak short. Null with fewer than
 * `minAfter + 1` points, or when no knot gives a rising fit.
 */
export function locateGrowthOnset(
  points: readonly { readonly t: number; readonly v: number }[],
  minAfter: number,
  tolerance = 0.05,
): GrowthOnset | null {
  const n = points.length;
  if (n < Math.max(3, minAfter + 1)) return null;
  let vMean = 0;
  for (const p of points) vMean += p.v / n;
  let syy = 0;
  for (const p of points) syy += (p.v - vMean) ** 2;
  // Every knot's fit from suffix sums over the points at or after it (a point before the knot
  // has x = 0): O(n) for all knots, not O(n) each, as this runs at every evaluation of every
  // resource signal. Times in seconds from the oldest point, values centred, so the sums stay
  // small enough for doubles to subtract.
  const t0 = (points[0] as { t: number }).t;
  // The candidate knots' fits, newest first, in scratch columns (one object per knot per
  // evaluation was most of this function's garbage).
  const scratch = fitScratch(n);
  let fits = 0;
  let count = 0; // points at or after the knot
  let sumS = 0; // of s (seconds since t0)
  let sumSS = 0; // of s^2
  let sumD = 0; // of v - vMean
  let sumSD = 0; // of s (v - vMean)
  for (let j = n - 1; j >= 0; j--) {
    const p = points[j] as { t: number; v: number };
    const s = (p.t - t0) / 1000;
    const d = p.v - vMean;
    count++;
    sumS += s;
    sumSS += s * s;
    sumD += d;
    sumSD += s * d;
    if (j + minAfter > n) continue;
    // x_i = max(0, s_i - s_j): sums over the points at or after the knot.
    const sumX = sumS - count * s;
    const sumXX = sumSS - 2 * s * sumS + count * s * s;
    const sxx = sumXX - (sumX * sumX) / n;
    if (!(sxx > 0)) continue;
    const sxy = sumSD - s * sumD;
    const slope = sxy / sxx;
    if (!(slope > 0)) continue;
    scratch.index[fits] = j;
    scratch.sse[fits] = Math.max(0, syy - (sxy * sxy) / sxx);
    scratch.slope[fits] = slope;
    fits++;
  }
  if (fits === 0) return null;
  // Oldest knot first (the last one stored): the first smallest sum of squares, then the first
  // knot within the tolerance of it (the oldest that fits as well).
  let best = fits - 1;
  for (let q = fits - 2; q >= 0; q--)
    if ((scratch.sse[q] as number) < (scratch.sse[best] as number)) best = q;
  const bound = (scratch.sse[best] as number) * (1 + tolerance) + 1e-12 * syy;
  let chosen = best;
  for (let q = fits - 1; q >= 0; q--) {
    if ((scratch.sse[q] as number) <= bound) {
      chosen = q;
      break;
    }
  }
  const index = scratch.index[chosen] as number;
  return { index, t: (points[index] as { t: number }).t, slope: scratch.slope[chosen] as number };
}

/** Scratch columns for {@link locateGrowthOnset}, grown to the longest read seen. */
let scratchColumns = { index: new Float64Array(0), sse: new Float64Array(0), slope: new Float64Array(0) };

function fitScratch(n: number): typeof scratchColumns {
  if (scratchColumns.index.length < n) {
    scratchColumns = { index: new Float64Array(n), sse: new Float64Array(n), slope: new Float64Array(n) };
  }
  return scratchColumns;
}
