import type { Clock, PortContext, RollgateError } from '@rollgate/core';
import { executorError } from '../errors/executor-error';

/** The error for a call whose `ctx.signal` fired. */
export function abortedError(what: string, reason?: unknown): RollgateError {
  return executorError('ABORTED', `${what} was aborted by the caller.`, { cause: reason });
}

/** The error for a call that reached `ctx.deadline`. Retryable: a later attempt may fit. */
export function timeoutError(what: string, deadline: number): RollgateError {
  return executorError(
    'TIMEOUT',
    `${what} did not finish before the deadline (${new Date(deadline).toISOString()}); give the call more time.`,
    { retryable: true, details: { deadline } },
  );
}

/** `ABORTED` or `TIMEOUT` when the call must not start (or continue); undefined otherwise. */
export function contextError(ctx: PortContext, clock: Clock, what: string): RollgateError | undefined {
  if (ctx.signal.aborted) return abortedError(what, ctx.signal.reason);
  if (clock.now() >= ctx.deadline) return timeoutError(what, ctx.deadline);
  return undefined;
}
