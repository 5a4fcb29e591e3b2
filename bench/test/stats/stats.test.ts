import { describe, expect, it } from 'vitest';
import { histogramQuantile, sortedQuantile, sumHistograms } from '../../src/stats/histogram-quantile';
import { mannWhitney } from '../../src/stats/mann-whitney';
import { normalQuantile } from '../../src/stats/normal-quantile';
import { RateRatioMixture, wilsonUpper } from '../../src/stats/rate-mixture';
import { sprtExpectedSamples, sprtExpectedSeconds, sprtExpectedSecondsRamped } from '../../src/stats/sprt';

const BUCKETS = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000];

describe('histogramQuantile (Prometheus bucketQuantile)', () => {
  it('interpolates linearly inside the bucket holding the rank', () => {
    // 100 requests: 90 in (25,50], 10 in (50,100]. rank 99 → 9th of 10 in (50,100] → 50 + 50·0.9.
    const counts = [0, 0, 0, 90, 10, 0, 0, 0, 0, 0, 0, 0];
    expect(histogramQuantile(0.99, BUCKETS, counts)).toBeCloseTo(95, 10);
    expect(histogramQuantile(0.5, BUCKETS, counts)).toBeCloseTo(25 + 25 * (50 / 90), 10);
  });
  it('starts the first bucket at 0, caps +Inf at the highest bound, and is null when empty', () => {
    expect(histogramQuantile(0.5, BUCKETS, [10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])).toBeCloseTo(2.5, 10);
    expect(histogramQuantile(0.99, BUCKETS, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5])).toBe(10000);
    expect(histogramQuantile(0.99, BUCKETS, new Array(12).fill(0))).toBeNull();
  });
  it('sums rows and takes type-7 sample quantiles', () => {
    expect(
      sumHistograms(
        [
          [1, 2],
          [3, 4],
        ],
        2,
      ),
    ).toEqual([4, 6]);
    expect(sortedQuantile([1, 2, 3, 4], 0.5)).toBe(2.5);
  });
});

describe('sprtExpectedSamples (Wald)', () => {
  it('matches the examples (0.5% -> 5% at 20 req/s: 3.164 s) and the reference case (0.5% -> 3%: ~155 requests)', () => {
    expect(sprtExpectedSeconds(0.005, 0.05, 20)).toBeCloseTo(3.1640364939452352, 10);
    expect(sprtExpectedSamples(0.005, 0.03)).toBeCloseTo(154.9, 0);
    expect(sprtExpectedSamples(0, 0.3)).toBeCloseTo(1 / 0.3, 10);
    expect(sprtExpectedSamples(0.01, 0.01)).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('normalQuantile', () => {
  it('inverts the normal distribution', () => {
    expect(normalQuantile(0.99)).toBeCloseTo(2.326348, 5);
    expect(normalQuantile(0.5)).toBeCloseTo(0, 9);
    expect(normalQuantile(0.001)).toBeCloseTo(-3.090232, 5);
  });
});

describe('mannWhitney', () => {
  it('gives the Hodges-Lehmann shift and an order-statistic interval', () => {
    const control = Array.from({ length: 30 }, (_, i) => i + 1);
    const experiment = [40, 41, 42, 43, 44];
    const r = mannWhitney(experiment, control, 0.98);
    const diffs = experiment.flatMap((x) => control.map((y) => x - y)).sort((a, b) => a - b);
    // Hodges-Lehmann: the median of the 150 differences (mean of the 75th and 76th).
    expect(r.estimate).toBe(((diffs[74] as number) + (diffs[75] as number)) / 2);
    expect(r.estimate).toBe(26.5);
    // C = floor(75 - 2.3263·sqrt(150·36/12)) = floor(25.65) = 25: the 25th and 126th differences.
    expect(r.lower).toBe(diffs[24]);
    expect(r.upper).toBe(diffs[125]);
    expect(r.lower).toBeGreaterThan(0);
  });
  it('gives an unbounded interval when the samples are too small', () => {
    const r = mannWhitney([5], [1, 2], 0.98);
    expect(r.lower).toBe(Number.NEGATIVE_INFINITY);
    expect(r.upper).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('RateRatioMixture', () => {
  it('rejects a tripled rate and stays below the threshold at the null rate', () => {
    const high = new RateRatioMixture(0.01);
    let fired = false;
    for (let i = 0; i < 20 && !fired; i++) fired = high.update(100, 3);
    expect(fired).toBe(true);
    const flat = new RateRatioMixture(0.01);
    for (let i = 0; i < 50; i++) expect(flat.update(100, 1)).toBe(false);
  });
  it('bounds a proportion from above', () => {
    // Wilson at z = 2.576: (0.005 + 0.003318 + 2.576·sqrt(4.975e-6 + 1.659e-6)) / 1.006636.
    expect(wilsonUpper(5, 1000)).toBeCloseTo(0.014854, 5);
    expect(wilsonUpper(0, 0)).toBe(1);
  });
});

describe('sprtExpectedSecondsRamped', () => {
  it('is the step-change figure without a ramp', () => {
    expect(sprtExpectedSecondsRamped(0.005, 0.03, 10, undefined)).toBe(sprtExpectedSeconds(0.005, 0.03, 10));
  });

  it('is later for longer ramps, and later than the final rate alone would say', () => {
    const step = sprtExpectedSeconds(0.005, 0.05, 20);
    const short = sprtExpectedSecondsRamped(0.005, 0.05, 20, 60);
    const long = sprtExpectedSecondsRamped(0.005, 0.05, 20, 180);
    expect(short).toBeGreaterThan(step);
    expect(long).toBeGreaterThan(short);
    // The ramp reaches the final rate at 180 s; a 3 s SPRT at the final rate decides well before.
    expect(long).toBeLessThan(180);
  });

  it('matches a hand computation on a 10 s ramp in 5 s steps', () => {
    // Steps at p = p0 + (p1 - p0) * 0.5 then p1; Wald numerator reached in the second step.
    const p0 = 0.01;
    const p1 = 0.1;
    const a = 0.99 * Math.log(0.99 / 0.01) + 0.01 * Math.log(0.01 / 0.99);
    const drift = (p: number) => 10 * (p * Math.log(p1 / p0) + (1 - p) * Math.log((1 - p1) / (1 - p0)));
    const first = drift(0.055) * 5;
    const expected = a > first ? 5 + (a - first) / drift(p1) : a / drift(0.055);
    expect(sprtExpectedSecondsRamped(p0, p1, 10, 10)).toBeCloseTo(expected, 9);
  });
});
