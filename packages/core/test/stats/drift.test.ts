import { describe, expect, it } from 'vitest';
import { estimateDispersion } from '../../src/stats';
import {
  chiSquareUpperTail,
  DRIFT_LEVEL,
  DRIFT_TREND_Z,
  driftShare,
  estimateDrift,
  MIN_DRIFT_EVENTS,
} from '../../src/stats/drift';
import { binomial, poisson, type Random, seededRandom } from '../../src/testing/seeded-random';

/** 360 steps of 5 s (a 30 min window) at `perStep` requests, the rate `rate(step)`. */
function window(random: Random, perStep: number, rate: (step: number) => number) {
  return Array.from({ length: 360 }, (_, i) => {
    const n = poisson(random, perStep);
    return { events: binomial(random, n, Math.min(1, rate(i))), trials: n };
  });
}

/** A sine of relative `amplitude` and `periodSteps` around `p0`, at `phase` at step 0. */
const sine = (p0: number, amplitude: number, periodSteps: number, phase: number) => (i: number) =>
  p0 * (1 + amplitude * Math.sin((2 * Math.PI * i) / periodSteps + phase));

describe('chiSquareUpperTail', () => {
  it('matches the chi-square table at the drift gate', () => {
    // Table values: P(chi2_5 > 15.086) = 0.01, P(chi2_5 > 11.070) = 0.05, P(chi2_2 > 9.210) = 0.01.
    expect(chiSquareUpperTail(15.086, 5)).toBeCloseTo(0.01, 3);
    expect(chiSquareUpperTail(11.07, 5)).toBeCloseTo(0.05, 2);
    expect(chiSquareUpperTail(9.21, 2)).toBeGreaterThan(0.008);
    expect(chiSquareUpperTail(9.21, 2)).toBeLessThan(0.013);
    expect(chiSquareUpperTail(0, 5)).toBe(1);
  });
});

describe('estimateDrift', () => {
  it('is exactly 0 on a stationary window about 99% of the time, at any traffic', () => {
    for (const perStep of [5, 100, 1000]) {
      const random = seededRandom(10 + perStep);
      let drifting = 0;
      const runs = 300;
      for (let run = 0; run < runs; run++) {
        const w = window(random, perStep, () => 0.005);
        if (estimateDrift(w, 6, estimateDispersion(w)).spread > 0) drifting++;
      }
      // The gate is DRIFT_LEVEL = 1%: at most 3 expected of 300; 8 is beyond 3 sd of a binomial.
      expect(drifting, `${perStep} a step`).toBeLessThanOrEqual(Math.ceil(runs * DRIFT_LEVEL) + 5);
    }
  });

  it('does not read step-level bursts as drift once the dispersion is passed', () => {
    const random = seededRandom(4);
    let drifting = 0;
    for (let run = 0; run < 100; run++) {
      // Each step's rate is 0.5% times an exponential multiplier (bursty, stationary).
      const w = Array.from({ length: 360 }, () => {
        const n = poisson(random, 500);
        return { events: binomial(random, n, Math.min(1, 0.005 * -Math.log(1 - random()))), trials: n };
      });
      if (estimateDrift(w, 6, estimateDispersion(w)).spread > 0) drifting++;
    }
    expect(drifting).toBeLessThanOrEqual(5);
  });

  it('measures a slow drift: the spread grows with its amplitude', () => {
    const random = seededRandom(5);
    // 200 req/s, 0.5% errors, a 40 min period: +-20% and +-50% drifts from the low, rising.
    const small = window(random, 1000, sine(0.005, 0.2, 480, -Math.PI / 2));
    const large = window(random, 1000, sine(0.005, 0.5, 480, -Math.PI / 2));
    const s = estimateDrift(small, 6, estimateDispersion(small));
    const l = estimateDrift(large, 6, estimateDispersion(large));
    expect(s.pValue).toBeLessThan(DRIFT_LEVEL);
    // A sine's level has a standard deviation of amplitude / sqrt(2) over whole cycles; 5 min
    // blocks of 3/4 of a cycle see about that.
    expect(s.spread).toBeGreaterThan(0.08);
    expect(s.spread).toBeLessThan(0.2);
    expect(l.spread).toBeGreaterThan(0.25);
    expect(l.spread).toBeLessThan(0.5);
    expect(l.lowRate).toBeLessThan(0.004);
    expect(l.highRate).toBeGreaterThan(0.006);
  });

  it('is 0 when the window cannot tell (too few blocks, no events)', () => {
    const random = seededRandom(6);
    const w = window(random, 1000, sine(0.005, 0.5, 480, 0));
    expect(estimateDrift(w, 6).spread).toBeGreaterThan(0);
    expect(estimateDrift(w, 2).spread).toBe(0);
    expect(estimateDrift(w.slice(0, 2), 6).spread).toBe(0);
    expect(
      estimateDrift(
        w.map((p) => ({ ...p, events: 0 })),
        6,
      ).spread,
    ).toBe(0);
    expect(estimateDrift([], 6).blocks).toBe(0);
  });
});

describe('estimateDrift: a rising trend the homogeneity test misses', () => {
  // Six 5-min blocks of 40 000 requests each, events climbing by 10 a block (0.25% -> 0.375%):
  // the 5-df homogeneity statistic is 14 (p 0.016, above DRIFT_LEVEL), the 1-df trend z 3.75.
  const rising = [100, 110, 120, 130, 140, 150].map((events) => ({ events, trials: 40_000 }));

  it('counts a steady climb as drift, its spread the share of the between-block variance the trend explains', () => {
    const d = estimateDrift(rising, 6);
    expect(chiSquareUpperTail(d.chiSquare, 5)).toBeGreaterThan(DRIFT_LEVEL);
    const n = 240_000;
    const rate = 750 / n;
    const unit = rate * (1 - rate);
    // z = sum (b - 2.5)(e_b - 125) / sqrt(unit * 40 000 * 17.5) = 175 / sqrt(700 000 unit).
    const z = 175 / Math.sqrt(700_000 * unit);
    expect(z).toBeGreaterThan(DRIFT_TREND_Z);
    expect(d.spread).toBeCloseTo(Math.sqrt(((z * z - 1) * unit) / n) / rate, 12);
    expect(d.pValue).toBeLessThan(0.001);
    expect(d.lowRate).toBeCloseTo(0.0025, 12);
    expect(d.highRate).toBeCloseTo(0.00375, 12);
  });

  it('ignores the same climb read backwards (a falling rate cannot take the bake above the window)', () => {
    expect(estimateDrift([...rising].reverse(), 6).spread).toBe(0);
  });

  it('ignores it once the dispersion says the steps are that noisy', () => {
    // Dispersion 3 divides z^2 by 3: 3.75 -> 2.17, below the gate.
    expect(estimateDrift(rising, 6, 3).spread).toBe(0);
  });

  it('leaves stationary windows alone about 99% of the time, at any traffic', () => {
    for (const perStep of [5, 100, 1000]) {
      const random = seededRandom(70 + perStep);
      let rising = 0;
      const runs = 300;
      for (let run = 0; run < runs; run++) {
        const w = window(random, perStep, () => 0.005);
        const d = estimateDrift(w, 6, estimateDispersion(w));
        if (d.spread > 0 && chiSquareUpperTail(d.chiSquare, d.blocks - 1) >= DRIFT_LEVEL) rising++;
      }
      // One-sided 1%: 3 expected of 300; 8 is beyond 3 sd of a binomial.
      expect(rising, `${perStep} a step`).toBeLessThanOrEqual(8);
    }
  });
});

describe('driftShare', () => {
  it('weighs the baseline as the requests whose binomial variance equals binomial plus drift', () => {
    // 900 of 180 000 (0.5%), a 14% spread: N' = N / (1 + N s^2 p) = 180 000 / 18.64.
    const share = driftShare(900, 180_000, 0.14);
    expect(share * 180_000).toBeCloseTo(180_000 / (1 + 180_000 * 0.14 ** 2 * 0.005), 6);
    // The inflated variance of the rate is the binomial one plus the drift's.
    const p = 0.005;
    expect(p / (share * 180_000)).toBeCloseTo(p / 180_000 + (0.14 * p) ** 2, 12);
  });

  it('is 1 without drift, and never leaves fewer than MIN_DRIFT_EVENTS events', () => {
    expect(driftShare(900, 180_000, 0)).toBe(1);
    expect(driftShare(0, 180_000, 0.3)).toBe(1);
    expect(driftShare(900, 180_000, 0.9) * 900).toBeCloseTo(MIN_DRIFT_EVENTS, 9);
    // With dispersion 2 the test divides counts by 2: the floor holds after that division.
    expect((driftShare(900, 180_000, 0.9, 2) * 900) / 2).toBeCloseTo(MIN_DRIFT_EVENTS, 9);
    // A baseline already smaller than the floor is left as it is.
    expect(driftShare(10, 2_000, 0.5)).toBe(1);
  });
});
