import { describe, expect, it } from 'vitest';
import type { StepData } from '../../src/testing/memory-source';
import { BASELINE_STEPS, healthyStep, runWatch } from './run-watch';

/**
 * A service whose requests exceed the 100 ms bucket 1 in 100 at rest: `requests` a step,
 * `slow` of them above 100 ms (the latency test's threshold, the bucket at or above the
 * baseline p99), spread evenly over the step's histogram.
 */
function step(i: number, requests: number, slowShare: number): StepData {
  const slow = Math.round(requests * slowShare);
  const mid = Math.round(requests * 0.04);
  return {
    ...healthyStep(i, requests),
    latencyHistogram: [0, 0, 0, requests - mid - slow, mid, slow, 0, 0, 0, 0, 0, 0],
  };
}

/**
 * 200 requests a step (40 req/s) before the deploy, 1% of them slow; from `surgeAt` steps after
 * the deploy, `surgeSteps` steps at `load` times the traffic and `surgeSlow` slow; then
 * `drainSteps` steps back at 200 requests whose slow share is `drainSlow` (the queue draining);
 * from the deploy on, `fault` times the slow share at rest.
 */
function service(o: {
  load: number;
  surgeSlow: number;
  drainSteps: number;
  drainSlow: number;
  fault?: number;
  surgeAt?: number;
  surgeSteps?: number;
}): StepData[] {
  const steps: StepData[] = [];
  const surgeAt = o.surgeAt ?? 6;
  const surgeSteps = o.surgeSteps ?? 36;
  for (let i = 0; i < BASELINE_STEPS + 400; i++) {
    const k = i - BASELINE_STEPS;
    const surging = k >= surgeAt && k < surgeAt + surgeSteps;
    const draining = k >= surgeAt + surgeSteps && k < surgeAt + surgeSteps + o.drainSteps;
    const rest = k >= 0 ? 0.01 * (o.fault ?? 1) : 0.01;
    if (surging) steps.push(step(i, Math.round(200 * o.load), Math.max(o.surgeSlow, rest)));
    else if (draining) steps.push(step(i, 200, Math.max(o.drainSlow, rest)));
    else steps.push(step(i, 200, rest));
  }
  return steps;
}

describe('latency after a load surge', () => {
  it('keeps a healthy version whose slow share lags the rate back by 60 s (the queue drains)', async () => {
    // Under a 3x surge 5% of requests exceed 100 ms; for 60 s after traffic is back in range
    // 6% do. Judged as in-range data, those 12 steps read 6x the baseline share.
    const r = await runWatch(service({ load: 3, surgeSlow: 0.05, drainSteps: 12, drainSlow: 0.06 }));
    expect(r.decision.type, r.decision.reason).toBe('promote');
  });

  it('still rolls back a 3x slow share that persists at normal load after the surge', async () => {
    const r = await runWatch(
      service({ load: 3, surgeSlow: 0.05, drainSteps: 10, drainSlow: 0.05, fault: 3 }),
    );
    expect(r.decision.type, r.decision.reason).toBe('breach');
    expect(r.decision.reason).toContain('latency-p99');
  });
});
