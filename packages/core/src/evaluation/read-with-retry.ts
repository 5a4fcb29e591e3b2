import { RollgateError } from '../errors/rollgate-error';
import { Thrown } from '../errors/thrown';
import type { PortContext } from '../ports/abort';
import type { MetricRequest, MetricSource, ReadResult } from '../ports/metric-source';
import { type Clock, sleep } from '../time/clock';

/** How core retries a failed read within one evaluation. Sources never retry themselves. */
export interface RetryPolicy {
  /** Attempts per read, the first included. */
  readonly maxAttempts: number;
  /** First backoff; doubled on each retry unless the backend sent Retry-After. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 3, baseDelayMs: 250, maxDelayMs: 5_000 };

/**
 * Reads once, and again after a backoff while the failure is retryable and the deadline leaves
 * room for the wait. `finish` maps the final result (the signal reader's `sanitize`): applied
 * here, the reader needs no async frame and Promise of its own around this one, on a path run
 * for every read of every signal at every step (docs/benchmarks.md, "fleet-tick-issue-13"). Never throws: a source that throws despite the port rules is turned into
 * an `error` result (`INTERNAL`), so one broken adapter cannot crash the loop.
 */
export async function readWithRetry(
  source: MetricSource,
  request: MetricRequest,
  ctx: PortContext,
  clock: Clock,
  policy: RetryPolicy = DEFAULT_RETRY_POLICY,
  finish: (result: ReadResult, query: MetricRequest['query']) => ReadResult = asRead,
): Promise<ReadResult> {
  // The first attempt in a small frame (the tick path: almost every read succeeds at once);
  // the retries, their backoff and their sleeps in a frame of their own, only when needed.
  if (ctx.signal.aborted || !(policy.maxAttempts >= 1))
    return retry(source, request, ctx, clock, policy, finish, 0);
  let answer: unknown;
  try {
    answer = await source.read(request, ctx);
  } catch (error) {
    answer = new Thrown(error);
  }
  return afterFirstAttempt(source, request, ctx, clock, policy, finish, answer);
}

/**
 * {@link readWithRetry} after its first attempt answered `answer` (what `source.read` resolved
 * to, or a {@link Thrown}): the finished result, synchronously, when no retry is due (almost
 * every read); otherwise the retries' Promise, run exactly as readWithRetry runs them. A caller
 * that sent `source.read` itself and awaited it in its own frame gets readWithRetry's answer with
 * no async frame of readWithRetry's (docs/benchmarks.md, `frame16-issue-13`). The caller checks
 * `ctx.signal.aborted` and `policy.maxAttempts >= 1` before it sends, as readWithRetry does.
 */
export function afterFirstAttempt(
  source: MetricSource,
  request: MetricRequest,
  ctx: PortContext,
  clock: Clock,
  policy: RetryPolicy,
  finish: (result: ReadResult, query: MetricRequest['query']) => ReadResult,
  answer: unknown,
): ReadResult | Promise<ReadResult> {
  const result =
    answer instanceof Thrown ? thrown(source, answer.error) : checked(source, answer as ReadResult);
  if (result.status !== 'error' || !result.error.retryable || policy.maxAttempts === 1) {
    return finish(result, request.query);
  }
  return retry(source, request, ctx, clock, policy, finish, 1, result);
}

/** The attempts after `done` of them (the last one's `result`), as the loop always ran them. */
async function retry(
  source: MetricSource,
  request: MetricRequest,
  ctx: PortContext,
  clock: Clock,
  policy: RetryPolicy,
  finish: (result: ReadResult, query: MetricRequest['query']) => ReadResult,
  done: number,
  last?: ReadResult,
): Promise<ReadResult> {
  // No placeholder error: a RollgateError captures a stack trace. The error is built only if
  // no attempt ran.
  let result: ReadResult | undefined = last;
  for (let attempt = done + 1; attempt <= policy.maxAttempts; attempt++) {
    if (result !== undefined) {
      // The backoff after the previous attempt, when the deadline leaves room for it.
      if (result.status !== 'error') return finish(result, request.query);
      const backoff = Math.min(
        policy.maxDelayMs,
        result.error.retryAfterMs ?? policy.baseDelayMs * 2 ** (attempt - 2),
      );
      if (clock.now() + backoff >= ctx.deadline) return finish(result, request.query);
      try {
        await sleep(clock, backoff, ctx.signal);
      } catch {
        return finish(result, request.query);
      }
    }
    if (ctx.signal.aborted) {
      return finish(
        {
          status: 'error',
          error: new RollgateError('ABORTED', 'The evaluation was aborted.', { component: 'evaluator' }),
        },
        request.query,
      );
    }
    try {
      result = checked(source, await source.read(request, ctx));
    } catch (error) {
      result = thrown(source, error);
    }
    if (result.status !== 'error' || !result.error.retryable || attempt === policy.maxAttempts) {
      return finish(result, request.query);
    }
  }
  return finish(
    result ?? {
      status: 'error',
      error: new RollgateError('INTERNAL', 'no read attempted', { component: 'evaluator' }),
    },
    request.query,
  );
}

/** The default `finish` of {@link readWithRetry}: the result as the source gave it. */
function asRead(result: ReadResult): ReadResult {
  return result;
}

/** A resolved value that is not a ReadResult is the adapter's bug, never data. */
function checked(source: MetricSource, result: ReadResult): ReadResult {
  if (result === null || typeof result !== 'object' || !('status' in result)) {
    return {
      status: 'error',
      error: new RollgateError(
        'SOURCE_BAD_RESPONSE',
        `MetricSource "${source.name}" resolved to something that is not a ReadResult; the adapter is broken.`,
        { component: 'evaluator' },
      ),
    };
  }
  return result;
}

function thrown(source: MetricSource, error: unknown): ReadResult {
  return {
    status: 'error',
    error: new RollgateError(
      'INTERNAL',
      // The thrown message is not echoed: a broken adapter may have put a secret in it.
      `MetricSource "${source.name}" threw ${error instanceof Error ? error.name : typeof error} instead of resolving to an error result; the adapter is broken.`,
      { component: 'evaluator', cause: error },
    ),
  };
}
