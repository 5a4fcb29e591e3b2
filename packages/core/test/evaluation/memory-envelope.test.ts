import { describe, expect, it } from 'vitest';
import { defaultContract } from '../../src/contract/default-contract';
import { parseContract } from '../../src/contract/parse-contract';
import { takeBaseline } from '../../src/evaluation/baseline-snapshot';
import { createSignalReader } from '../../src/evaluation/signal-reader';
import { MemoryMetricSource } from '../../src/testing/memory-source';
import { SimulatedClock } from '../../src/testing/simulated-clock';
import { BASELINE_STEPS, healthyStep, START, STEP } from './run-watch';

/** The default contract's memory baseline at the deploy, from the healthy steps with `memory(i)` as memory. */
async function memoryBaseline(memory: (i: number) => number) {
  const contract = parseContract(defaultContract('checkout'));
  const deployAt = START + BASELINE_STEPS * STEP;
  const clock = new SimulatedClock(deployAt);
  const steps = Array.from({ length: BASELINE_STEPS + 10 }, (_, i) => ({
    ...healthyStep(i, 100),
    memory: memory(i),
  }));
  const source = new MemoryMetricSource({ clock, startMs: START, stepMs: STEP, steps });
  const ctx = { signal: new AbortController().signal, deadline: deployAt + 10_000 };
  const reader = createSignalReader({ default: source }, clock, {
    maxAttempts: 1,
    baseDelayMs: 0,
    maxDelayMs: 0,
  });
  const snapshot = await takeBaseline(contract, deployAt, reader, ctx, deployAt);
  return snapshot.signals.memory;
}

describe('the memory baseline envelope', () => {
  it('holds the largest fall between consecutive pre-deploy samples (a collection drop)', async () => {
    // A sawtooth climbing 1 MB a step over 12 steps, then dropping 11 MB at once.
    const memory = await memoryBaseline((i) => 300e6 + (i % 12) * 1e6);
    expect(memory?.status, memory?.reason).toBe('ok');
    expect(memory?.envelope).toEqual({ low: 300e6, high: 311e6, drop: 11e6 });
  });

  it('holds out a previous surge given back inside the window: in the envelope, its drop and the level, and says so', async () => {
    // The same sawtooth; a surge's memory (+300 MB) from step 240 to 300, given back with a 60 s
    // time constant until 5 min before the deploy, then settled.
    const memory = await memoryBaseline(
      (i) =>
        300e6 +
        (i % 12) * 1e6 +
        (i >= 240 && i < 300 ? 300e6 : i >= 300 ? Math.round(300e6 * Math.exp(-((i - 300) * 5) / 60)) : 0),
    );
    expect(memory?.status, memory?.reason).toBe('ok');
    // The steady oscillation (the sawtooth and the fall's last megabytes under the margin), not
    // the surge's 600 MB, nor its fall as a collection's drop.
    expect(memory?.envelope?.low).toBe(300e6);
    expect(memory?.envelope?.high).toBeLessThan(320e6);
    expect(memory?.envelope?.drop).toBeLessThan(12e6);
    // The level's 5 minutes hold the fall's tail: its median was ~330 MB with it.
    expect(memory?.value).toBeLessThan(320e6);
    expect(memory?.reason).toMatch(
      /\(\d+ above the steady oscillation held out: a one-off fall, up to 6\.\d+e\+8\)/,
    );
  });
});
