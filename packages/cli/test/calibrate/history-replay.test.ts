import { defaultSignals, parseContract, RollgateError } from '@rollgate/core';
import { MemoryMetricSource, SimulatedClock, type StepData } from '@rollgate/core/testing';
import { describe, expect, it } from 'vitest';
import { cachingSource } from '../../src/calibrate/caching-source';
import { replayHistory } from '../../src/calibrate/history-replay';

const STEP = 5_000;
const START = Date.UTC(2026, 0, 1);

function history(steps: number, burstAt: number | null): StepData[] {
  return Array.from({ length: steps }, (_, i) => {
    const requests = 95 + ((i * 7) % 11);
    const burst = burstAt !== null && i >= burstAt && i < burstAt + 60;
    return {
      requests,
      errors: burst ? 12 : i % 2,
      latencyHistogram: [0, 0, 15, 50, requests - 65, 0, 0, 0, 0, 0, 0, 0],
      memory: 300e6 + ((i * 37) % 5) * 1e6,
      ready: 1,
      restarts: 0,
    };
  });
}

const contract = parseContract({
  service: 's',
  stepSeconds: 5,
  baselineSeconds: 600,
  bakeSeconds: 300,
  signals: defaultSignals(),
});

describe('replayHistory', () => {
  it('finds no rollback in healthy history, and the rollback a burst would have caused', async () => {
    const total = 2_000;
    const source = new MemoryMetricSource({
      clock: new SimulatedClock(START + total * STEP),
      startMs: START,
      stepMs: STEP,
      steps: history(total, 900),
    });
    const starts = [START + 200 * STEP, START + 880 * STEP, START + 1_500 * STEP];
    const windows = await replayHistory(contract, { default: source }, starts, () => {});
    expect(windows.map((w) => w.decision)).toEqual(['keep', 'rollback', 'keep']);
    expect(windows[1]?.signal).toBe('error-rate');
    expect(windows[1]?.decidedAt).toBeGreaterThan(START + 900 * STEP);
  });

  it('routes a burst that began before the pseudo-deploy as an incident', async () => {
    const total = 2_000;
    const source = new MemoryMetricSource({
      clock: new SimulatedClock(START + total * STEP),
      startMs: START,
      stepMs: STEP,
      steps: history(total, 900),
    });
    const [w] = await replayHistory(contract, { default: source }, [START + 930 * STEP], () => {});
    expect(w?.decision).toBe('incident');
  });
});

describe('cachingSource', () => {
  it('answers a repeated request from memory and does not cache errors', async () => {
    const clock = new SimulatedClock(START + 100 * STEP);
    const inner = new MemoryMetricSource({ clock, startMs: START, stepMs: STEP, steps: history(100, null) });
    const source = cachingSource(inner);
    const req = {
      query: { measure: 'requests' as const, selector: {} },
      start: START + STEP,
      end: START + 50 * STEP,
      stepMs: STEP,
    };
    const ctx = { signal: new AbortController().signal, deadline: Number.POSITIVE_INFINITY };
    const a = await source.read(req, ctx);
    const b = await source.read(req, ctx);
    expect(b).toEqual(a);
    expect([source.hits, source.misses]).toEqual([1, 1]);
    inner.failNext({
      status: 'error',
      error: new RollgateError('SOURCE_UNAVAILABLE', 'x', { retryable: true }),
    });
    const other = { ...req, end: START + 60 * STEP };
    expect((await source.read(other, ctx)).status).toBe('error');
    expect((await source.read(other, ctx)).status).toBe('ok');
    expect(inner.reads).toBe(3);
  });
});
