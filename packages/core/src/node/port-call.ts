import { RollgateError } from '../errors/rollgate-error';
import type { PortContext } from '../ports/abort';
import { fail, type Result } from '../ports/result';
import type { Clock } from '../time/clock';

/** Node clamps longer timer delays to 1 ms, so a far deadline gets no timer at all. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Runs one port call under its context: `ABORTED` when the signal has fired or fires first,
 * `TIMEOUT` (retryable) when the deadline has passed or passes first, and anything the call
 * throws turned into a `fallbackCode` result, so a port method never rejects.
 *
 * `operation` receives `abandoned()`: true once the caller has been answered `ABORTED` or
 * `TIMEOUT`. A queued operation checks it before starting, so a call the caller gave up on never
 * takes effect later. One already running cannot be cancelled (local file I/O) and finishes in
 * the background; every write is atomic, so that is harmless.
 */
export async function runPortCall<T>(
  ctx: PortContext,
  clock: Clock,
  component: string,
  fallbackCode: 'STORE_FAILED' | 'STATE_CORRUPT' | 'NOTIFY_FAILED',
  operation: (abandoned: () => boolean) => Promise<Result<T>>,
): Promise<Result<T>> {
  if (ctx.signal.aborted) return fail(abortedError(component, ctx.signal.reason));
  const remaining = ctx.deadline - clock.now();
  if (!(remaining > 0)) return fail(timeoutError(component));

  let timer: unknown;
  let onAbort: (() => void) | undefined;
  let gaveUp = false;
  const interrupted = new Promise<Result<T>>((resolve) => {
    const giveUp = (error: RollgateError) => {
      gaveUp = true;
      resolve(fail(error));
    };
    onAbort = () => giveUp(abortedError(component, ctx.signal.reason));
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    if (remaining <= MAX_TIMER_MS) timer = clock.setTimeout(() => giveUp(timeoutError(component)), remaining);
  });
  const guarded = operation(() => gaveUp).catch((error: unknown) =>
    fail<T>(RollgateError.from(error, fallbackCode, component)),
  );
  try {
    return await Promise.race([guarded, interrupted]);
  } finally {
    if (timer !== undefined) clock.clearTimeout(timer);
    if (onAbort) ctx.signal.removeEventListener('abort', onAbort);
  }
}

/** The result a queued operation returns when its caller has already given up. */
export function abandonedResult<T>(component: string): Result<T> {
  return fail(
    new RollgateError('ABORTED', 'The caller gave up before the operation started; nothing was done.', {
      component,
    }),
  );
}

function abortedError(component: string, reason: unknown): RollgateError {
  return new RollgateError('ABORTED', 'The operation was aborted by the caller.', {
    component,
    cause: reason,
  });
}

function timeoutError(component: string): RollgateError {
  return new RollgateError('TIMEOUT', 'The operation did not finish before its deadline; try again.', {
    component,
    retryable: true,
  });
}
