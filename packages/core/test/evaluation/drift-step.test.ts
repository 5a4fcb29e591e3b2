import { describe, expect, it } from 'vitest';
import {
  describeDriftStep,
  driftInBakeDue,
  driftMarksOf,
  driftStepLookDue,
  driftStepOf,
  takeDriftInBakeLook,
  takeDriftStepLook,
  windowEnd,
} from '../../src/evaluation/baseline-drift';
import type { SignalBaseline } from '../../src/evaluation/watch-state';
import { startSequential, stepSequential } from '../../src/rules/sequential-count';
import {
  DRIFT_INBAKE_ALPHA,
  DRIFT_INBAKE_LOOKS_MS,
  DRIFT_INBAKE_MIN_LATER_MS,
  DRIFT_INBAKE_RATIO,
  DRIFT_INBAKE_SPLITS_MS,
  DRIFT_STEP_ALPHA,
  DRIFT_STEP_LOOKS_MS,
  DRIFT_STEP_RATIO,
  driftInBakePairs,
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

describe('the in-bake step look of a drifting baseline test (evaluation/baseline-drift.ts)', () => {
  const deployAt = 1_000_000;
  const everything = { splits: DRIFT_INBAKE_SPLITS_MS, looks: [] as number[] };

  /** A test fed `before` steps at `low`, marked at every split, then `after` steps at `high`. */
  function split(low: number, high: number, before: number, after: number, lookMs: number) {
    let state = takeDriftInBakeLook(fed(low, before), drift(undefined), { splits: [60_000], looks: [] });
    for (let k = 0; k < after; k++) {
      state = stepSequential(state, { events: Math.round(1000 * high), trials: 1000 }, null);
    }
    return takeDriftInBakeLook(state, drift(undefined), { splits: [], looks: [lookMs] });
  }

  it('is due at the splits and looks an evaluation crosses, each once', () => {
    expect(driftInBakeDue(deployAt, deployAt + 55_000, deployAt + 60_000)).toEqual({
      splits: [60_000],
      looks: [],
    });
    expect(driftInBakeDue(deployAt, deployAt + 60_000, deployAt + 65_000)).toEqual({ splits: [], looks: [] });
    expect(driftInBakeDue(deployAt, deployAt + 175_000, deployAt + 185_000)).toEqual({
      splits: [180_000],
      looks: [180_000],
    });
    // An evaluation that crosses several (a gap) crosses them all.
    expect(driftInBakeDue(deployAt, deployAt + 50_000, deployAt + 130_000).splits).toEqual([60_000, 120_000]);
  });

  it('spends its level over every split and look pair at least the minimum apart', () => {
    let pairs = 0;
    for (const look of DRIFT_INBAKE_LOOKS_MS)
      for (const s of DRIFT_INBAKE_SPLITS_MS) if (look - s >= DRIFT_INBAKE_MIN_LATER_MS) pairs++;
    expect(driftInBakePairs()).toBe(pairs);
    expect(pairs).toBeGreaterThan(DRIFT_INBAKE_SPLITS_MS.length);
  });

  it('marks the counts at a split without a drift-free change, and only on a drifting baseline', () => {
    const state = fed(0.004, 12);
    const marked = takeDriftInBakeLook(state, drift(undefined), { splits: [60_000], looks: [] });
    expect(marked).not.toBe(state);
    expect(driftMarksOf(marked)).toEqual([{ atMs: 60_000, events: state.events, trials: state.trials }]);
    expect(marked.rejected).toBe(false);
    expect(takeDriftInBakeLook(state, undefined, everything)).toBe(state);
    expect(takeDriftInBakeLook(state, drift(undefined), { splits: [], looks: [] })).toBe(state);
    // A split already marked is not marked again.
    expect(takeDriftInBakeLook(marked, drift(undefined), { splits: [60_000], looks: [] })).toBe(marked);
  });

  it('rejects a step inside the bake of 6x its own earlier rate, sticky, with its finding said', () => {
    // The bake's cumulative rate (0.43%) stays under the baseline's 0.5%: the test alone keeps it.
    const looked = split(0.001, 0.006, 36, 72, 180_000);
    expect(looked.rejected).toBe(true);
    const step = driftStepOf(looked);
    expect(step?.fromSeconds).toBe(60);
    expect(step?.atSeconds).toBe(180);
    expect(step?.ratio).toBe(DRIFT_INBAKE_RATIO);
    expect(step?.p).toBeLessThanOrEqual(DRIFT_INBAKE_ALPHA / driftInBakePairs());
    expect(step?.rate).toBeCloseTo(0.006, 6);
    expect(step?.endRate).toBeCloseTo(0.001, 6);
    expect(describeDriftStep(step as NonNullable<typeof step>)).toContain('a step inside the bake');
    expect(takeDriftInBakeLook(looked, drift(undefined), { splits: [], looks: [240_000] })).toBe(looked);
  });

  it('leaves a bake that rises within the ratio a drift is allowed, and a look too soon after the split', () => {
    expect(split(0.002, 0.0035, 36, 72, 180_000).rejected).toBe(false);
    // 100 s after the split: under the minimum the later stretch needs.
    expect(driftStepOf(split(0.001, 0.006, 36, 72, 160_000))).toBeNull();
  });

  it('rejects at most its level over a bake that rises exactly at the allowed ratio (seeded, Poisson counts)', () => {
    const random = seededRandom(20);
    let rejected = 0;
    const draws = 2000;
    for (let i = 0; i < draws; i++) {
      const before = poisson(random, 60);
      const after = poisson(random, 60 * DRIFT_INBAKE_RATIO * 2);
      const p = stepAtDeployP(after, 24_000, before, 12_000, DRIFT_INBAKE_RATIO);
      if (p !== null && p <= 0.05) rejected++;
    }
    expect(rejected / draws).toBeLessThanOrEqual(0.05);
  });
});
