import { describe, expect, it } from 'vitest';
import { stepOnTrend, tailSurelyAbove } from '../../src/stats/drift';
import { binomialUpperTail } from '../../src/stats/special-functions';
import { binomial, poisson, seededRandom } from '../../src/testing/seeded-random';

// docs/statistics.md, "Climbs routed as incidents": the repeated looks' step test at a level
// computes the exact tail only for the stretches that can be below it, with the same answer.

const STEP = 5_000;
const MINUTE = 60_000;
const DEPLOY = 360 * STEP;

describe('tailSurelyAbove: a lower bound on the binomial tail', () => {
  it('never says "surely above" where the exact tail is not (random counts, shares and bounds)', () => {
    const u = seededRandom(1701);
    let said = 0;
    let median = 0;
    for (let k = 0; k < 20_000; k++) {
      const n = 10 ** (u() * 6) * (u() < 0.3 ? 1 / (1 + u() * 4) : 1);
      // Counts around the share's expectation, far above it, far below it, and tiny ones.
      const x = 10 ** (-4 * u()) * (u() < 0.1 ? 0.999 : 1);
      const mean = n * x;
      const spread = Math.sqrt(mean + 1);
      const pick = u();
      const events =
        pick < 0.6
          ? mean + (u() - 0.4) * 12 * spread
          : pick < 0.8
            ? mean * u()
            : pick < 0.9
              ? u() * 3
              : n * u();
      const e = Math.min(n, Math.max(1e-3, events));
      const bound = 10 ** (-1 - 9 * u());
      if (!tailSurelyAbove(e, n, x, bound)) continue;
      said++;
      const a = e;
      const b = n - e + 1;
      if (a >= 1 && a <= b && x >= a / (a + b)) median++;
      expect(binomialUpperTail(e, n, x), `k ${e}, n ${n}, x ${x}, bound ${bound}`).toBeGreaterThan(bound);
    }
    // Both bounds were exercised, on most of the draws.
    expect(said).toBeGreaterThan(10_000);
    expect(median).toBeGreaterThan(3_000);
    expect(said - median).toBeGreaterThan(3_000);
  });

  it('says nothing outside the range where the exact tail is a number below 1', () => {
    expect(tailSurelyAbove(0, 10, 0.5, 1e-6)).toBe(false);
    expect(tailSurelyAbove(11, 10, 0.5, 1e-6)).toBe(false);
    expect(tailSurelyAbove(5, 10, 0, 1e-6)).toBe(false);
    expect(tailSurelyAbove(5, 10, 1, 1e-6)).toBe(false);
    expect(tailSurelyAbove(5, 2e9, 0.5, 1e-6)).toBe(false);
    expect(tailSurelyAbove(Number.NaN, 10, 0.5, 1e-6)).toBe(false);
  });
});

/** A climb through the window and `after` steps of the bake, some with a step at a random point of it. */
function draw(u: () => number, after: number) {
  const n = Math.round(2 + u() * 2000);
  const p = 0.001 + u() * 0.03;
  const g = ((u() - 0.2) * Math.log(1.05)) / MINUTE;
  const stepAt = Math.floor(u() * after);
  const size = u() < 0.5 ? 1 : 1 + u() * 3;
  return Array.from({ length: 360 + after }, (_, i) => {
    const t = (i + 1) * STEP;
    const trials = poisson(u, n);
    const f = i >= 360 + stepAt ? size : 1;
    return { t, trials, events: binomial(u, trials, Math.min(1, f * p * Math.exp(g * (t - DEPLOY)))) };
  });
}

describe('stepOnTrend at a level', () => {
  it('answers what the full scan answers, held to the level (random climbs, steps, levels, dispersions)', () => {
    const u = seededRandom(1702);
    let stepped = 0;
    let held = 0;
    for (let k = 0; k < 600; k++) {
      const data = draw(u, 1 + Math.floor(u() * 180));
      const from = Math.floor(u() * 300) * STEP;
      const points = data.filter((q) => q.t > from);
      const dispersion = u() < 0.7 ? 1 : 1 + u() * 3;
      const level = u() < 0.2 ? 0.01 : 0.01 / (k + 2) / (k + 1);
      const full = stepOnTrend(points, DEPLOY, dispersion);
      const atLevel = stepOnTrend(points, DEPLOY, dispersion, level);
      const expected = full !== null && full.p <= level ? full : null;
      // The same object's figures, to the last bit.
      expect(atLevel).toEqual(expected);
      if (expected !== null) stepped++;
      else if (full !== null) held++;
    }
    // Both answers were met often.
    expect(stepped).toBeGreaterThan(100);
    expect(held).toBeGreaterThan(100);
  });

  it('leaves the exact tail to few stretches of a healthy climb at a repeated look', () => {
    // On a climb the bake continues, at look 20's level, nearly every stretch is surely above it.
    const u = seededRandom(1703);
    const data = Array.from({ length: 480 }, (_, i) => {
      const t = (i + 1) * STEP;
      const trials = poisson(u, 1000);
      return { t, trials, events: binomial(u, trials, 0.005 * Math.exp((0.03 * (t - DEPLOY)) / MINUTE)) };
    });
    let events = 0;
    let weight = 0;
    let surely = 0;
    let stretches = 0;
    const all = data.reduce((a, q) => a + q.events, 0);
    const fit = data.reduce((a, q) => a + q.trials * Math.exp((0.03 * (q.t - DEPLOY)) / MINUTE), 0);
    for (let i = data.length - 1; i >= 360; i--) {
      const q = data[i] as (typeof data)[number];
      events += q.events;
      weight += q.trials * Math.exp((0.03 * (q.t - DEPLOY)) / MINUTE);
      stretches++;
      if (tailSurelyAbove(events, all, weight / fit, 0.01 / 380 / 120)) surely++;
    }
    expect(surely / stretches).toBeGreaterThan(0.9);
  });
});
