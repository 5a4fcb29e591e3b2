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
  const fits: { index: number; sse: number; slope: number }[] = [];
  for (let j = 0; j + minAfter <= n; j++) {
    const knot = (points[j] as { t: number }).t;
    let xMean = 0;
    for (const p of points) xMean += Math.max(0, p.t - knot) / 1000 / n;
    let sxx = 0;
    let sxy = 0;
    for (const p of points) {
      const dx = Math.max(0, p.t - knot) / 1000 - xMean;
      sxx += dx * dx;
      sxy += dx * (p.v - vMean);
    }
    if (!(sxx > 0)) continue;
    const slope = sxy / sxx;
    if (!(slope > 0)) continue;
    fits.push({ index: j, sse: Math.max(0, syy - (sxy * sxy) / sxx), slope });
  }
  if (fits.length === 0) return null;
  const best = fits.reduce((m, f) => (f.sse < m.sse ? f : m));
  const chosen = fits.find((f) => f.sse <= best.sse * (1 + tolerance) + 1e-12 * syy) ?? best;
  return { index: chosen.index, t: (points[chosen.index] as { t: number }).t, slope: chosen.slope };
}
