import { describe, expect, it } from 'vitest';
import { averageLogEValues, splitAlpha } from '../../src/stats';

describe('splitAlpha', () => {
  it('divides alpha evenly (Bonferroni)', () => {
    expect(splitAlpha(0.01, 2)).toBe(0.005);
    expect(splitAlpha(0.01, 1)).toBe(0.01);
    expect(splitAlpha(0.01, 8)).toBeCloseTo(0.00125, 15);
  });

  it('rejects parts that are not a positive integer, and a bad alpha', () => {
    expect(() => splitAlpha(0.01, 0)).toThrow(/parts/);
    expect(() => splitAlpha(0.01, 1.5)).toThrow(/parts/);
    expect(() => splitAlpha(1.2, 2)).toThrow(/alpha/);
  });
});

describe('averageLogEValues', () => {
  it('is the log of the (weighted) arithmetic mean', () => {
    expect(averageLogEValues([Math.log(2), Math.log(6)])).toBeCloseTo(Math.log(4), 14);
    expect(averageLogEValues([Math.log(2), Math.log(6)], [3, 1])).toBeCloseTo(Math.log(3), 14);
    expect(averageLogEValues([-1e300, 800, 801])).toBeCloseTo(
      801 + Math.log1p(Math.exp(-1)) - Math.log(3),
      10,
    );
  });

  it('one large e-value among k signals needs k/alpha, as Bonferroni does', () => {
    const k = 4;
    const logs = [Math.log(k / 0.01), 0 - 50, -50, -50];
    expect(averageLogEValues(logs)).toBeGreaterThanOrEqual(Math.log(1 / 0.01) - 1e-9);
  });

  it('checks its inputs', () => {
    expect(() => averageLogEValues([])).toThrow(/logEValues/);
    expect(() => averageLogEValues([1, 2], [1])).toThrow(/weights/);
    expect(() => averageLogEValues([1, 2], [0, 0])).toThrow(/weights/);
  });
});
