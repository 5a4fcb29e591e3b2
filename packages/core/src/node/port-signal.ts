import type { PortContext } from '../ports/abort';
import type { Clock } from '../time/clock';

/** Node fires a timer longer than 2^31-1 ms after 1 ms, so a deadline that far away gets none. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Why a {@link PortSignal} fired: the caller aborted, the deadline passed, the local limit
 * passed, or the call stopped itself ({@link PortSignal.stop}).
 */
export type PortSignalReason = 'aborted' | 'deadline' | 'limit' | 'stopped';

/** A real `AbortSignal` tied to one port call, for APIs that need one (fetch, undici, child processes). */
export interface PortSignal {
  readonly signal: AbortSignal;
  /** Why the signal fired, or undefined while it has not. The first cause wins. */
  reason(): PortSignalReason | undefined;
  /** Fires the signal from the call's own side (a stream read that has what it needs). */
  stop(): void;
  /** Detaches from `ctx.signal` and cancels the timer. Call once the call has settled. */
  dispose(): void;
}

/** Options for {@link portSignal}. */
export interface PortSignalOptions {
  /** A tighter local bound than the deadline (a per-request timeout), in ms. */
  readonly limitMs?: number;
  /**
   * What runs the timer; default the `clock` that measures the deadline. An adapter whose
   * timeouts must fire in real time even under a simulated clock passes `systemClock`.
   */
  readonly timers?: Pick<Clock, 'setTimeout' | 'clearTimeout'>;
}

/**
 * The one bridge from a port call's context (core's `AbortSignalLike` and `deadline`) to a real
 * `AbortSignal`: it fires when `ctx.signal` fires (with its reason), when `ctx.deadline` passes
 * by `clock`, or after `limitMs` if that comes first, and remembers which. An already-aborted
 * `ctx.signal` fires it at once; a deadline already past fires it on the next timer turn.
 */
export function portSignal(ctx: PortContext, clock: Clock, options: PortSignalOptions = {}): PortSignal {
  const { limitMs } = options;
  const timers = options.timers ?? clock;
  const controller = new AbortController();
  let why: PortSignalReason | undefined;
  const fire = (reason: PortSignalReason): void => {
    if (why !== undefined) return;
    why = reason;
    controller.abort(reason === 'aborted' ? ctx.signal.reason : new Error(`${reason} reached`));
  };
  const onAbort = (): void => fire('aborted');
  const untilDeadline = ctx.deadline - clock.now();
  const useLimit = limitMs !== undefined && limitMs < untilDeadline;
  const delay = Math.max(0, useLimit ? limitMs : untilDeadline);
  const timer =
    delay <= MAX_TIMER_MS ? timers.setTimeout(() => fire(useLimit ? 'limit' : 'deadline'), delay) : undefined;
  if (ctx.signal.aborted) fire('aborted');
  else ctx.signal.addEventListener('abort', onAbort, { once: true });
  return {
    signal: controller.signal,
    reason: () => why,
    stop: () => fire('stopped'),
    dispose: () => {
      if (timer !== undefined) timers.clearTimeout(timer);
      ctx.signal.removeEventListener('abort', onAbort);
    },
  };
}
