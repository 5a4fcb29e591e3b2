import type { MetricRequest } from '@rollgate/core';
import { Agent } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { checkout, ctx, MINUTE, sourceFor, startDouble, T_END } from '../support/fixtures';
import type { NerdGraphDouble } from '../support/nerdgraph-double';

const request: MetricRequest = {
  query: { measure: 'requests', selector: checkout },
  start: T_END,
  end: T_END,
  stepMs: MINUTE,
};

describe('at most 25 requests in flight per source', () => {
  let double: NerdGraphDouble | undefined;
  afterEach(async () => {
    await double?.close();
    double = undefined;
  });

  it('100 reads at once never exceed 25 in flight at the double, and all succeed', async () => {
    // Each answer takes 400 ms, so the reads pile up at the double even when a loaded machine
    // dispatches them slowly (at 40 ms, 9 were in flight at most on a CI run at load 30).
    double = await startDouble({ latencyMs: 400 });
    const source = sourceFor(double);
    const results = await Promise.all(Array.from({ length: 100 }, () => source.read(request, ctx(20_000))));
    await source.dispose();
    expect(results.every((r) => r.status === 'ok')).toBe(true);
    expect(double.requests).toHaveLength(100);
    expect(double.maxInFlight).toBeLessThanOrEqual(25);
    expect(double.maxInFlight).toBeGreaterThanOrEqual(10);
  });

  it('holds the limit itself, even through an injected dispatcher with many more connections', async () => {
    double = await startDouble({ latencyMs: 40 });
    const agent = new Agent({ connections: 500 });
    const source = sourceFor(double, { dispatcher: agent });
    const results = await Promise.all(Array.from({ length: 100 }, () => source.read(request, ctx(20_000))));
    await source.dispose();
    await agent.close();
    expect(results.every((r) => r.status === 'ok')).toBe(true);
    expect(double.maxInFlight).toBeLessThanOrEqual(25);
  });

  it('honours a lower maxConcurrent', async () => {
    double = await startDouble({ latencyMs: 20 });
    const source = sourceFor(double, { maxConcurrent: 3 });
    await Promise.all(Array.from({ length: 12 }, () => source.read(request, ctx(20_000))));
    await source.dispose();
    expect(double.maxInFlight).toBeLessThanOrEqual(3);
  });

  it('a queued read still honours its deadline (TIMEOUT) and its abort signal (ABORTED), and is never sent', async () => {
    double = await startDouble();
    double.serve({ kind: 'hang' });
    const source = sourceFor(double, { maxConcurrent: 2 });
    const blockers = [0, 1].map(() => {
      const c = new AbortController();
      return { c, pending: source.read(request, { signal: c.signal, deadline: Date.now() + 30_000 }) };
    });
    await new Promise((r) => setTimeout(r, 50));
    expect(double.requests).toHaveLength(2);

    const started = Date.now();
    const timedOut = await source.read(request, ctx(150));
    expect(timedOut.status === 'error' && timedOut.error.code).toBe('TIMEOUT');
    expect(Date.now() - started).toBeLessThan(1000);

    const c = new AbortController();
    const aborted = source.read(request, { signal: c.signal, deadline: Date.now() + 30_000 });
    setTimeout(() => c.abort(new Error('operator cancelled')), 30);
    const abortedResult = await aborted;
    expect(abortedResult.status === 'error' && abortedResult.error.code).toBe('ABORTED');
    expect(double.requests).toHaveLength(2);

    for (const b of blockers) b.c.abort();
    const settled = await Promise.all(blockers.map((b) => b.pending));
    expect(settled.map((r) => r.status === 'error' && r.error.code)).toEqual(['ABORTED', 'ABORTED']);

    // The slots came back: the next read is sent and answered.
    double.serve({ kind: 'evaluate' });
    expect((await source.read(request, ctx())).status).toBe('ok');
    await source.dispose();
  });
});
