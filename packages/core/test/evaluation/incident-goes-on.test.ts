import { describe, expect, it } from 'vitest';
import { checkBaselineHealth } from '../../src/evaluation/baseline-snapshot';
import type { StepData } from '../../src/testing/memory-source';
import { binomial, seededRandom } from '../../src/testing/seeded-random';
import { BASELINE_STEPS, healthyStep, runWatch, STEP } from './run-watch';

/**
 * An incident under way at the deploy that goes on after it (signal-evaluation.ts
 * `incidentGoesOn`): the baseline health check saw it still elevated at the deploy; its own
 * rate is the alternative the bake's counts are weighed at.
 */

/**
 * 30 min of baseline at `requests` a step failing 0.3%, the last `incidentSteps` failing
 * `incidentRate`; after the deploy the incident goes on for `goesOn` steps, then 0.3% again.
 */
function incident(
  seed: number,
  o: { requests: number; incidentRate: number; incidentSteps: number; goesOn: number },
) {
  const random = seededRandom(seed);
  const steps: StepData[] = [];
  for (let i = 0; i < BASELINE_STEPS + 200; i++) {
    const k = i - BASELINE_STEPS;
    const inIncident = i >= BASELINE_STEPS - o.incidentSteps && k < o.goesOn;
    const p = inIncident ? o.incidentRate : 0.003;
    steps.push({ ...healthyStep(i, o.requests), errors: binomial(random, o.requests, p) });
  }
  return steps;
}

describe('an incident under way at the deploy that goes on after it', () => {
  it('is a breach at the incident rate, so the onset gate can route it, though it recovers in the bake', async () => {
    // 2 requests a second, 4% failing for 5 minutes before the deploy and 50 s after it, then
    // back to 0.3%: at 100 requests the e-value is 42.6, below 1/alpha; its 5 failures are
    // e^6 times likelier at the incident's rate.
    const steps = incident(2, { requests: 10, incidentRate: 0.04, incidentSteps: 60, goesOn: 10 });
    const r = await runWatch(steps, { bakeSeconds: 600 });
    expect(r.decision.type).toBe('breach');
    expect(r.decision.reason).toMatch(
      /but the incident under way since 5 min before the deploy \(\d+(\.\d+)?%\) goes on after it: .* times likelier at its rate than at .*, >= 1\/alpha/,
    );
    // Decided while the incident still went on.
    expect(r.decision.reason).toMatch(/e-value \d+(\.\d+)? < 1\/alpha/);
    expect(r.at).toBeLessThanOrEqual(50);
  });

  it('is no breach when the rate falls back at the deploy', async () => {
    // The same incident ends at the deploy: the bake at 0.3% weighs against the incident's rate.
    const steps = incident(2, { requests: 10, incidentRate: 0.04, incidentSteps: 60, goesOn: 0 });
    const r = await runWatch(steps, { bakeSeconds: 600 });
    expect(r.decision.type).toBe('promote');
    for (const e of r.timeline) expect(e.reason).not.toMatch(/goes on after it/);
  });

  it('never breaches a clean bake after an incident that ended at the deploy (seeded, 40 windows)', async () => {
    // The likelihood ratio at the episode's rate against the null is a test martingale under
    // the null: a bake at the baseline rate crosses 1/alpha at most alpha of the time.
    let breaches = 0;
    let seen = 0;
    for (let s = 0; s < 40; s++) {
      const steps = incident(100 + s, {
        requests: 8 + (s % 5),
        incidentRate: 0.04 + 0.01 * (s % 3),
        incidentSteps: 48 + 6 * (s % 4),
        goesOn: 0,
      });
      // The baseline health check sees the incident still at the deploy (else nothing is tested).
      const window = steps
        .slice(0, BASELINE_STEPS)
        .map((d, i) => ({ t: (i + 1) * STEP, trials: d.requests ?? 0, events: d.errors ?? 0 }));
      if (checkBaselineHealth(window, STEP, 'failed').health.episode?.ongoing) seen++;
      const r = await runWatch(steps, { bakeSeconds: 300 });
      if (r.timeline.some((e) => /goes on after it/.test(e.reason))) breaches++;
    }
    expect(seen).toBeGreaterThanOrEqual(30);
    expect(breaches).toBe(0);
  });
});
