import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { locateGrowthOnset } from '../../src/stats/growth-onset';

/**
 * locateGrowthOnset keeps its candidate fits in scratch columns instead of one object per knot
 * (stats/growth-onset.ts). The reference below is the object version it replaced, line for line:
 * both must pick the same knot with the same slope, to the bit.
 */
function referenceOnset(points: readonly { t: number; v: number }[], minAfter: number, tolerance = 0.05) {
  const n = points.length;
  if (n < Math.max(3, minAfter + 1)) return null;
  let vMean = 0;
  for (const p of points) vMean += p.v / n;
  let syy = 0;
  for (const p of points) syy += (p.v - vMean) ** 2;
  const t0 = (points[0] as { t: number }).t;
  const fits: { index: number; sse: number; slope: number }[] = [];
  let count = 0;
  let sumS = 0;
  let sumSS = 0;
  let sumD = 0;
  let sumSD = 0;
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
    const sumX = sumS - count * s;
    const sumXX = sumSS - 2 * s * sumS + count * s * s;
    const sxx = sumXX - (sumX * sumX) / n;
    if (!(sxx > 0)) continue;
    const sxy = sumSD - s * sumD;
    const slope = sxy / sxx;
    if (!(slope > 0)) continue;
    fits.push({ index: j, sse: Math.max(0, syy - (sxy * sxy) / sxx), slope });
  }
  fits.reverse();
  if (fits.length === 0) return null;
  const best = fits.reduce((m, f) => (f.sse < m.sse ? f : m));
  const chosen = fits.find((f) => f.sse <= best.sse * (1 + tolerance) + 1e-12 * syy) ?? best;
  return { index: chosen.index, t: (points[chosen.index] as { t: number }).t, slope: chosen.slope };
}

// Flat, then a ramp (a leak), plus noise or a sawtooth; sometimes exact ties (constant runs).
const arbSeries = fc
  .record({
    n: fc.integer({ min: 0, max: 200 }),
    onset: fc.double({ min: 0, max: 1, noNaN: true }),
    slope: fc.oneof(fc.constant(0), fc.double({ min: -5, max: 50, noNaN: true })),
    noise: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 100, noNaN: true })),
    sawtooth: fc.integer({ min: 0, max: 12 }),
    seed: fc.integer({ min: 1, max: 2 ** 30 }),
  })
  .map(({ n, onset, slope, noise, sawtooth, seed }) => {
    let r = seed;
    const rand = () => {
      r = (r * 16807) % 2147483647;
      return r / 2147483647;
    };
    const start = Math.floor(onset * n);
    return Array.from({ length: n }, (_, i) => ({
      t: 1_700_000_000_000 + i * 5000,
      v: 1e8 + Math.max(0, i - start) * slope + noise * (rand() - 0.5) + (sawtooth ? (i % sawtooth) * 10 : 0),
    }));
  });

describe('locateGrowthOnset', () => {
  it('picks the same knot and slope as the object version it replaced', () => {
    fc.assert(
      fc.property(
        arbSeries,
        fc.integer({ min: 1, max: 20 }),
        fc.constantFrom(0.05, 0, 0.5),
        (points, minAfter, tolerance) => {
          expect(locateGrowthOnset(points, minAfter, tolerance)).toEqual(
            referenceOnset(points, minAfter, tolerance),
          );
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('gives the same answer for a short read after a long one (the scratch columns are reused)', () => {
    const long = Array.from({ length: 300 }, (_, i) => ({
      t: i * 5000,
      v: i < 150 ? 100 : 100 + (i - 150) * 3,
    }));
    const short = Array.from({ length: 12 }, (_, i) => ({ t: i * 5000, v: i < 6 ? 50 : 50 + i }));
    const first = locateGrowthOnset(short, 3);
    locateGrowthOnset(long, 3);
    expect(locateGrowthOnset(short, 3)).toEqual(first);
    expect(first).toEqual(referenceOnset(short, 3));
  });
});
