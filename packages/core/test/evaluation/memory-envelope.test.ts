import { describe, expect, it } from 'vitest';
import { defaultContract } from '../../src/contract/default-contract';
import { parseContract } from '../../src/contract/parse-contract';
import { takeBaseline } from '../../src/evaluation/baseline-snapshot';
import { createSignalReader } from '../../src/evaluation/signal-reader';
import { MemoryMetricSource } from '../../src/testing/memory-source';
import { SimulatedClock } from '../../src/testing/simulated-clock';
import { BASELINE_STEPS, healthyStep, START, STEP } from './run-watch';

describe('the memory baseline envelope', () => {
  it('holds the largest fall between consecutive pre-deploy samples (a collection drop)', async () => {
    const contract = parseContract(defaultContract('checkout'));
    const deployAt = START + BASELINE_STEPS * STEP;
    const clock = new SimulatedClock(deployAt);
    // A sawtooth climbing 1 MB a step over 12 steps, then dropping 11 MB at once.
    const steps = Array.from({ length: BASELINE_STEPS + 10 }, (_, i) => ({
      ...healthyStep(i, 100),
      memory: 300e6 + (i % 12) * 1e6,
    }));
    const source = new MemoryMetricSource({ clock, startMs: START, stepMs: STEP, steps });
    const ctx = { signal: new AbortController().signal, deadline: deployAt + 10_000 };
    const reader = createSignalReader({ default: source }, clock, {
      maxAttempts: 1,
      baseDelayMs: 0,
      maxDelayMs: 0,
    });
    const snapshot = await takeBaseline(contract, deployAt, reader, ctx, deployAt);
    const memory = snapshot.signals.memory;
    expect(memory?.status, memory?.reason).toBe('ok');
    expect(memory?.envelope).toEqual({ low: 300e6, high: 311e6, drop: 11e6 });
  });
});
