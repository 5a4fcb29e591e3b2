import { describe, expect, it } from 'vitest';
import { AuditRecordSchema } from '../../src/audit/audit-record';
import { ratioOfRise, stepOverClimb, stepOverTrend } from '../../src/evaluation/onset';
import type { StepData } from '../../src/testing/memory-source';
import { binomial, poisson, seededRandom } from '../../src/testing/seeded-random';
import { BASELINE_STEPS, healthy, world } from '../machine/world';

// docs/statistics.md, "A step at the deploy on a drifting baseline": a drift is a slow trend, an
// incident a step before the deploy, and a fault that arrives with the deploy a step at it.

const STEP = 5_000;
const DEPLOY = 360 * STEP;
const MINUTE = 60_000;

/** Steps 1..360 before the deploy and `after` steps after it, `rate(i)` of `n` requests in step i. */
function expected(n: number, rate: (i: number) => number, after = 12) {
  return Array.from({ length: 360 + after }, (_, i) => ({
    t: (i + 1) * STEP,
    trials: n,
    events: n * rate(i),
  }));
}

/** A drift's rise: 0.4% until step 220, then up 5% a minute (2.2x by the deploy, 2.5x 3 min later). */
const rising = (i: number) => 0.004 * Math.exp((Math.max(0, i - 220) * STEP * Math.log(1.05)) / MINUTE);

describe('stepOverTrend: is the rate since the deploy above what the pre-deploy rise reaches?', () => {
  const from = 220 * STEP;

  it('lets a drift that keeps rising into the bake pass', () => {
    expect(stepOverTrend(expected(300, rising), from, DEPLOY)).toBeNull();
  });

  it('finds a 2.5x fault arriving with the deploy on top of the rise, and says so', () => {
    const data = expected(300, (i) => rising(i) * (i >= 360 ? 2.5 : 1), 3);
    const reason = stepOverTrend(data, from, DEPLOY);
    expect(reason).toMatch(
      /^but the rate since (the deploy|\d+ s after the deploy) \([\d.]+% of \d+\) is above what the rise before the deploy reaches by then \([\d.]+%; [\d.]+% of \d+ since 700 s before the deploy, rising 5% a minute\), p = [\d.e-]+ over 3 stretches: a step at the deploy on top of the trend$/,
    );
  });

  it("judges against the trend, not the rise's mean: a bake 1.4x that mean is the trend itself", () => {
    // The bake at the trend's value; its ratio to the rise's mean is well above 1.
    const data = expected(2000, rising, 24);
    const bake = data.slice(360);
    const rise = data.slice(220, 360);
    const ratio =
      bake.reduce((a, q) => a + q.events, 0) /
      bake.reduce((a, q) => a + q.trials, 0) /
      (rise.reduce((a, q) => a + q.events, 0) / rise.reduce((a, q) => a + q.trials, 0));
    expect(ratio).toBeGreaterThan(1.35);
    expect(stepOverTrend(data, from, DEPLOY)).toBeNull();
  });

  it('needs a rise and traffic after the deploy', () => {
    expect(stepOverTrend(expected(300, rising, 0), from, DEPLOY)).toBeNull();
    expect(stepOverTrend(expected(300, rising), DEPLOY - STEP, DEPLOY)).toBeNull();
    expect(stepOverTrend(expected(0, rising), from, DEPLOY)).toBeNull();
  });

  it('calls a persisting level or a continuing drift a step at most about its level (seeded)', () => {
    // 400 seeded rises at 2-400 requests a step: half flat at 1-10% (an incident that persists),
    // half rising 0-8% a minute into the bake (a drift); 1-24 steps after the deploy.
    const u = seededRandom(13);
    let stepped = 0;
    for (let k = 0; k < 400; k++) {
      const n = Math.round(2 + u() * 398);
      const p = 0.01 + u() * 0.09;
      const g = k % 2 === 0 ? 0 : (u() * Math.log(1.08)) / MINUTE;
      const after = 1 + Math.floor(u() * 24);
      const data = Array.from({ length: 120 + after }, (_, i) => {
        const t = (240 + i + 1) * STEP;
        const trials = poisson(u, n);
        return { t, trials, events: binomial(u, trials, Math.min(1, p * Math.exp(g * (t - DEPLOY)))) };
      });
      if (stepOverTrend(data, 240 * STEP, DEPLOY) !== null) stepped++;
    }
    // STEP_LEVEL 0.01 with the scan's Bonferroni: ~4 expected at most.
    expect(stepped).toBeLessThanOrEqual(8);
  });

  it('finds most 3x faults on a seeded drifting rise within the first minute', () => {
    const u = seededRandom(14);
    let found = 0;
    for (let k = 0; k < 100; k++) {
      const n = poisson(u, 200);
      const data = Array.from({ length: 372 }, (_, i) => {
        const trials = poisson(u, n);
        return { t: (i + 1) * STEP, trials, events: binomial(u, trials, rising(i) * (i >= 360 ? 3 : 1)) };
      });
      if (stepOverTrend(data, from, DEPLOY) !== null) found++;
    }
    expect(found).toBeGreaterThanOrEqual(90);
  });
});

describe('stepOverClimb: in a climbing window, a step must stand above the whole climb too (route14)', () => {
  // A climb of 4% a minute through the whole window that pauses on a plateau for its last 5
  // minutes (steps 300-359) and resumes into the bake: drift-trend-keep-dev-route14-39's shape,
  // where the change point's rise (the plateau) was fitted alone and the climb's continuation
  // read as a step at the deploy.
  const climb = (i: number) =>
    0.004 * Math.exp((Math.min(i, 300) + Math.max(0, i - 360)) * STEP * (Math.log(1.04) / MINUTE));
  const plateau = 300 * STEP;
  const windowFrom = 0;

  it('reads the climb resuming after a plateau as a step on the plateau alone', () => {
    expect(stepOverTrend(expected(1000, climb, 120), plateau, DEPLOY)).not.toBeNull();
  });

  it('lets it pass where the window climbs: the whole climb carried forward explains the bake', () => {
    expect(stepOverClimb(expected(1000, climb, 120), plateau, windowFrom, DEPLOY)).toBeNull();
  });

  it('is the step test on the rise alone where the window shows no drift', () => {
    const data = expected(1000, climb, 120);
    expect(stepOverClimb(data, plateau, null, DEPLOY)).toBe(stepOverTrend(data, plateau, DEPLOY));
  });

  it("still finds a 3x fault arriving with the deploy on top of the climb, with the rise's reason", () => {
    const data = expected(1000, (i) => climb(i) * (i >= 360 ? 3 : 1), 6);
    const reason = stepOverClimb(data, plateau, windowFrom, DEPLOY);
    expect(reason).not.toBeNull();
    expect(reason).toBe(stepOverTrend(data, plateau, DEPLOY));
  });
});

describe('ratioOfRise', () => {
  it('is the rate of the rise over the rate before it', () => {
    expect(
      ratioOfRise(
        expected(100, (i) => (i >= 300 ? 0.02 : 0.01)),
        300 * STEP,
        DEPLOY,
      ),
    ).toBeCloseTo(2, 12);
  });

  it('is infinite after nothing (a step from no events is no drift) or without a rest', () => {
    expect(
      ratioOfRise(
        expected(100, (i) => (i >= 300 ? 0.02 : 0)),
        300 * STEP,
        DEPLOY,
      ),
    ).toBe(Number.POSITIVE_INFINITY);
    expect(
      ratioOfRise(
        expected(100, () => 0.01),
        0,
        DEPLOY,
      ),
    ).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('the validation gate on a drifting rise', () => {
  /** 100 req/s, `rate(i)` of them failing (spread evenly, deterministic). */
  const at =
    (rate: (i: number) => number) =>
    (i: number): StepData => {
      const requests = 500;
      const cum = (k: number) =>
        Math.floor(Array.from({ length: k }, (_, j) => requests * rate(j)).reduce((a, b) => a + b, 0));
      return { ...healthy(i), requests, errors: cum(i + 1) - cum(i) };
    };
  const drift = (i: number) => 0.004 * Math.exp((Math.max(0, i - 200) * STEP * Math.log(1.04)) / MINUTE);

  it("rolls back a fault that arrives with the deploy on top of a drift's rise", async () => {
    const result = await world({
      before: at(drift),
      after: (i) => at((j) => drift(j) * (j >= BASELINE_STEPS ? 3 : 1))(BASELINE_STEPS + i),
    }).watch();
    const onset = AuditRecordSchema.parse(result.audit).breach?.onset;
    expect(result.outcome, result.reason).not.toBe('incident-routed');
    expect(onset?.preexisting).toBe(false);
    expect(onset?.reason).toMatch(/a step at the deploy on top of the trend$/);
  });

  it('still routes an incident (a 10x step 5 minutes before the deploy) that persists', async () => {
    const incident = (i: number) => (i >= 300 ? 0.05 : 0.005);
    const result = await world({
      before: at(incident),
      after: (i) => at(incident)(BASELINE_STEPS + i),
    }).watch();
    expect(result.outcome, result.reason).toBe('incident-routed');
  });
});
