import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultContract } from '../../src/contract/default-contract';
import { parseContract } from '../../src/contract/parse-contract';
import { RollgateError } from '../../src/errors/rollgate-error';
import { batchingSource } from '../../src/evaluation/batching-source';
import { Evaluator } from '../../src/evaluation/evaluator';
import type { AbortSignalLike, PortContext } from '../../src/ports/abort';
import type { MetricRequest, MetricSource, ReadResult } from '../../src/ports/metric-source';
import { MemoryMetricSource, type StepData } from '../../src/testing/memory-source';
import { SimulatedClock } from '../../src/testing/simulated-clock';

const NOW = 1_000_000;

function request(service: string, start = NOW - 5_000): MetricRequest {
  return { query: { measure: 'requests', selector: { service } }, start, end: NOW, stepMs: 5_000 };
}

function serviceOf(r: MetricRequest): string {
  return r.query.measure === 'raw' ? r.query.query : (r.query.selector.service ?? '');
}

/** The result a source gives for a request: a value derived from its service, or an error for "bad-*". */
function answer(r: MetricRequest): ReadResult {
  const service = r.query.measure === 'raw' ? r.query.query : (r.query.selector.service ?? '');
  if (service.startsWith('bad')) {
    return { status: 'error', error: new RollgateError('SOURCE_BAD_QUERY', `bad ${service}`) };
  }
  if (service.startsWith('none')) return { status: 'no-data', reason: `no ${service}` };
  return {
    status: 'ok',
    series: [{ labels: {}, samples: [{ t: r.end, v: service.length + r.start / 1e6 }] }],
  };
}

class TestSignal implements AbortSignalLike {
  aborted = false;
  reason: unknown;
  readonly listeners = new Set<() => void>();
  addEventListener(_t: 'abort', l: () => void): void {
    this.listeners.add(l);
  }
  removeEventListener(_t: 'abort', l: () => void): void {
    this.listeners.delete(l);
  }
  abort(reason: unknown = 'stop'): void {
    this.aborted = true;
    this.reason = reason;
    // Every listener here is added with { once: true }: fired once, then gone.
    const fired = [...this.listeners];
    this.listeners.clear();
    for (const l of fired) l();
  }
}

function context(deadline = NOW + 10_000): PortContext & { signal: TestSignal } {
  return { signal: new TestSignal(), deadline };
}

const hops = async (n: number) => {
  for (let i = 0; i < n; i++) await Promise.resolve();
};

interface ManyCall {
  readonly requests: readonly MetricRequest[];
  readonly ctx: PortContext;
}

/** A source with readMany that records each call; `delay` microtask hops before it answers. */
function manySource(
  delay = 0,
  respond: (rs: readonly MetricRequest[]) => readonly ReadResult[] = (rs) => rs.map(answer),
) {
  const calls: ManyCall[] = [];
  const singles: MetricRequest[] = [];
  const source: MetricSource = {
    name: 'many',
    async read(r) {
      singles.push(r);
      return answer(r);
    },
    async readMany(requests, ctx) {
      calls.push({ requests, ctx });
      await hops(delay);
      return respond(requests);
    },
    describe: (r) => JSON.stringify(r.query),
    dispose: async () => {},
  };
  return { source, calls, singles };
}

describe('batchingSource', () => {
  it('sends the reads of one turn as one readMany and gives each caller its own result', async () => {
    const { source, calls, singles } = manySource();
    const batched = batchingSource(source, { clock: new SimulatedClock(NOW) });
    const services = ['a', 'bb', 'bad-c', 'none-d', 'eeeee'];
    const results = await Promise.all(services.map((s) => batched.read(request(s), context())));
    expect(calls).toHaveLength(1);
    expect(calls[0]?.requests.map((r) => serviceOf(r))).toEqual(services);
    expect(singles).toHaveLength(0);
    expect(results).toEqual(services.map((s) => answer(request(s))));
    expect(batched.stats()).toEqual({ reads: 5, batches: 1 });
  });

  it('passes reads straight to a source without readMany', async () => {
    const reads: MetricRequest[] = [];
    const plain: MetricSource = {
      name: 'plain',
      async read(r) {
        reads.push(r);
        return answer(r);
      },
      describe: () => 'q',
      dispose: async () => {},
    };
    const batched = batchingSource(plain, { clock: new SimulatedClock(NOW) });
    const [a, b] = await Promise.all([
      batched.read(request('a'), context()),
      batched.read(request('bb'), context()),
    ]);
    expect(a).toEqual(answer(request('a')));
    expect(b).toEqual(answer(request('bb')));
    expect(reads).toHaveLength(2);
    expect(batched.stats()).toEqual({ reads: 0, batches: 0 });
    // Its readMany falls back to one read per request, in order.
    expect(await batched.readMany([request('x'), request('bad-y')], context())).toEqual([
      answer(request('x')),
      answer(request('bad-y')),
    ]);
    // A read that throws, even synchronously, is that request's INTERNAL error, not a rejection.
    const throwing = batchingSource(
      {
        ...plain,
        read: (r) => {
          if (r.start === 0) throw new TypeError('sync');
          return Promise.resolve(answer(r));
        },
      },
      { clock: new SimulatedClock(NOW) },
    );
    const mixed = await throwing.readMany([request('x', 0), request('y')], context());
    expect(mixed[0]).toMatchObject({ status: 'error', error: { code: 'INTERNAL' } });
    expect(mixed[1]).toEqual(answer(request('y')));
  });

  it('reads issued in different turns go in different batches without a window', async () => {
    const { source, calls } = manySource();
    const batched = batchingSource(source, { clock: new SimulatedClock(NOW) });
    const first = batched.read(request('a'), context());
    await hops(3);
    const second = batched.read(request('b'), context());
    expect(await first).toEqual(answer(request('a')));
    expect(await second).toEqual(answer(request('b')));
    expect(calls).toHaveLength(2);
  });

  it('with windowMs, collects the reads of several turns until the window ends on the clock', async () => {
    const { source, calls } = manySource();
    const clock = new SimulatedClock(NOW);
    const batched = batchingSource(source, { clock, windowMs: 20 });
    const first = batched.read(request('a'), context());
    await hops(3);
    clock.advance(10);
    const second = batched.read(request('b'), context());
    await hops(3);
    expect(calls).toHaveLength(0);
    clock.advance(10);
    expect(await first).toEqual(answer(request('a')));
    expect(await second).toEqual(answer(request('b')));
    expect(calls).toHaveLength(1);
    expect(calls[0]?.requests).toHaveLength(2);
  });

  it('sends a full batch at once and splits its own readMany by maxBatch', async () => {
    const { source, calls } = manySource();
    const batched = batchingSource(source, { clock: new SimulatedClock(NOW), maxBatch: 2 });
    const services = ['a', 'b', 'c', 'd', 'e'];
    const results = await Promise.all(services.map((s) => batched.read(request(s), context())));
    expect(results).toEqual(services.map((s) => answer(request(s))));
    expect(calls.map((c) => c.requests.length)).toEqual([2, 2, 1]);
    calls.length = 0;
    expect(
      await batched.readMany(
        services.map((s) => request(s)),
        context(),
      ),
    ).toEqual(services.map((s) => answer(request(s))));
    expect(calls.map((c) => c.requests.length)).toEqual([2, 2, 1]);
  });

  it('gives the batch the earliest deadline and sends a read already past its deadline alone', async () => {
    const { source, calls, singles } = manySource();
    const batched = batchingSource(source, { clock: new SimulatedClock(NOW) });
    await Promise.all([
      batched.read(request('a'), context(NOW + 9_000)),
      batched.read(request('b'), context(NOW + 3_000)),
      batched.read(request('late'), context(NOW - 1)),
    ]);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.ctx.deadline).toBe(NOW + 3_000);
    expect(calls[0]?.requests).toHaveLength(2);
    expect(singles.map((r) => serviceOf(r))).toEqual(['late']);
  });

  it('answers an aborted caller ABORTED at once and aborts the batch only when every caller gave up', async () => {
    const { source, calls } = manySource(50);
    const batched = batchingSource(source, { clock: new SimulatedClock(NOW) });
    const already = context();
    already.signal.abort('gone');
    expect(await batched.read(request('x'), already)).toMatchObject({
      status: 'error',
      error: { code: 'ABORTED' },
    });

    const before = context();
    const dropped = batched.read(request('dropped'), before);
    before.signal.abort();
    const a = context();
    const b = context();
    const pa = batched.read(request('a'), a);
    const pb = batched.read(request('b'), b);
    expect(await dropped).toMatchObject({ status: 'error', error: { code: 'ABORTED' } });
    await hops(2);
    expect(calls).toHaveLength(1);
    // The caller aborted before the batch left is not in it.
    expect(calls[0]?.requests).toHaveLength(2);
    const batchSignal = calls[0]?.ctx.signal;
    a.signal.abort();
    expect(await pa).toMatchObject({ status: 'error', error: { code: 'ABORTED' } });
    expect(batchSignal?.aborted).toBe(false);
    b.signal.abort();
    expect(await pb).toMatchObject({ status: 'error', error: { code: 'ABORTED' } });
    expect(batchSignal?.aborted).toBe(true);
  });

  it('listens once per caller signal, however many reads wait on it, and lets go when they settle', async () => {
    const { source } = manySource(3);
    const batched = batchingSource(source, { clock: new SimulatedClock(NOW) });
    const shared = context();
    const pending = Array.from({ length: 50 }, (_, i) => batched.read(request(`s${i}`), shared));
    expect(shared.signal.listeners.size).toBe(1);
    await Promise.all(pending);
    expect(shared.signal.listeners.size).toBe(0);
    // An abort still reaches every read of that signal.
    const again = context();
    const aborted = Array.from({ length: 5 }, (_, i) => batched.read(request(`t${i}`), again));
    again.signal.abort();
    for (const r of await Promise.all(aborted)) expect(r).toMatchObject({ error: { code: 'ABORTED' } });
    expect(again.signal.listeners.size).toBe(0);
  });

  it('does not send a batch whose callers all gave up before it left', async () => {
    const { source, calls } = manySource();
    const batched = batchingSource(source, { clock: new SimulatedClock(NOW) });
    const ctx = context();
    const pending = batched.read(request('a'), ctx);
    ctx.signal.abort();
    expect(await pending).toMatchObject({ status: 'error', error: { code: 'ABORTED' } });
    await hops(3);
    expect(calls).toHaveLength(0);
  });

  it('turns a readMany that rejects or miscounts into INTERNAL for every caller, without its message', async () => {
    const throwing = manySource(0, () => {
      throw new Error('token=hunter2 exploded');
    });
    const batched = batchingSource(throwing.source, { clock: new SimulatedClock(NOW) });
    const results = await Promise.all([
      batched.read(request('a'), context()),
      batched.read(request('b'), context()),
    ]);
    for (const r of results) {
      expect(r).toMatchObject({ status: 'error', error: { code: 'INTERNAL', component: 'batching-source' } });
      if (r.status === 'error') {
        expect(r.error.message).toContain('"many"');
        expect(r.error.message).not.toContain('hunter2');
      }
    }
    const short = manySource(0, (rs) => rs.slice(1).map(answer));
    const shortBatched = batchingSource(short.source, { clock: new SimulatedClock(NOW) });
    const shortResults = await Promise.all([
      shortBatched.read(request('a'), context()),
      shortBatched.read(request('b'), context()),
    ]);
    for (const r of shortResults) {
      expect(r).toMatchObject({ status: 'error', error: { code: 'INTERNAL' } });
      if (r.status === 'error') expect(r.error.message).toContain('1 results for 2 requests');
    }
    expect(await shortBatched.readMany([request('a'), request('b')], context())).toEqual([
      expect.objectContaining({ status: 'error' }),
      expect.objectContaining({ status: 'error' }),
    ]);
  });

  it('refuses bad options naming the field', () => {
    const { source } = manySource();
    const clock = new SimulatedClock(NOW);
    expect(() => batchingSource(source, { clock, maxBatch: 0 })).toThrow(
      /maxBatch must be a whole number >= 1/,
    );
    expect(() => batchingSource(source, { clock, maxBatch: 1.5 })).toThrow(/maxBatch/);
    expect(() => batchingSource(source, { clock, windowMs: -1 })).toThrow(
      /windowMs must be a number of ms >= 0/,
    );
    expect(() => batchingSource(source, { clock, windowMs: Number.NaN })).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID', details: { field: 'windowMs' } }),
    );
  });

  it('keeps describe, dispose and name of the wrapped source', async () => {
    let disposed = 0;
    const { source } = manySource();
    const batched = batchingSource(
      { ...source, dispose: async () => void disposed++ },
      { clock: new SimulatedClock(NOW) },
    );
    expect(batched.name).toBe('many');
    expect(batched.describe(request('a'))).toBe(source.describe(request('a')));
    await batched.dispose();
    expect(disposed).toBe(1);
  });

  it('maps every result back to its caller for any interleaving, batch size, delay and aborts', async () => {
    const arbCall = fc.record({
      service: fc.constantFrom('a', 'bb', 'ccc', 'bad-1', 'none-2', 'dddd'),
      start: fc.integer({ min: 0, max: 4 }).map((k) => NOW - 5_000 * (k + 1)),
      waitHops: fc.integer({ min: 0, max: 4 }),
      abortAfterHops: fc.option(fc.integer({ min: 0, max: 6 }), { nil: undefined }),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(arbCall, { minLength: 1, maxLength: 25 }),
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 0, max: 5 }),
        fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }),
        async (plan, maxBatch, delay, windowMs) => {
          const clock = new SimulatedClock(NOW);
          const { source, calls } = manySource(delay);
          const batched = batchingSource(source, {
            clock,
            maxBatch,
            ...(windowMs === undefined ? {} : { windowMs }),
          });
          const aborted = new Set<number>();
          const pending = plan.map(async (call, i) => {
            await hops(call.waitHops);
            const ctx = context();
            const r = request(call.service, call.start);
            if (call.abortAfterHops !== undefined) {
              void hops(call.abortAfterHops).then(() => {
                if (!aborted.has(i)) {
                  aborted.add(i);
                  ctx.signal.abort();
                }
              });
            }
            const result = await batched.read(r, ctx);
            return { r, result };
          });
          // A window on the simulated clock closes only when time moves.
          let settled = false;
          const all = Promise.all(pending).finally(() => {
            settled = true;
          });
          while (!settled) {
            await hops(10);
            clock.advance(1);
          }
          const outcomes = await all;
          outcomes.forEach(({ r, result }, i) => {
            if (result.status === 'error' && result.error.code === 'ABORTED') {
              expect(aborted.has(i)).toBe(true);
            } else {
              expect(result).toEqual(answer(r));
            }
          });
          for (const c of calls) expect(c.requests.length).toBeLessThanOrEqual(maxBatch);
          const sent = calls.reduce((n, c) => n + c.requests.length, 0);
          expect(sent).toBeLessThanOrEqual(plan.length);
          expect(batched.stats().reads).toBe(sent);
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('batchingSource under the evaluator', () => {
  const STEP = 5_000;
  const START = 1_700_000_000_000;
  const BASELINE = 360;

  function steps(): StepData[] {
    const out: StepData[] = [];
    for (let i = 0; i < BASELINE + 60; i++) {
      const requests = 95 + ((i * 7) % 11);
      const faulty = i >= BASELINE + 10;
      out.push({
        requests,
        errors: faulty ? Math.round(requests * 0.05) : i % 2,
        latencyHistogram: [0, 0, 15, 50, requests - 65, 0, 0, 0, 0, 0, 0, 0],
        memory: 300e6 + ((i * 37) % 5) * 1e6,
        ready: 1,
        restarts: 0,
      });
    }
    return out;
  }

  /** Ticks until a decision, returning every evaluation and how the source was called. */
  async function run(batched: boolean) {
    const contract = parseContract({
      service: 'checkout',
      stepSeconds: 5,
      bakeSeconds: 120,
      warmupSeconds: 30,
      signals: defaultContract('x').signals,
    });
    const deployAt = START + BASELINE * STEP;
    const clock = new SimulatedClock(deployAt);
    const memory = new MemoryMetricSource({ clock, startMs: START, stepMs: STEP, steps: steps() });
    const source = batched ? batchingSource(memory, { clock }) : memory;
    const evaluator = new Evaluator({
      contract,
      sources: { default: source },
      clock,
      retry: { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 },
    });
    let state = evaluator.start(deployAt);
    const evaluations: unknown[] = [];
    for (let i = 0; i < 40; i++) {
      clock.advance(STEP);
      const r = await evaluator.evaluate(state, {
        signal: new AbortController().signal,
        deadline: clock.now() + 10_000,
      });
      state = r.state;
      evaluations.push(r.evaluation);
      if (r.evaluation.decision.type !== 'continue') break;
    }
    return { evaluations, reads: memory.reads, readManyCalls: memory.readManyCalls };
  }

  it('gives the evaluator the same evaluations as the plain source, in fewer source calls', async () => {
    const plain = await run(false);
    const batched = await run(true);
    expect(JSON.stringify(batched.evaluations)).toBe(JSON.stringify(plain.evaluations));
    expect((plain.evaluations.at(-1) as { decision: { type: string } }).decision.type).toBe('breach');
    expect(plain.readManyCalls).toBe(0);
    expect(batched.reads).toBe(plain.reads);
    // The reads one tick issues together travel together: far fewer calls than reads.
    expect(batched.readManyCalls).toBeGreaterThan(0);
    expect(batched.readManyCalls).toBeLessThan(batched.reads / 2);
  });
});
