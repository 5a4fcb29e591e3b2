import { describe, expect, it } from 'vitest';
import { AuditRecordSchema } from '../../src/audit/audit-record';
import { stepOverRamp } from '../../src/evaluation/onset';
import { binomial } from '../../src/testing/seeded-random';
import { BASELINE_STEPS, healthy, ramp, seededSteps, world } from '../machine/world';

const REQUESTS = 200;

/**
 * 200 requests a step; `over50(k)` of them slower than 50 ms (the window's p90 bucket: 30% when
 * healthy) and `over100(k)` slower than 100 ms (the p99 bucket the test counts: 0.5%), k counted
 * from the deploy (0: the last step before it, 1: the first after it). Seeded binomial counts.
 */
function latency(seed: number, over50: (k: number) => number, over100: (k: number) => number) {
  return seededSteps(seed, (u, i, k) => {
    const slow = binomial(u, REQUESTS, Math.min(1, over50(k)));
    const slower = Math.min(slow, binomial(u, REQUESTS, Math.min(1, over100(k))));
    return {
      ...healthy(i),
      requests: REQUESTS,
      errors: i % 2 === 0 ? 1 : 0,
      latencyHistogram: [0, 0, 0, REQUESTS - slow, slow - slower, slower, 0, 0, 0, 0, 0, 0],
    };
  });
}

/** The p99 bucket's share climbs from 0.5% to 12% over 40 steps from 60 s after the deploy. */
const tail = ramp(0.005, 0.12, 12, 40);

function worldOf(seed: number, over50: (k: number) => number) {
  const data = latency(seed, over50, tail);
  return world({
    before: data,
    after: (i) => data(BASELINE_STEPS + i),
    contract: { bakeSeconds: 600 },
  });
}

describe('the onset gate reads a latency breach again at the p90 bucket', () => {
  it('routes a latency climb under way at the deploy, which reaches the p99 bucket after it', async () => {
    // The share over 50 ms climbs from 30% from 40 s before the deploy to 90% over 5 minutes.
    const run = await worldOf(7, ramp(0.3, 0.9, -8, 60)).watch();
    const onset = AuditRecordSchema.parse(run.audit).breach?.onset;
    expect(run.outcome, run.reason).toBe('incident-routed');
    expect(onset).toMatchObject({ preexisting: true });
    expect(onset?.reason).toMatch(
      /; but slower than 50 ms \(the window's p90 bucket\) the rate .* with no step at the deploy: a latency climb under way at the deploy, which reaches the breach's threshold later$/,
    );
  });

  it('rolls back the same breach when the p90 bucket climbs only from the deploy', async () => {
    const run = await worldOf(7, ramp(0.3, 0.9, 0, 60)).watch();
    expect(run.outcome, run.reason).toBe('rolled-back');
    expect(AuditRecordSchema.parse(run.audit).breach?.onset?.preexisting).toBe(false);
  });

  it('rolls back a step at the deploy on top of a slow rise before it', async () => {
    // The share over 50 ms rises by a few points before the deploy, then jumps to 90% with it.
    const run = await worldOf(7, (k) => (k >= 1 ? 0.9 : ramp(0.3, 0.36, -20, 20)(k))).watch();
    expect(run.outcome, run.reason).toBe('rolled-back');
  });
});

describe('the look below the tail needs the steps around the deploy', () => {
  it('rolls back a fault at the deploy when a load surge across the deploy hid the p90 bucket there', async () => {
    // A healthy load surge (2.2x the requests, the share over 50 ms 30% -> 45%) from 190 s before
    // the deploy to 90 s after it, and a fault with the deploy (90% over 50 ms, 12% over 100 ms).
    // The surge's steps are held out, so at the p90 bucket the rise reads as a step placed before
    // the deploy with nothing judged since: no evidence that the rate "goes on along that rise".
    const surge = (k: number) => k >= -38 && k <= 18;
    const data = seededSteps(11, (u, i, k) => {
      const requests = surge(k) ? 440 : REQUESTS;
      const p50 = k >= 1 ? 0.9 : surge(k) ? 0.45 : 0.3;
      const p100 = k >= 1 ? 0.12 : 0.005;
      const slow = binomial(u, requests, p50);
      const slower = Math.min(slow, binomial(u, requests, p100));
      return {
        ...healthy(i),
        requests,
        errors: i % 2 === 0 ? 1 : 0,
        latencyHistogram: [0, 0, 0, requests - slow, slow - slower, slower, 0, 0, 0, 0, 0, 0],
      };
    });
    const run = await world({
      before: data,
      after: (i) => data(BASELINE_STEPS + i),
      contract: { bakeSeconds: 600 },
    }).watch();
    expect(run.outcome, run.reason).toBe('rolled-back');
    expect(run.reason).not.toMatch(/p90 bucket/);
  });
});

describe('stepOverRamp: a step in the bake over the fitted climb', () => {
  const STEP = 5_000;
  const DEPLOY = 360 * STEP;
  // A climb from 30% to 60% over 12 steps from 60 s before the deploy, then flat.
  const fit = { startT: DEPLOY - 12 * STEP, steps: 12, rateBefore: 0.3, rateAfter: 0.6, logLikelihood: 0 };
  const bake = (rate: (k: number) => number) =>
    Array.from({ length: 40 }, (_, i) => ({
      t: DEPLOY + (i + 1) * STEP,
      events: Math.round(200 * rate(i + 1)),
      trials: 200,
    }));

  it('finds a fault that arrives minutes into the bake on top of the plateau', () => {
    expect(
      stepOverRamp(
        bake((k) => (k > 24 ? 0.95 : 0.6)),
        fit,
        DEPLOY,
        STEP,
      ),
    ).toBe(true);
  });

  it('finds none where the bake goes on at the climb’s plateau, or below it', () => {
    expect(
      stepOverRamp(
        bake(() => 0.6),
        fit,
        DEPLOY,
        STEP,
      ),
    ).toBe(false);
    expect(
      stepOverRamp(
        bake(() => 0.4),
        fit,
        DEPLOY,
        STEP,
      ),
    ).toBe(false);
  });
});
