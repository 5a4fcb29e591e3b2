import { describe, expect, it } from 'vitest';
import { stepOnTrend } from '../../src/stats/drift';
import { binomial, poisson, seededRandom } from '../../src/testing/seeded-random';

// docs/statistics.md, "Climbs routed as incidents": the repeated looks' step test, a step on top
// of a log-linear trend fitted through the bake.

const STEP = 5_000;
const MINUTE = 60_000;
const DEPLOY = 240 * STEP;

/** 240 steps before the deploy and `after` after it, `n` requests a step at `rate(t)`. */
function expected(n: number, rate: (t: number) => number, after: number) {
  return Array.from({ length: 240 + after }, (_, i) => {
    const t = (i + 1) * STEP;
    return { t, trials: n, events: n * rate(t) };
  });
}

const climbing = (t: number) => 0.005 * Math.exp(((t - DEPLOY) * Math.log(1.04)) / MINUTE);

describe('stepOnTrend: a step up on a log-linear trend fitted through the bake', () => {
  it('finds none where the bake continues the climb, however long', () => {
    for (const after of [6, 60, 240]) {
      const step = stepOnTrend(expected(1000, climbing, after), DEPLOY);
      expect(step?.p).toBeGreaterThan(0.5);
    }
  });

  it('finds a 2x step 5 minutes into the bake, from where it began, with its counts', () => {
    const data = expected(1000, (t) => climbing(t) * (t > DEPLOY + 60 * STEP ? 2 : 1), 72);
    const step = stepOnTrend(data, DEPLOY);
    expect(step?.p).toBeLessThan(1e-6);
    expect(step?.fromT).toBe(DEPLOY + 60 * STEP);
    expect(step?.trials).toBe(12 * 1000);
    expect(step?.events).toBeCloseTo(
      data.slice(-12).reduce((a, q) => a + q.events, 0),
      9,
    );
    // The trend's expectation for the stretch is below its events (the step is not in it).
    expect(step?.expected).toBeLessThan((step?.events ?? 0) / 1.5);
  });

  it('weighs the counts by the dispersion: the same step is weaker evidence on bursty counts', () => {
    const data = expected(500, (t) => climbing(t) * (t > DEPLOY + 30 * STEP ? 2 : 1), 40);
    const plain = stepOnTrend(data, DEPLOY, 1)?.p ?? 1;
    const bursty = stepOnTrend(data, DEPLOY, 3)?.p ?? 1;
    expect(plain).toBeLessThan(0.01);
    expect(bursty).toBeGreaterThan(plain * 10);
  });

  it('needs steps after `afterT` and events', () => {
    expect(stepOnTrend(expected(1000, climbing, 0), DEPLOY)).toBeNull();
    expect(
      stepOnTrend(
        expected(1000, () => 0, 12),
        DEPLOY,
      ),
    ).toBeNull();
  });

  it('calls a seeded healthy climb a step at most about its level at every look (1 look of 120 each)', () => {
    const u = seededRandom(151);
    let stepped = 0;
    for (let k = 0; k < 400; k++) {
      const n = Math.round(5 + u() * 995);
      const p = 0.002 + u() * 0.02;
      const g = (u() * Math.log(1.06)) / MINUTE;
      const after = 1 + Math.floor(u() * 120);
      const data = Array.from({ length: 240 + after }, (_, i) => {
        const t = (i + 1) * STEP;
        const trials = poisson(u, n);
        return { t, trials, events: binomial(u, trials, Math.min(1, p * Math.exp(g * (t - DEPLOY)))) };
      });
      if ((stepOnTrend(data, DEPLOY)?.p ?? 1) <= 0.01) stepped++;
    }
    // 0.01 with the scan's Bonferroni: 4 expected at most.
    expect(stepped).toBeLessThanOrEqual(8);
  });
});
