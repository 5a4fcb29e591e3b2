import { describe, expect, it } from 'vitest';
import {
  addSurges,
  MIN_SURGE_SPAN_SECONDS,
  SURGE_SETTLE_SECONDS,
  underSurge,
} from '../../src/evaluation/load-surge';
import type { StepData } from '../../src/testing/memory-source';
import { BASELINE_STEPS, healthyStep, runWatch, STEP } from './run-watch';

/**
 * 200 requests a step (40 req/s). From `surgeAt` steps after the deploy, for `surgeSteps`
 * steps, traffic is 4x and a session store fills: memory grows 300 kB/s while the surge lasts,
 * then drains over 30 s. `leak` bytes/s add from `leakAt` steps after the deploy.
 */
function service(o: { surge: boolean; leak?: number; leakAt?: number }): StepData[] {
  const steps: StepData[] = [];
  const surgeAt = 6;
  const surgeSteps = 24;
  let sessions = 0;
  for (let i = 0; i < BASELINE_STEPS + 400; i++) {
    const k = i - BASELINE_STEPS;
    const surging = k >= surgeAt && k < surgeAt + surgeSteps;
    if (k >= surgeAt && k < surgeAt + surgeSteps) sessions += 300e3 * 5;
    else sessions = Math.max(0, sessions - 20e6 / 6);
    const requests = o.surge && surging ? 800 : 200;
    const step = healthyStep(i, requests);
    const leaked = o.leak && k >= (o.leakAt ?? 0) ? o.leak * (k - (o.leakAt ?? 0)) * 5 : 0;
    steps.push({ ...step, memory: (step.memory as number) + sessions + leaked });
  }
  return steps;
}

const memoryOf = (signals: readonly { signal: string; verdicts: readonly { reason: string }[] }[]) =>
  signals.find((s) => s.signal === 'memory')?.verdicts[0];

describe('memory trend under a load surge', () => {
  it('without the surge in the request counts, the same growth reads as a leak (control)', async () => {
    const r = await runWatch(service({ surge: false }));
    expect(r.decision.type, r.decision.reason).toBe('breach');
    expect(r.decision.reason).toContain('memory');
  });

  it('holds memory grown under a surge the request counts show, and says so', async () => {
    const r = await runWatch(service({ surge: true }));
    expect(r.decision.type, r.decision.reason).toBe('promote');
    const held = r.timeline.map((e) => memoryOf(e.signals)).find((v) => v?.reason.includes('load surge'));
    expect(held?.reason).toMatch(/under a load surge/);
    expect((held as { surgeHeldSteps?: number }).surgeHeldSteps).toBeGreaterThan(0);
  });

  it('still catches a leak that persists at normal load after the surge', async () => {
    const r = await runWatch(service({ surge: true, leak: 200e3, leakAt: 0 }));
    expect(r.decision.type, r.decision.reason).toBe('breach');
    expect(r.decision.reason).toContain('memory: growing');
    // Judged on samples after the surge and its settling time only.
    expect(r.at).toBeGreaterThan(((6 + 24) * STEP) / 1000 + SURGE_SETTLE_SECONDS);
  });
});

describe('surge spans shared by the signals of a watch', () => {
  it('merges adjacent surge steps, starts a new span after a gap, and forgets old spans', () => {
    const spans = addSurges([], [10_000, 15_000, 20_000, 60_000], 5_000, 60_000, 600_000);
    expect(spans).toEqual([
      { from: 10_000, to: 20_000 },
      { from: 60_000, to: 60_000 },
    ]);
    expect(addSurges(spans, [65_000], 5_000, 65_000, 600_000).at(-1)).toEqual({ from: 60_000, to: 65_000 });
    expect(addSurges(spans, [], 5_000, 10_000_000, 600_000)).toEqual([]);
  });

  it('ignores a blip: a span shorter than MIN_SURGE_SPAN_SECONDS holds nothing', () => {
    const blip = [{ from: 100_000, to: 100_000 + (MIN_SURGE_SPAN_SECONDS - 5) * 1000 }];
    expect(underSurge(blip, 110_000, 5_000)).toBe(false);
    const real = [{ from: 100_000, to: 100_000 + MIN_SURGE_SPAN_SECONDS * 1000 }];
    expect(underSurge(real, 110_000, 5_000)).toBe(true);
  });

  it('marks samples from a step before a span to the settling time after it', () => {
    const spans = [{ from: 100_000, to: 200_000 }];
    expect(underSurge(spans, 90_000, 5_000)).toBe(false);
    expect(underSurge(spans, 100_000, 5_000)).toBe(true);
    expect(underSurge(spans, 200_000 + SURGE_SETTLE_SECONDS * 1000, 5_000)).toBe(true);
    expect(underSurge(spans, 200_001 + SURGE_SETTLE_SECONDS * 1000, 5_000)).toBe(false);
    expect(underSurge(undefined, 150_000, 5_000)).toBe(false);
  });
});
