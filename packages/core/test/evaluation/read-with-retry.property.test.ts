import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RollgateError } from '../../src/errors/rollgate-error';
import { type RetryPolicy, readWithRetry } from '../../src/evaluation/read-with-retry';
import type { PortContext } from '../../src/ports/abort';
import type { MetricRequest, MetricSource, ReadResult } from '../../src/ports/metric-source';
import { SimulatedClock } from '../../src/testing/simulated-clock';
import { type Clock, sleep } from '../../src/time/clock';

/**
 * readWithRetry with its first attempt in a frame of its own (docs/benchmarks.md,
 * "fleet-eval-issue-13") against the one loop it replaced: the same result, the same reads and
 * the same waits, for any sequence of source answers, policy and deadline.
 */
async function readWithRetryBefore(
  source: MetricSource,
  request: MetricRequest,
  ctx: PortContext,
  clock: Clock,
  policy: RetryPolicy,
): Promise<ReadResult> {
  let result: ReadResult | undefined;
  for (let attempt = 1; attempt <= policy.maxAttempts; attempt++) {
    if (ctx.signal.aborted) {
      return {
        status: 'error',
        error: new RollgateError('ABORTED', 'The evaluation was aborted.', { component: 'evaluator' }),
      };
    }
    try {
      result = await source.read(request, ctx);
    } catch {
      result = {
        status: 'error',
        error: new RollgateError('INTERNAL', `MetricSource "${source.name}" threw`, {
          component: 'evaluator',
        }),
      };
    }
    if (result.status !== 'error' || !result.error.retryable || attempt === policy.maxAttempts) return result;
    const backoff = Math.min(
      policy.maxDelayMs,
      result.error.retryAfterMs ?? policy.baseDelayMs * 2 ** (attempt - 1),
    );
    if (clock.now() + backoff >= ctx.deadline) return result;
    try {
      await sleep(clock, backoff, ctx.signal);
    } catch {
      return result;
    }
  }
  return result ?? { status: 'error', error: new RollgateError('INTERNAL', 'no read attempted') };
}

const request: MetricRequest = {
  query: { measure: 'requests', selector: {} },
  start: 0,
  end: 5000,
  stepMs: 5000,
};
const answer = fc.oneof(
  fc.constant({ kind: 'ok' as const }),
  fc.constant({ kind: 'no-data' as const }),
  fc.record({ kind: fc.constant('error' as const), retryable: fc.boolean(), after: fc.option(fc.nat(400)) }),
);

/** A source answering from a script (then ok), counting its reads. */
function scripted(script: readonly (typeof answer extends fc.Arbitrary<infer A> ? A : never)[]) {
  let reads = 0;
  const source: MetricSource = {
    name: 'scripted',
    describe: () => 'scripted',
    dispose: async () => {},
    read: async () => {
      const a = script[reads++] ?? { kind: 'ok' as const };
      if (a.kind === 'ok')
        return { status: 'ok', series: [{ labels: {}, samples: [{ t: 5000, v: reads }] }] };
      if (a.kind === 'no-data') return { status: 'no-data', reason: `empty ${reads}` };
      return {
        status: 'error',
        error: new RollgateError('SOURCE_UNAVAILABLE', `down ${reads}`, {
          retryable: a.retryable,
          ...(a.after === null ? {} : { retryAfterMs: a.after }),
        }),
      };
    },
  };
  return { source, reads: () => reads };
}

async function run(
  read: typeof readWithRetryBefore,
  script: Parameters<typeof scripted>[0],
  policy: RetryPolicy,
  deadlineIn: number | null,
) {
  const clock = new SimulatedClock(1_000_000);
  const { source, reads } = scripted(script);
  const ctx: PortContext = {
    signal: new AbortController().signal,
    deadline: deadlineIn === null ? Number.POSITIVE_INFINITY : clock.now() + deadlineIn,
  };
  let out: ReadResult | undefined;
  const pending = read(source, request, ctx, clock, policy).then((r) => {
    out = r;
  });
  for (let i = 0; i < 1000 && out === undefined; i++) await clock.advanceAsync(25);
  await pending;
  const result = out as ReadResult;
  return {
    status: result.status,
    message:
      result.status === 'error' ? result.error.message : result.status === 'no-data' ? result.reason : '',
    reads: reads(),
    waited: clock.now() - 1_000_000,
  };
}

describe('readWithRetry (property)', () => {
  it('answers, reads and waits as the single loop did', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(answer, { maxLength: 5 }),
        fc.record({
          maxAttempts: fc.integer({ min: 0, max: 4 }),
          baseDelayMs: fc.integer({ min: 0, max: 300 }),
          maxDelayMs: fc.integer({ min: 0, max: 1000 }),
        }),
        fc.option(fc.integer({ min: 0, max: 2000 })),
        async (script, policy, deadline) => {
          const before = await run(readWithRetryBefore, script, policy, deadline);
          const now = await run(readWithRetry, script, policy, deadline);
          expect(now).toEqual(before);
        },
      ),
      { numRuns: 300 },
    );
  });
});
