import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { StepData } from '../../src/testing/memory-source';
import { BASELINE_STEPS, runWatch, slowStep } from './run-watch';

/**
 * Quiet cold starts (docs/statistics.md, "Cold starts the latency does not show"): a release
 * whose first seconds fail a few percent of requests while its latency barely moves. The
 * recognition cannot see it, so where the contract asks for it (`holdQuietColdStartErrors`), an
 * error breach before the contract's cold-start bound (`coldStartSeconds`, 60 s by default) is
 * held, and the error tests start again on the data after the bound: errors that end by then are
 * not rolled back, errors that last are, after it. Off by default: errors from the first request
 * are then judged from the deploy.
 */

/** `requests` a step, `errors` failing, `slow` of them above 50 ms (0.5% unless given). */
function step(i: number, requests: number, errors: number, slow = Math.round(requests * 0.005)): StepData {
  return slowStep(i, requests, slow, errors);
}

/** Baseline errors: 0.5% of `requests`, spread evenly over the steps. */
function baselineErrors(i: number, requests: number): number {
  return Math.floor(((i + 1) * requests) / 200) - Math.floor((i * requests) / 200);
}

/**
 * A bake of 180 s (the default 60 s cold-start bound) over the baseline, then `after(k)`, with
 * the quiet cold-start hold on unless `hold` is false (the default contract's setting).
 */
async function bake(requests: number, after: (k: number) => StepData, hold = true) {
  const steps: StepData[] = [];
  for (let i = 0; i < BASELINE_STEPS; i++) steps.push(step(i, requests, baselineErrors(i, requests)));
  for (let k = 0; k < 60; k++) steps.push(after(k));
  return runWatch(steps, { bakeSeconds: 180, holdQuietColdStartErrors: hold });
}

/** The error signal's aggregate verdict reasons, one per evaluation. */
function errorReasons(timeline: Awaited<ReturnType<typeof bake>>['timeline']): string[] {
  return timeline.map((e) => e.signals.find((s) => s.signal === 'error-rate')?.verdicts[0]?.reason ?? '');
}

describe('a quiet cold start: errors with latency that barely moves', () => {
  it('holds the breach of errors that end within the bound, and keeps the release', async () => {
    // 200 requests a step (40 req/s), 4% errors for the first 30 s, latency unchanged.
    const run = await bake(200, (k) =>
      step(BASELINE_STEPS + k, 200, k < 6 ? 8 : baselineErrors(BASELINE_STEPS + k, 200)),
    );
    expect(run.decision.type).toBe('promote');
    // The errors breached the test before the bound: the breach was held, not confirmed.
    const held = errorReasons(run.timeline).filter((r) => r.startsWith('held to the cold-start bound'));
    expect(held.length).toBeGreaterThan(0);
    expect(held[0]).toMatch(/within 60 s of the deploy .*\(error rate [\d.]+% of \d+ vs baseline/);
    // After the bound the test judges only the data after it: a pass on those requests.
    const last = run.timeline.at(-1)?.signals.find((s) => s.signal === 'error-rate');
    expect(last?.status).toBe('pass');
  });

  it('rolls back the same errors when they last, on the data after the bound', async () => {
    const run = await bake(200, (k) => step(BASELINE_STEPS + k, 200, 8));
    expect(run.decision.type).toBe('breach');
    if (run.decision.type !== 'breach') throw new Error('unreachable');
    expect(run.decision.signals).toEqual(['error-rate']);
    // Held to the bound (60 s), then confirmed within three steps on the data after it.
    expect(run.at).toBeGreaterThan(60);
    expect(run.at).toBeLessThanOrEqual(75);
    expect(run.decision.reason).toMatch(/error rate 4% of \d+ vs baseline/);
  });

  it('holds nothing by default: lasting errors from the first request are confirmed before the bound', async () => {
    const run = await bake(200, (k) => step(BASELINE_STEPS + k, 200, 8), false);
    expect(run.decision.type).toBe('breach');
    expect(run.at).toBeLessThan(60);
    expect(errorReasons(run.timeline).some((r) => r.startsWith('held to the cold-start bound'))).toBe(false);
  });

  it('does not hold errors that a clean warm-up shows began later', async () => {
    // 1,000 requests a step: 15 s at the baseline's 0.5% rule a cold start's errors out; the
    // fault begins 40 s after the deploy and is confirmed within two steps of it, before the bound.
    const run = await bake(1000, (k) =>
      step(BASELINE_STEPS + k, 1000, k >= 8 ? 50 : baselineErrors(BASELINE_STEPS + k, 1000)),
    );
    expect(run.decision.type).toBe('breach');
    expect(run.at).toBeGreaterThan(40);
    expect(run.at).toBeLessThanOrEqual(50);
    expect(errorReasons(run.timeline).some((r) => r.startsWith('held to the cold-start bound'))).toBe(false);
  });

  it('property: errors of 1-10% ending within the bound are never rolled back; lasting ones always are', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 10, max: 800 }),
        fc.integer({ min: 1, max: 10 }),
        fc.integer({ min: 1, max: 12 }),
        fc.boolean(),
        async (requests, percent, coldSteps, lasts) => {
          const errors = Math.max(1, Math.round((requests * percent) / 100));
          const run = await bake(requests, (k) =>
            step(
              BASELINE_STEPS + k,
              requests,
              lasts || k < coldSteps ? errors : baselineErrors(BASELINE_STEPS + k, requests),
            ),
          );
          if (!lasts) {
            expect(run.decision.type).not.toBe('breach');
          } else if (requests * percent >= 400) {
            // At least 4 errors a step: the test confirms them within the 180 s bake, and from 3%
            // on (six times the baseline) the warm-up cannot rule a cold start out: after the bound.
            expect(run.decision.type).toBe('breach');
            if (percent >= 3) expect(run.at).toBeGreaterThan(60);
          }
        },
      ),
      { numRuns: 16, seed: 14 },
    );
  }, 120_000);
});
