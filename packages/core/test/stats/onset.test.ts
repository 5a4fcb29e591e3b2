import { describe, expect, it } from 'vitest';
import { type CountPoint, estimateGaugeOnset, estimateOnset, type GaugePoint } from '../../src/stats';
import { binomial, seededRandom } from '../../src/testing/seeded-random';

function counts(seed: number, rates: readonly number[], trials = 100): CountPoint[] {
  const random = seededRandom(seed);
  return rates.map((rate, i) => ({ t: 1000 * (i + 1), events: binomial(random, trials, rate), trials }));
}

function gauge(seed: number, means: readonly number[], sd: number): GaugePoint[] {
  const random = seededRandom(seed);
  return means.map((mean, i) => {
    const z = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    return { t: i, value: mean + sd * z };
  });
}

const step = (before: number, after: number, at: number, length: number): number[] =>
  Array.from({ length }, (_, i) => (i < at ? before : after));

describe('estimateOnset (counts)', () => {
  it('locates a jump from 0.5% to 4% and calls it significant', () => {
    const points = counts(1, step(0.005, 0.04, 100, 140));
    const onset = estimateOnset(points);
    expect(onset.significant).toBe(true);
    expect(onset.pValue).toBeLessThan(1e-10);
    expect(onset.onsetT).toBeGreaterThanOrEqual(1000 * 98);
    expect(onset.onsetT).toBeLessThanOrEqual(1000 * 103);
    expect(onset.onsetRange?.earliestT).toBeLessThanOrEqual(onset.onsetT as number);
    expect(onset.onsetRange?.latestT).toBeGreaterThanOrEqual(onset.onsetT as number);
    expect(onset.rateBefore).toBeLessThan(0.008);
    expect(onset.rateAfter).toBeGreaterThan(0.03);
    expect(onset.logLikelihoodRatio).toBeGreaterThan(20);
  });

  it('finds nothing significant in a constant rate (scan-corrected)', () => {
    let significant = 0;
    for (let seed = 0; seed < 100; seed++) {
      if (estimateOnset(counts(seed, step(0.01, 0.01, 0, 120))).significant) significant++;
    }
    expect(significant).toBeLessThanOrEqual(2);
  });

  it('ignores a downward shift (only an elevated rate is an onset)', () => {
    const points = [
      ...Array.from({ length: 50 }, (_, i) => ({ t: i, events: 5, trials: 100 })),
      ...Array.from({ length: 50 }, (_, i) => ({ t: 50 + i, events: 0, trials: 100 })),
    ];
    const onset = estimateOnset(points);
    expect(onset.onsetT).toBeNull();
    expect(onset.significant).toBe(false);
    expect(onset.rateBefore).toBeCloseTo(0.025, 12);
  });

  it('sorts its input, drops unusable points and copes with non-integer counts', () => {
    const points: CountPoint[] = [
      { t: 3, events: 4.5, trials: 50.5 },
      { t: 1, events: 0.2, trials: 49.5 },
      { t: 2, events: Number.NaN, trials: 50 },
      { t: 4, events: 5.5, trials: 50 },
      { t: 0, events: 0, trials: 0 },
      { t: 0.5, events: 0.1, trials: 50 },
    ];
    const onset = estimateOnset(points);
    expect(onset.onsetT).toBe(3);
    expect(estimateOnset([]).onsetT).toBeNull();
    expect(estimateOnset([{ t: 1, events: 1, trials: 10 }]).pValue).toBe(1);
  });

  it('tells a breach that began before a deploy from one that began after it', () => {
    const deployT = 1000 * 120;
    const before = estimateOnset(counts(4, step(0.005, 0.05, 84, 150)));
    expect(before.significant && (before.onsetRange?.latestT as number) < deployT).toBe(true);
    const after = estimateOnset(counts(5, step(0.005, 0.05, 126, 150)));
    expect(after.significant && (after.onsetRange?.earliestT as number) > deployT).toBe(true);
  });
});

describe('estimateGaugeOnset (mean shift)', () => {
  it('locates a latency step up', () => {
    const onset = estimateGaugeOnset(gauge(2, step(120, 300, 60, 100), 20));
    expect(onset.significant).toBe(true);
    expect(onset.onsetT).toBe(60);
    expect(onset.meanBefore).toBeCloseTo(120, -1);
    expect(onset.meanAfter).toBeCloseTo(300, -1);
  });

  it('locates a ready fraction dropping, with direction down', () => {
    const ready = step(1, 0.6667, 30, 60).map((value, t) => ({ t, value }));
    const onset = estimateGaugeOnset(ready, { direction: 'down' });
    expect(onset.significant).toBe(true);
    expect(onset.onsetT).toBe(30);
    expect(Number.isFinite(onset.logLikelihoodRatio)).toBe(true);
    expect(estimateGaugeOnset(ready, { direction: 'up' }).onsetT).toBeNull();
  });

  it('finds nothing in noise or a constant series', () => {
    let significant = 0;
    for (let seed = 0; seed < 50; seed++)
      if (estimateGaugeOnset(gauge(seed, step(100, 100, 0, 80), 10)).significant) significant++;
    expect(significant).toBeLessThanOrEqual(2);
    const flat = Array.from({ length: 20 }, (_, t) => ({ t, value: 1 }));
    expect(estimateGaugeOnset(flat).onsetT).toBeNull();
  });

  it('checks its options', () => {
    expect(() => estimateGaugeOnset([], { minSegment: 1 })).toThrow(/minSegment/);
    expect(() => estimateOnset([], { alpha: 0 })).toThrow(/alpha/);
  });
});

describe('startsBefore (the validation gate’s question)', () => {
  it('is null without a reference, and true only for a breach that clearly predates it', () => {
    const early = counts(4, step(0.005, 0.05, 84, 150));
    expect(estimateOnset(early).startsBefore).toBeNull();
    expect(estimateOnset(early, { referenceT: 1000 * 120 }).startsBefore).toBe(true);
    expect(
      estimateOnset(counts(5, step(0.005, 0.05, 126, 150)), { referenceT: 1000 * 120 }).startsBefore,
    ).toBe(false);
  });

  it('does not turn a weak fault at the deploy into an incident, though its MLE onset often falls early', () => {
    let mleEarly = 0;
    let routedAsIncident = 0;
    for (let seed = 0; seed < 200; seed++) {
      // 0.5% -> 1.5% at 50 requests per step, the fault starting exactly at the deploy (t = 121000).
      const points = counts(1000 + seed, step(0.005, 0.015, 120, 150), 50);
      const onset = estimateOnset(points, { referenceT: 1000 * 121 });
      if (onset.significant && (onset.onsetT as number) <= 1000 * 120) mleEarly++;
      if (onset.startsBefore) routedAsIncident++;
    }
    expect(mleEarly).toBeGreaterThan(5);
    // About alpha (1%) of such runs: 2 of 200 with these seeds.
    expect(routedAsIncident).toBeLessThanOrEqual(3);
  });

  it('works for gauges too', () => {
    const ready = step(1, 0.6667, 30, 60).map((value, t) => ({ t, value }));
    expect(estimateGaugeOnset(ready, { direction: 'down', referenceT: 40 }).startsBefore).toBe(true);
    expect(estimateGaugeOnset(ready, { direction: 'down', referenceT: 30 }).startsBefore).toBe(false);
  });
});
