import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { median, quantile } from '../../src/stats/order-statistics';

describe('median', () => {
  it('is the middle value, the mean of the two middle ones for an even count, NaN for none', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
    expect(median([])).toBeNaN();
  });

  it('leaves its input as it was', () => {
    const values = [3, 1, 2];
    median(values);
    expect(values).toEqual([3, 1, 2]);
  });

  it('property: agrees with the type-7 quantile at 0.5 and splits the sample in halves', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 40 }),
        (xs) => {
          const m = median(xs);
          expect(m).toBeCloseTo(quantile(xs, 0.5) as number, 6);
          expect(xs.filter((x) => x < m).length).toBeLessThanOrEqual(xs.length / 2);
          expect(xs.filter((x) => x > m).length).toBeLessThanOrEqual(xs.length / 2);
        },
      ),
    );
  });
});
