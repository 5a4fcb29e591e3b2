import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fitLine, fitLineFrom } from '../../src/rules/rate-of-change';

/**
 * fitLineFrom fits a suffix of the points in place (rules/rate-of-change.ts: the recent third of
 * a trend, at every evaluation): the same sums in the same order as fitting a copy of the suffix,
 * so the same fit to the bit, non-finite points (dropped) included.
 */
const arbPoint = fc.record({
  t: fc.oneof(
    fc.integer({ min: 0, max: 3_600 }).map((s) => 1_700_000_000_000 + s * 1000),
    fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY),
  ),
  v: fc.oneof(
    fc.double({ min: -1e12, max: 1e12, noNaN: true }),
    fc.constantFrom(Number.NaN, Number.NEGATIVE_INFINITY, 0),
  ),
});

describe('fitLineFrom', () => {
  it('gives the fit of the copied suffix, bit for bit', () => {
    fc.assert(
      fc.property(fc.array(arbPoint, { maxLength: 60 }), fc.nat({ max: 70 }), (points, from) => {
        expect(fitLineFrom(points, from)).toEqual(fitLine(points.slice(from)));
      }),
      { numRuns: 3000 },
    );
  });

  it('reads ordered, finite points of a leak as they are', () => {
    const points = Array.from({ length: 180 }, (_, i) => ({ t: i * 5000, v: 1e8 + i * 4e4 + (i % 7) * 1e3 }));
    const fit = fitLineFrom(points, 120);
    expect(fit).toEqual(fitLine(points.slice(120)));
    expect(fit?.points).toBe(60);
    expect(fit?.slope).toBeGreaterThan(7_000);
  });
});
