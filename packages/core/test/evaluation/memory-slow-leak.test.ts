import { describe, expect, it } from 'vitest';
import type { StepData } from '../../src/testing/memory-source';
import { BASELINE_STEPS, healthyStep, runWatch, STEP } from './run-watch';

/**
 * A garbage-collected heap: a sawtooth of `amplitude` bytes every `period` seconds on 300 MB,
 * plus `leak` bytes/s from the deploy on.
 */
function heap(o: { period: number; amplitude: number; leak: number }): StepData[] {
  const steps: StepData[] = [];
  for (let i = 0; i < BASELINE_STEPS + 400; i++) {
    const seconds = (i * STEP) / 1000;
    const phase = (seconds % o.period) / o.period;
    const k = i - BASELINE_STEPS;
    const leaked = k > 0 ? (o.leak * k * STEP) / 1000 : 0;
    steps.push({ ...healthyStep(i, 200), memory: 300e6 + o.amplitude * phase + leaked });
  }
  return steps;
}

describe('memory trend: a leak slower than the GC sawtooth per two minutes', () => {
  // 150 kB/s doubles 300 MB in about 33 minutes, but adds only 18 MB in 120 s: less than the
  // 30 MB the sawtooth swings, so a 120 s window never sees the rise leave the pre-deploy range.
  it('is confirmed within the bake with the default window', async () => {
    const r = await runWatch(heap({ period: 60, amplitude: 30e6, leak: 150e3 }));
    expect(r.decision.type, r.decision.reason).toBe('breach');
    expect(r.decision.reason).toContain('memory: growing');
    expect(r.at).toBeLessThanOrEqual(600);
  });

  it('and the same sawtooth without the leak is kept', async () => {
    const r = await runWatch(heap({ period: 60, amplitude: 30e6, leak: 0 }));
    expect(r.decision.type, r.decision.reason).toBe('promote');
  });
});
