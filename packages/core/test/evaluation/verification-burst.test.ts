import { describe, expect, it } from 'vitest';
import type { StepData } from '../../src/testing/memory-source';
import { BASELINE_STEPS, healthyStep, runWatch } from './run-watch';

/**
 * 40 req/s; every step has one request in 100-250 ms and one in 250-500 ms (the threshold is
 * 250 ms, exceeded by 0.5%: a burst cap of 12 a step); `slow(k)` requests of the k-th step
 * after the cutover land in the 500-1000 ms bucket.
 */
function restored(slow: (k: number) => number): StepData[] {
  const steps: StepData[] = [];
  for (let i = 0; i < BASELINE_STEPS + 400; i++) {
    const step = healthyStep(i, 200);
    const k = i - BASELINE_STEPS;
    const n = k >= 0 ? Math.min(198, slow(k)) : 0;
    steps.push({ ...step, latencyHistogram: [0, 0, 0, 198 - n, 0, 1, 1, n, 0, 0, 0, 0] });
  }
  return steps;
}

describe('verification: one burst is not a failed recovery', () => {
  it('verifies a restored version hit by one host-load burst after its warm-up, and says so', async () => {
    // 30 slow requests in two steps (one busy moment): 24 count as evidence, 2 expected.
    const r = await runWatch(
      restored((k) => (k === 4 || k === 5 ? 15 : 0)),
      { purpose: 'verify' },
    );
    expect(r.decision.type, r.decision.reason).toBe('promote');
    const latency = r.timeline
      .flatMap((e) => e.signals)
      .flatMap((s) => s.verdicts)
      .find((v) => v.burstHeld);
    expect(latency?.reason).toMatch(/one burst/);
  });

  it('the same burst in a bake is a breach: a bake keeps the first crossing', async () => {
    const r = await runWatch(
      restored((k) => (k === 4 || k === 5 ? 15 : 0)),
      { purpose: 'bake', bakeSeconds: 120 },
    );
    expect(r.decision.type, r.decision.reason).toBe('breach');
  });

  it('still finds a fault that persists on the restored version', async () => {
    const r = await runWatch(
      restored(() => 6),
      { purpose: 'verify' },
    );
    expect(r.decision.type, r.decision.reason).toBe('breach');
    expect(r.decision.reason).toContain('latency-p99');
  });
});
