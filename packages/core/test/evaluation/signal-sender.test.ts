import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Signal } from '../../src/contract/contract-schema';
import { defaultContract } from '../../src/contract/default-contract';
import { RollgateError } from '../../src/errors/rollgate-error';
import { Thrown } from '../../src/errors/thrown';
import { Evaluator } from '../../src/evaluation/evaluator';
import { type RetryPolicy, readWithRetry } from '../../src/evaluation/read-with-retry';
import { createSignalReader, createSignalSender, sanitize } from '../../src/evaluation/signal-reader';
import type { PortContext } from '../../src/ports/abort';
import type { MetricRequest, MetricSource, ReadResult } from '../../src/ports/metric-source';
import { MemoryMetricSource } from '../../src/testing/memory-source';
import { SimulatedClock } from '../../src/testing/simulated-clock';
import { BASELINE_STEPS, healthyStep, START, STEP } from './run-watch';

/**
 * The tick path's reads sent and awaited in the evaluation's own frame (signal-reader.ts
 * `SignalSender`, docs/benchmarks.md `frame16-issue-13`) against `readWithRetry` through the
 * reader: the same answer, the same reads and the same waits, whatever the source does.
 */

const request: MetricRequest = {
  query: { measure: 'requests', selector: {} },
  start: 0,
  end: 5000,
  stepMs: 5000,
};
const signal = { id: 's', source: 'default' } as Signal;

type Answer =
  | { kind: 'ok' }
  | { kind: 'no-data' }
  | { kind: 'throws' }
  | { kind: 'rejects' }
  | { kind: 'not-a-result' }
  | { kind: 'error'; retryable: boolean; after: number | null };

const answer: fc.Arbitrary<Answer> = fc.oneof(
  fc.constant({ kind: 'ok' as const }),
  fc.constant({ kind: 'no-data' as const }),
  fc.constant({ kind: 'throws' as const }),
  fc.constant({ kind: 'rejects' as const }),
  fc.constant({ kind: 'not-a-result' as const }),
  fc.record({ kind: fc.constant('error' as const), retryable: fc.boolean(), after: fc.option(fc.nat(400)) }),
);

/** A source answering from a script (then ok), counting its reads; it may throw or reject. */
function scripted(script: readonly Answer[]) {
  let reads = 0;
  const source: MetricSource = {
    name: 'scripted',
    describe: () => 'scripted',
    dispose: async () => {},
    read: (() => {
      const a = script[reads++] ?? { kind: 'ok' as const };
      if (a.kind === 'throws') throw new TypeError(`broken ${reads}`);
      if (a.kind === 'rejects') return Promise.reject(new TypeError(`broken ${reads}`));
      if (a.kind === 'not-a-result') return Promise.resolve(42);
      if (a.kind === 'ok')
        return Promise.resolve({ status: 'ok', series: [{ labels: {}, samples: [{ t: 5000, v: reads }] }] });
      if (a.kind === 'no-data') return Promise.resolve({ status: 'no-data', reason: `empty ${reads}` });
      return Promise.resolve({
        status: 'error',
        error: new RollgateError('SOURCE_UNAVAILABLE', `down ${reads}`, {
          retryable: a.retryable,
          ...(a.after === null ? {} : { retryAfterMs: a.after }),
        }),
      });
    }) as MetricSource['read'],
  };
  return { source, reads: () => reads };
}

type Read = (
  source: MetricSource,
  ctx: PortContext,
  clock: SimulatedClock,
  policy: RetryPolicy,
) => Promise<ReadResult>;

/** readWithRetry as the reader runs it on the tick path (sanitize as its finish). */
const viaReader: Read = (source, ctx, clock, policy) =>
  readWithRetry(source, request, ctx, clock, policy, sanitize);

/** The sender's send and settle, awaited as the evaluation awaits them (guarded or not). */
function viaSender(guard: boolean): Read {
  return async (source, ctx, clock, policy) => {
    const sources = { default: source };
    const sender = createSignalSender(sources, clock, policy, createSignalReader(sources, clock, policy));
    let got: unknown;
    try {
      got = await sender.send(signal, request, ctx, guard);
    } catch (error) {
      got = new Thrown(error);
    }
    const done = sender.settle(signal, request, ctx, got);
    return done instanceof Promise ? await done : done;
  };
}

async function run(
  read: Read,
  script: readonly Answer[],
  policy: RetryPolicy,
  deadlineIn: number | null,
  abort: boolean,
) {
  const clock = new SimulatedClock(1_000_000);
  const { source, reads } = scripted(script);
  const controller = new AbortController();
  if (abort) controller.abort();
  const ctx: PortContext = {
    signal: controller.signal,
    deadline: deadlineIn === null ? Number.POSITIVE_INFINITY : clock.now() + deadlineIn,
  };
  let out: ReadResult | undefined;
  const pending = read(source, ctx, clock, policy).then((r) => {
    out = r;
  });
  for (let i = 0; i < 1000 && out === undefined; i++) await clock.advanceAsync(25);
  await pending;
  const result = out as ReadResult;
  return {
    status: result.status,
    code: result.status === 'error' ? result.error.code : null,
    retryable: result.status === 'error' ? result.error.retryable : null,
    message:
      result.status === 'error' ? result.error.message : result.status === 'no-data' ? result.reason : '',
    samples: result.status === 'ok' ? result.series.map((s) => s.samples) : null,
    reads: reads(),
    waited: clock.now() - 1_000_000,
  };
}

describe('signal sender', () => {
  it('answers, reads and waits as readWithRetry through the reader, guarded or not (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(answer, { maxLength: 5 }),
        fc.record({
          maxAttempts: fc.integer({ min: 0, max: 4 }),
          baseDelayMs: fc.integer({ min: 0, max: 300 }),
          maxDelayMs: fc.integer({ min: 0, max: 1000 }),
        }),
        fc.option(fc.integer({ min: 0, max: 2000 })),
        fc.boolean(),
        async (script, policy, deadline, abort) => {
          const before = await run(viaReader, script, policy, deadline, abort);
          expect(await run(viaSender(false), script, policy, deadline, abort)).toEqual(before);
          expect(await run(viaSender(true), script, policy, deadline, abort)).toEqual(before);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a guarded read that rejects is a value, never a rejection', async () => {
    const clock = new SimulatedClock(1_000_000);
    const { source } = scripted([{ kind: 'rejects' }]);
    const policy = { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 };
    const sources = { default: source };
    const sender = createSignalSender(sources, clock, policy, createSignalReader(sources, clock, policy));
    const ctx = { signal: new AbortController().signal, deadline: Number.POSITIVE_INFINITY };
    const got = await sender.send(signal, request, ctx, true);
    expect(got).toBeInstanceOf(Thrown);
    const done = sender.settle(signal, request, ctx, got);
    expect(done instanceof Promise ? await done : done).toMatchObject({
      status: 'error',
      error: { code: 'INTERNAL' },
    });
  });

  it('an evaluation whose later reads reject while earlier ones are awaited: error verdicts, no unhandled rejection', async () => {
    // Each count signal's trials read, and the health rule's restarts read (the second of their
    // pairs), reject in a later macrotask than the first read of the pair answers: without a
    // handler on them, Node would report an unhandled rejection (and crash the process).
    const steps = Array.from({ length: BASELINE_STEPS + 40 }, (_, i) => healthyStep(i, 100));
    const deployAt = START + BASELINE_STEPS * STEP;
    const clock = new SimulatedClock(deployAt);
    const memory = new MemoryMetricSource({ clock, startMs: START, stepMs: STEP, steps });
    let broken = false;
    const later = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
    const source: MetricSource = {
      name: 'late-rejects',
      describe: (r) => memory.describe(r),
      dispose: async () => {},
      async read(r, ctx) {
        if (!broken) return memory.read(r, ctx);
        const measure = r.query.measure;
        if (measure === 'requests' || measure === 'restarts') {
          await later(1);
          throw new TypeError(`broken ${measure}`);
        }
        await later(20);
        return memory.read(r, ctx);
      },
    };
    const evaluator = new Evaluator({
      contract: defaultContract('svc'),
      sources: { default: source },
      clock,
      retry: { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 },
    });
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      let state = evaluator.start(deployAt);
      const ctx = () => ({ signal: new AbortController().signal, deadline: clock.now() + 10_000 });
      for (let i = 0; i < 30; i++) {
        clock.advance(STEP);
        state = (await evaluator.evaluate(state, ctx())).state;
      }
      broken = true;
      clock.advance(STEP);
      const { evaluation } = await evaluator.evaluate(state, ctx());
      await later(50);
      expect(unhandled).toEqual([]);
      const byId = new Map(evaluation.signals.map((s) => [s.signal, s]));
      for (const id of ['error-rate', 'latency-p99', 'health']) {
        const verdicts = byId.get(id)?.verdicts ?? [];
        expect(verdicts.length).toBeGreaterThan(0);
        expect(verdicts.every((v) => v.status === 'error' && v.error?.code === 'INTERNAL')).toBe(true);
      }
      // The memory signal's read did not fail: it is judged as usual.
      expect(byId.get('memory')?.verdicts.every((v) => v.status !== 'error')).toBe(true);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
