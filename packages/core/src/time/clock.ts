import { RollgateError } from '../errors/rollgate-error';
import type { AbortSignalLike } from '../ports/abort';

/** An opaque handle returned by {@link Clock.setTimeout}. */
export type TimerHandle = unknown;

/**
 * Time as a port. Core never calls `Date.now()` or `setTimeout` directly: it asks its Clock,
 * so tests advance a `SimulatedClock` (from `@rollgate/core/testing`) instead of faking globals
 * and `@rollgate/core/node` provides `systemClock` for production.
 */
export interface Clock {
  /** Current time in epoch milliseconds. */
  now(): number;
  /** Calls `fn` once after `ms` milliseconds of this clock's time. */
  setTimeout(fn: () => void, ms: number): TimerHandle;
  /** Cancels a pending {@link Clock.setTimeout}; unknown handles are ignored. */
  clearTimeout(handle: TimerHandle): void;
}

/**
 * Waits `ms` of the clock's time. Rejects with `ABORTED` when `signal` fires first, so a
 * cancelled watch never hangs on a timer.
 */
export function sleep(clock: Clock, ms: number, signal?: AbortSignalLike): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortError(signal));
      return;
    }
    const onAbort = (): void => {
      clock.clearTimeout(handle);
      reject(abortError(signal));
    };
    const handle = clock.setTimeout(
      () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      },
      Math.max(0, ms),
    );
    signal?.addEventListener('abort', onAbort, ONCE);
  });
}

/** The listener option of every sleep, one shared object (read, never kept, by the signal). */
const ONCE: { readonly once: true } = Object.freeze({ once: true });

function abortError(signal: AbortSignalLike | undefined): RollgateError {
  return new RollgateError('ABORTED', 'The operation was aborted.', {
    cause: signal?.reason,
    component: 'clock',
  });
}
