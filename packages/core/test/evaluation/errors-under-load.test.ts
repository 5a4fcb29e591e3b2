import { describe, expect, it } from 'vitest';
import type { StepData } from '../../src/testing/memory-source';
import { BASELINE_STEPS, healthyStep, runWatch } from './run-watch';

/**
 * 200 requests a step (40 req/s) failing 1 in 100 (2 a step) before the deploy. From `surgeAt`
 * steps after the deploy, for `surgeSteps` steps, traffic is `load` times higher and failures
 * `surgeErrors` times more frequent; from the deploy the version fails `fault` times as often.
 */
function service(o: {
  load: number;
  surgeErrors: number;
  fault: number;
  surgeAt?: number;
  surgeSteps?: number;
}) {
  const steps: StepData[] = [];
  const surgeAt = o.surgeAt ?? 6;
  const surgeSteps = o.surgeSteps ?? 48;
  for (let i = 0; i < BASELINE_STEPS + 400; i++) {
    const k = i - BASELINE_STEPS;
    const surging = k >= surgeAt && k < surgeAt + surgeSteps;
    const requests = surging ? Math.round(200 * o.load) : 200;
    const rate = 0.01 * (surging ? o.surgeErrors : 1) * (k >= 0 ? o.fault : 1);
    // Failures spread evenly: the expected count each step, the remainder carried.
    const expected = requests * rate;
    const errors = Math.floor(expected * (i + 1)) - Math.floor(expected * i);
    steps.push({ ...healthyStep(i, requests), errors });
  }
  return steps;
}

describe('errors under a load surge', () => {
  it('confirm a 2x error fault under a 2x surge that the fixed factor hid for the whole bake', async () => {
    // The surge runs the first 300 s of the 600 s bake. Halving every surge step's failures made
    // the fault read 1x for those 300 s: evidence against it, which the 300 s after the surge
    // did not outweigh (promoted at 600 s). At twice the load, 41% more failures are explained.
    const r = await runWatch(service({ load: 2, surgeErrors: 1, fault: 2, surgeAt: 0, surgeSteps: 60 }));
    expect(r.decision.type, r.decision.reason).toBe('breach');
    expect(r.decision.reason).toContain('error-rate');
  });

  it('keep a healthy version whose failures rise 1.3x under a 2x surge', async () => {
    const r = await runWatch(service({ load: 2, surgeErrors: 1.3, fault: 1, surgeAt: 0, surgeSteps: 60 }));
    expect(r.decision.type, r.decision.reason).toBe('promote');
  });

  it('keep a healthy version whose failures double under a 5x surge (the cap)', async () => {
    const r = await runWatch(service({ load: 5, surgeErrors: 1.9, fault: 1, surgeAt: 0, surgeSteps: 60 }));
    expect(r.decision.type, r.decision.reason).toBe('promote');
  });
});
