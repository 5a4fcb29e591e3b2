import { describe, expect, it, vi } from 'vitest';
import { RollgateError } from '../../src/errors/rollgate-error';
import { readWithRetry } from '../../src/evaluation/read-with-retry';
import type { MetricRequest, MetricSource } from '../../src/ports/metric-source';
import { SimulatedClock } from '../../src/testing/simulated-clock';

// Counts every RollgateError built, to prove the tick path builds none on a successful read.
const built = vi.hoisted(() => ({ count: 0 }));
vi.mock('../../src/errors/rollgate-error', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/errors/rollgate-error')>();
  class CountingRollgateError extends original.RollgateError {
    constructor(...args: ConstructorParameters<typeof original.RollgateError>) {
      super(...args);
      built.count++;
    }
  }
  return { ...original, RollgateError: CountingRollgateError };
});

const request: MetricRequest = {
  query: { measure: 'requests', selector: {} },
  start: 0,
  end: 5000,
  stepMs: 5000,
};
const ctx = {
  signal: { aborted: false, addEventListener: () => {}, removeEventListener: () => {} },
  deadline: Number.POSITIVE_INFINITY,
};
const port = { describe: () => 'requests', dispose: async () => {} };
const ok: MetricSource = {
  ...port,
  name: 'ok',
  read: async () => ({ status: 'ok', series: [{ labels: {}, samples: [{ t: 5000, v: 1 }] }] }),
};

describe('readWithRetry', () => {
  it('builds no error at all for a read that succeeds at the first attempt', async () => {
    const before = built.count;
    const result = await readWithRetry(ok, request, ctx, new SimulatedClock(10_000));
    expect(result.status).toBe('ok');
    expect(built.count - before).toBe(0);
  });

  it('applies finish once, to the final result only (after the retries), with the query', async () => {
    let calls = 0;
    const flaky: MetricSource = {
      ...port,
      name: 'flaky',
      read: async () => {
        calls++;
        return calls === 1
          ? {
              status: 'error',
              error: new RollgateError('SOURCE_UNAVAILABLE', 'down', {
                component: 'source',
                retryable: true,
              }),
            }
          : { status: 'ok', series: [{ labels: {}, samples: [{ t: 5000, v: 1 }] }] };
      },
    };
    const finished: { status: string; query: unknown }[] = [];
    const clock = new SimulatedClock(10_000);
    const pending = readWithRetry(
      flaky,
      request,
      ctx,
      clock,
      { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 10 },
      (result, query) => {
        finished.push({ status: result.status, query });
        return { status: 'no-data', reason: 'finished' };
      },
    );
    await clock.advanceAsync(50);
    const result = await pending;
    expect(calls).toBe(2);
    expect(finished).toEqual([{ status: 'ok', query: request.query }]);
    expect(result).toEqual({ status: 'no-data', reason: 'finished' });
  });

  it('still answers INTERNAL when the policy allows no attempt', async () => {
    const result = await readWithRetry(ok, request, ctx, new SimulatedClock(10_000), {
      maxAttempts: 0,
      baseDelayMs: 0,
      maxDelayMs: 0,
    });
    expect(result.status === 'error' && result.error.code).toBe('INTERNAL');
    expect(result.status === 'error' && result.error.message).toBe('no read attempted');
  });

  it('turns a source that throws into an INTERNAL error naming the source, not the message', async () => {
    const throwing: MetricSource = {
      ...port,
      name: 'broken',
      read: async () => {
        throw new Error('token=secret');
      },
    };
    const result = await readWithRetry(throwing, request, ctx, new SimulatedClock(10_000), {
      maxAttempts: 1,
      baseDelayMs: 0,
      maxDelayMs: 0,
    });
    expect(result.status === 'error' && result.error.code).toBe('INTERNAL');
    expect(result.status === 'error' && result.error.message).toContain('"broken"');
    expect(result.status === 'error' && result.error.message).not.toContain('secret');
  });

  it('turns a reply that is not a ReadResult, or a synchronous throw, into an error result', async () => {
    const once = { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 };
    const clock = new SimulatedClock(10_000);
    const nothing: MetricSource = { ...port, name: 'nothing', read: async () => null as never };
    const bad = await readWithRetry(nothing, request, ctx, clock, once);
    expect(bad.status === 'error' && bad.error.code).toBe('SOURCE_BAD_RESPONSE');
    const sync: MetricSource = {
      ...port,
      name: 'sync',
      read: () => {
        throw new TypeError('boom');
      },
    };
    const threw = await readWithRetry(sync, request, ctx, clock, once);
    expect(threw.status === 'error' && threw.error.message).toContain('threw TypeError');
  });
});
