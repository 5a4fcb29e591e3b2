import { describe, expect, it } from 'vitest';
import { parseContract } from '../../src/contract/parse-contract';
import { chunkRange, createSignalReader, MAX_SAMPLES_PER_READ } from '../../src/evaluation/signal-reader';
import type { MetricRequest } from '../../src/ports/metric-source';
import { MemoryMetricSource } from '../../src/testing/memory-source';
import { SimulatedClock } from '../../src/testing/simulated-clock';

describe('signal reader', () => {
  it('splits long range reads into chunks of at most MAX_SAMPLES_PER_READ samples on the grid', () => {
    const chunks = chunkRange(0, 999 * 5000, 5000);
    expect(chunks.length).toBe(Math.ceil(1000 / MAX_SAMPLES_PER_READ));
    const covered = chunks.flatMap(([a, b]) =>
      Array.from({ length: (b - a) / 5000 + 1 }, (_, i) => a + i * 5000),
    );
    expect(covered).toEqual(Array.from({ length: 1000 }, (_, i) => i * 5000));
    expect(chunkRange(10, 10, 5000)).toEqual([[10, 10]]);
  });

  it('merges chunked reads into one series per segment, every sample once', async () => {
    const clock = new SimulatedClock(1_000 * 5000);
    const steps = Array.from({ length: 1000 }, (_, i) => ({ requests: i }));
    const source = new MemoryMetricSource({ clock, startMs: 0, stepMs: 5000, steps });
    const requests: MetricRequest[] = [];
    const read = source.read.bind(source);
    source.read = (r, c) => {
      requests.push(r);
      return read(r, c);
    };
    const reader = createSignalReader({ default: source }, clock, {
      maxAttempts: 1,
      baseDelayMs: 0,
      maxDelayMs: 0,
    });
    const signal = parseContract({
      service: 's',
      signals: [{ id: 'e', kind: 'error-rate', rules: [{ type: 'static', max: 1 }] }],
    }).signals[0];
    if (!signal) throw new Error('unreachable');
    const result = await reader(
      signal,
      { query: { measure: 'requests', selector: {} }, start: 5000, end: 1000 * 5000, stepMs: 5000 },
      { signal: new AbortController().signal, deadline: Number.POSITIVE_INFINITY },
    );
    expect(requests.length).toBe(4);
    expect(requests.every((r) => (r.end - r.start) / r.stepMs + 1 <= MAX_SAMPLES_PER_READ)).toBe(true);
    expect(result.status).toBe('ok');
    if (result.status === 'ok') {
      expect(result.series).toHaveLength(1);
      expect(result.series[0]?.samples.map((s) => s.v)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    }
  });
});
