import { describe, expect, it } from 'vitest';
import type { StepData } from '../../src/testing/memory-source';
import { BASELINE_STEPS, healthyStep, runWatch } from './run-watch';

/**
 * 0.1 req/s (one request every other 5 s step) failing 1 in 45 before the deploy (4 of 180);
 * from `faultAt` steps after the deploy, every `every`-th request fails.
 */
function lowTraffic(faultAt: number, every: number): StepData[] {
  const steps: StepData[] = [];
  let requests = 0;
  for (let i = 0; i < BASELINE_STEPS + 200; i++) {
    const k = i - BASELINE_STEPS;
    if (i % 2 === 1) {
      steps.push(healthyStep(i, 0));
      continue;
    }
    requests++;
    const fails = k >= faultAt ? requests % every === 0 : requests % 45 === 0;
    steps.push({ ...healthyStep(i, 1), errors: fails ? 1 : 0 });
  }
  return steps;
}

describe('the look at the bake end, in a watch (issue 12, low traffic)', () => {
  it('rolls back at the bake end a mid-bake fault the e-process leaves undecided', async () => {
    const r = await runWatch(lowTraffic(50, 3));
    expect(r.decision.type, r.decision.reason).toBe('breach');
    expect(r.at).toBe(600);
    expect(r.decision.reason).toContain("one look at the bake's end");
    // Undecided until then.
    expect(r.timeline.filter((e) => e.type === 'breach')).toHaveLength(1);
  });

  it('keeps a healthy version at the same traffic (not enough traffic to pass: a human decides)', async () => {
    const r = await runWatch(lowTraffic(10_000, 45));
    expect(r.decision.type, r.decision.reason).not.toBe('breach');
  });

  it("below the request floor, rolls back against the window's own errors, an empty window too", async () => {
    // 0.05 req/s (a request every 4th step): 90 requests before the deploy, none failed; from 40
    // steps into the bake every third request fails (7 failed of 30 in the bake). With the
    // prior's 3 events the look's p is 0.0035, above its alpha 0.001; the window's own 0 gives
    // (30 / 120)^7, 6e-5 (docs/statistics.md, "The look below the request floor").
    const steps: StepData[] = [];
    let requests = 0;
    for (let i = 0; i < BASELINE_STEPS + 200; i++) {
      if (i % 4 !== 0) {
        steps.push(healthyStep(i, 0));
        continue;
      }
      requests++;
      const fails = i - BASELINE_STEPS >= 40 && requests % 3 === 0;
      steps.push({ ...healthyStep(i, 1), errors: fails ? 1 : 0 });
    }
    const r = await runWatch(steps);
    expect(r.decision.type, r.decision.reason).toBe('breach');
    expect(r.at).toBe(600);
    expect(r.decision.reason).toContain("below the request floor: against the window's own events, no prior");
  });
});
