import { describe, expect, it } from 'vitest';
import {
  describeDriftStep,
  driftStepLookDue,
  driftStepOf,
  takeDriftStepLook,
  windowEnd,
} from '../../src/evaluation/baseline-drift';
import type { SignalBaseline } from '../../src/evaluation/watch-state';
import { startSequential, stepSequential } from '../../src/rules/sequential-count';
import {
  DRIFT_STEP_ALPHA,
  DRIFT_STEP_LOOKS_MS,
  DRIFT_STEP_RATIO,
  stepAtDeployP,
} from '../../src/stats/drift';
import { binomialUpperTail } from '../../src/stats/special-functions';
import { poisson, seededRandom } from '../../src/testing/seeded-random';

const drift = (end: { events: number; trials: number } | undefined): SignalBaseline['drift'] => ({
  spread: 0.25,
  blocks: 6,
  lowRate: 0.004,
  highRate: 0.008,
  pValue: 1e-6,
  ...(end ? { end } : {}),
});

/**
 * A baseline test on 25 of 5,000 events (0.5%: a drifting window weighed as few requests, as
 * `driftShare` leaves it) fed `steps` steps of 1,000 requests at `rate`; not rejected by itself.
 */
function fed(rate: number, steps: number, dispersion = 1) {
  const rule = { type: 'sequential', test: 'baseline' } as Parameters<typeof startSequential>[0];
  let state = startSequential(rule, { status: 'ok', events: 25, trials: 5000, dispersion }, 0.005);
  if (state === null) throw new Error('no test');
  for (let k = 0; k < steps; k++) {
    state = stepSequential(state, { events: Math.round(1000 * rate), trials: 1000 }, null);
  }
  if (state.kind !== 'baseline' || state.rejected) throw new Error('the test rejected by itself');
  return state;
}

describe('stepAtDeployP (stats/drift.ts)', () => {
  it('is the exact conditional tail at the allowed ratio', () => {
    const p = stepAtDeployP(60, 10_000, 100, 30_000, 1.5);
    expect(p).toBeCloseTo(binomialUpperTail(60, 160, 15_000 / 45_000), 12);
  });

  it('is null without a bake event or requests', () => {
    expect(stepAtDeployP(0, 10_000, 100, 30_000)).toBeNull();
    expect(stepAtDeployP(5, 0, 100, 30_000)).toBeNull();
    expect(stepAtDeployP(5, 100, 0, 0)).toBeNull();
  });

  it('rejects at most its level when the bake runs at the allowed ratio (seeded, Poisson counts)', () => {
    const random = seededRandom(19);
    let rejected = 0;
    const draws = 2000;
    for (let i = 0; i < draws; i++) {
      const end = poisson(random, 150);
      const bake = poisson(random, 150 * DRIFT_STEP_RATIO * (12_000 / 30_000));
      const p = stepAtDeployP(bake, 12_000, end, 30_000);
      if (p !== null && p <= 0.05) rejected++;
    }
    expect(rejected / draws).toBeLessThanOrEqual(0.05);
  });
});

describe('the step look of a drifting baseline test (evaluation/baseline-drift.ts)', () => {
  it('is due at the first evaluation at or after each look time, once', () => {
    const deployAt = 1_000_000;
    const first = DRIFT_STEP_LOOKS_MS[0] as number;
    expect(driftStepLookDue(deployAt, deployAt + first - 5000, deployAt + first)).toBe(first);
    expect(driftStepLookDue(deployAt, deployAt + first, deployAt + first + 5000)).toBeNull();
    expect(driftStepLookDue(deployAt, null, deployAt + 5000)).toBeNull();
  });

  it('takes the window end as its last 5 minutes', () => {
    const intervals = Array.from({ length: 360 }, (_, i) => ({
      t: i * 5000,
      events: i >= 300 ? 3 : 1,
      trials: 100,
    }));
    expect(windowEnd(intervals)).toEqual({ events: 180, trials: 6000 });
    expect(windowEnd([])).toBeNull();
  });

  it('rejects a step of 3x the window end, sticky, with its finding said', () => {
    const state = fed(0.009, 12);
    const looked = takeDriftStepLook(state, drift({ events: 180, trials: 60_000 }), 60_000);
    expect(looked).not.toBe(state);
    expect(looked.kind === 'baseline' && looked.rejected).toBe(true);
    const step = driftStepOf(looked);
    expect(step?.p).toBeLessThanOrEqual(DRIFT_STEP_ALPHA / DRIFT_STEP_LOOKS_MS.length);
    expect(step?.ratio).toBe(DRIFT_STEP_RATIO);
    expect(describeDriftStep(step as NonNullable<typeof step>)).toContain('a step at the deploy');
  });

  it('leaves a bake within 1.5x of the window end, a test without a drift end, and a rejected test', () => {
    const state = fed(0.0042, 12);
    expect(takeDriftStepLook(state, drift({ events: 180, trials: 60_000 }), 60_000)).toBe(state);
    const high = fed(0.009, 12);
    expect(takeDriftStepLook(high, drift(undefined), 60_000)).toBe(high);
    expect(takeDriftStepLook(high, undefined, 60_000)).toBe(high);
    const rejected = takeDriftStepLook(high, drift({ events: 180, trials: 60_000 }), 60_000);
    expect(takeDriftStepLook(rejected, drift({ events: 10, trials: 60_000 }), 120_000)).toBe(rejected);
  });

  it("divides the window end by the test's dispersion, as the test divides the bake", () => {
    // 2.2x the end: a step at dispersion 1, within the noise of a bursty service at 6.
    const calm = fed(0.0066, 24);
    const bursty = fed(0.0066, 24, 6);
    const end = drift({ events: 180, trials: 60_000 });
    expect(driftStepOf(takeDriftStepLook(calm, end, 60_000))).not.toBeNull();
    expect(driftStepOf(takeDriftStepLook(bursty, end, 60_000))).toBeNull();
  });
});
