import type { AbortSignalLike, Clock, TimerHandle } from '@rollgate/core';
import { RollgateError } from '@rollgate/core';

const COMPONENT = 'newrelic-source';

/** Why a guarded call was cut short. */
export type CutReason = 'aborted' | 'timeout';

/**
 * Bridges a port call's `ctx.signal` (core's `AbortSignalLike`) and `ctx.deadline` into one real
 * `AbortSignal` for undici and the queue, remembering which of the two fired first.
 */
export class CallGuard {
  readonly #controller = new AbortController();
  readonly #outer: AbortSignalLike;
  readonly #clock: Clock;
  readonly #timer: TimerHandle;
  readonly #onOuterAbort = (): void => this.#cut('aborted');
  #reason: CutReason | undefined;

  /** `remainingMs` is the time left before the deadline, by `clock`; it must be > 0. */
  constructor(outer: AbortSignalLike, remainingMs: number, clock: Clock) {
    this.#outer = outer;
    this.#clock = clock;
    this.#timer = clock.setTimeout(() => this.#cut('timeout'), remainingMs);
    outer.addEventListener('abort', this.#onOuterAbort, { once: true });
    if (outer.aborted) this.#cut('aborted');
  }

  /** Fires when the caller aborts or the deadline passes. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** What cut the call short, or `undefined` while it runs. */
  get reason(): CutReason | undefined {
    return this.#reason;
  }

  /** The error result for a call that was cut short. */
  error(): RollgateError {
    return this.#reason === 'aborted' ? abortedError(this.#outer.reason) : timeoutError();
  }

  /** Stops the timer and detaches from the caller's signal. Call once the call has settled. */
  dispose(): void {
    this.#clock.clearTimeout(this.#timer);
    this.#outer.removeEventListener('abort', this.#onOuterAbort);
  }

  #cut(reason: CutReason): void {
    if (this.#reason !== undefined) return;
    this.#reason = reason;
    this.#controller.abort(reason === 'aborted' ? abortedError(this.#outer.reason) : timeoutError());
  }
}

/** `ABORTED`: the caller gave up. Not retryable: the caller decided. */
export function abortedError(cause?: unknown): RollgateError {
  return new RollgateError('ABORTED', 'The read was aborted by the caller.', {
    component: COMPONENT,
    ...(cause === undefined ? {} : { cause }),
  });
}

/** `TIMEOUT`: the deadline passed before NerdGraph answered. Retryable. */
export function timeoutError(): RollgateError {
  return new RollgateError(
    'TIMEOUT',
    'NerdGraph did not answer before the read deadline. Retry, or allow the read more time.',
    { component: COMPONENT, retryable: true },
  );
}
