import { describe, expect, it } from 'vitest';
import { histogramQuantile } from '../../src/index';

const b = (upperBound: number, count: number) => ({ upperBound, count });
const INF = Number.POSITIVE_INFINITY;

describe('histogramQuantile (PromQL histogram_quantile on one bucket set)', () => {
  it('interpolates linearly inside the bucket holding the rank', () => {
    const buckets = [b(0.1, 50), b(0.5, 90), b(1, 100), b(INF, 100)];
    expect(histogramQuantile(0.5, buckets)).toBeCloseTo(0.1, 12);
    expect(histogramQuantile(0.25, buckets)).toBeCloseTo(0.05, 12); // from 0 in the first bucket
    expect(histogramQuantile(0.7, buckets)).toBeCloseTo(0.1 + 0.4 * (20 / 40), 12);
    expect(histogramQuantile(0.95, buckets)).toBeCloseTo(0.5 + 0.5 * (5 / 10), 12);
  });

  it('answers the highest finite bound for a rank in the +Inf bucket', () => {
    expect(histogramQuantile(0.99, [b(0.1, 10), b(0.5, 50), b(INF, 100)])).toBe(0.5);
  });

  it('sorts buckets and forces cumulative counts to be monotonic', () => {
    const shuffled = [b(INF, 100), b(0.5, 40), b(0.1, 60)];
    // 0.1 -> 60, 0.5 -> max(40, 60) = 60, +Inf -> 100: rank 80 lands in +Inf.
    expect(histogramQuantile(0.8, shuffled)).toBe(0.5);
    expect(histogramQuantile(0.3, shuffled)).toBeCloseTo(0.05, 12);
  });

  it('gives NaN without observations, without a +Inf bucket, or with one bucket; ±Inf outside [0, 1]', () => {
    expect(histogramQuantile(0.5, [b(0.1, 0), b(INF, 0)])).toBeNaN();
    expect(histogramQuantile(0.5, [b(0.1, 3), b(1, 5)])).toBeNaN();
    expect(histogramQuantile(0.5, [b(INF, 5)])).toBeNaN();
    expect(histogramQuantile(0.5, [])).toBeNaN();
    expect(histogramQuantile(Number.NaN, [b(0.1, 3), b(INF, 5)])).toBeNaN();
    expect(histogramQuantile(-0.1, [b(0.1, 3), b(INF, 5)])).toBe(Number.NEGATIVE_INFINITY);
    expect(histogramQuantile(1.1, [b(0.1, 3), b(INF, 5)])).toBe(INF);
  });

  it('returns a non-positive first bound as is', () => {
    expect(histogramQuantile(0.1, [b(-1, 10), b(0, 20), b(INF, 30)])).toBe(-1);
  });
});
