import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalUpperQuantile, normalUpperTail } from '../../src/stats/normal';

describe('the normal tail and its quantile', () => {
  it('matches reference values', () => {
    // scipy.stats.norm.sf
    expect(normalUpperTail(0)).toBeCloseTo(0.5, 7);
    expect(normalUpperTail(1.959963985)).toBeCloseTo(0.025, 7);
    expect(normalUpperTail(3) / 0.0013498980316301).toBeCloseTo(1, 5);
    expect(normalUpperTail(5) / 2.866515718791939e-7).toBeCloseTo(1, 4);
    expect(normalUpperTail(-1)).toBeCloseTo(0.8413447460685429, 6);
  });

  it('inverts: the quantile of the tail is the point, and the tail is monotone', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -6, max: 6, noNaN: true }),
        fc.double({ min: 0, max: 3, noNaN: true }),
        (z, d) => {
          expect(normalUpperQuantile(normalUpperTail(z))).toBeCloseTo(z, 4);
          expect(normalUpperTail(z + d)).toBeLessThanOrEqual(normalUpperTail(z));
        },
      ),
    );
    expect(normalUpperQuantile(0)).toBe(Number.POSITIVE_INFINITY);
    expect(normalUpperQuantile(1)).toBe(Number.NEGATIVE_INFINITY);
    expect(Number.isNaN(normalUpperTail(Number.NaN))).toBe(true);
  });
});
