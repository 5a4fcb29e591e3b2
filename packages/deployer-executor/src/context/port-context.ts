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

const MAX_TIMER_MS = 2_147_483_647;

/** A real AbortSignal tied to a port call, for APIs that need one (child processes, fetch). */
export interface LinkedSignal {
  readonly signal: AbortSignal;
  /** Why the signal fired: the caller aborted, the deadline passed, or the local limit passed. */
  reason(): 'aborted' | 'deadline' | 'limit' | undefined;
  /** Detaches from `ctx.signal` and cancels the timer. */
  dispose(): void;
}

/**
 * Bridges core's `AbortSignalLike` and the deadline (by the injected clock) into one real
 * AbortSignal. `limitMs` adds a tighter local bound (a per-probe timeout).
 */
export function linkSignal(ctx: PortContext, clock: Clock, limitMs?: number): LinkedSignal {
  const controller = new AbortController();
  let why: 'aborted' | 'deadline' | 'limit' | undefined;
  const fire = (reason: 'aborted' | 'deadline' | 'limit'): void => {
    if (why !== undefined) return;
    why = reason;
    controller.abort(reason === 'aborted' ? ctx.signal.reason : new Error(`${reason} reached`));
  };
  const onAbort = (): void => fire('aborted');
  const untilDeadline = ctx.deadline - clock.now();
  const useLimit = limitMs !== undefined && limitMs < untilDeadline;
  const delay = Math.max(0, useLimit ? limitMs : untilDeadline);
  // Node fires a timer longer than 2^31-1 ms after 1 ms; a deadline that far away is no bound.
  const timer =
    delay <= MAX_TIMER_MS ? clock.setTimeout(() => fire(useLimit ? 'limit' : 'deadline'), delay) : undefined;
  if (ctx.signal.aborted) fire('aborted');
  else ctx.signal.addEventListener('abort', onAbort, { once: true });
  return {
    signal: controller.signal,
    reason: () => why,
    dispose: () => {
      if (timer !== undefined) clock.clearTimeout(timer);
      ctx.signal.removeEventListener('abort', onAbort);
    },
  };
}
