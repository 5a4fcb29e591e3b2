import { RollgateError } from '../errors/rollgate-error';
import type { PortContext } from '../ports/abort';
import type { Clock } from '../time/clock';

/** One call to an in-memory fake, as a fault injector sees it. */
export interface FakeCall {
  /** Which fake: `state`, `audit`, `artifacts`, `notifier` or `lease`. */
  readonly port: 'state' | 'audit' | 'artifacts' | 'notifier' | 'lease';
  /** The port method, e.g. `save`, `write`, `lastVerified`. */
  readonly method: string;
  /** The state key, watch id, service or notification title the call is about. */
  readonly subject: string;
}

/**
 * What a fault injector asks for: fail the call with `error`, either before it takes effect
 * (`'skip'`, the default: nothing changes) or after (`'apply'`: the change is made but the
 * caller sees a failure, like a reply lost after a successful write).
 */
export interface FaultDecision {
  readonly error: RollgateError;
  readonly effect?: 'skip' | 'apply';
}

/**
 * Decides per call whether a fake fails, for tests that walk the machine with ports failing at
 * random (drive it from a fast-check seed). Return nothing to let the call succeed, an error as
 * a shorthand for `{ error, effect: 'skip' }`, or a {@link FaultDecision}.
 */
export type FaultInjector = (call: FakeCall) => RollgateError | FaultDecision | undefined;

/** Options every in-memory fake accepts. */
export interface FakeOptions {
  /** When given, calls whose `ctx.deadline` has passed by this clock resolve `TIMEOUT`. */
  readonly clock?: Clock;
  /** Injects failures; see {@link FaultInjector}. */
  readonly fault?: FaultInjector;
}

/** Normalises an injector's answer. */
export function decideFault(fault: FaultInjector | undefined, call: FakeCall): FaultDecision | undefined {
  const decision = fault?.(call);
  if (decision === undefined) return undefined;
  return RollgateError.is(decision) ? { error: decision, effect: 'skip' } : decision;
}

/**
 * The error a fake resolves with before doing anything: `ABORTED` when the signal fired,
 * `TIMEOUT` (retryable) when the deadline has passed by the fake's clock.
 */
export function contextError(
  ctx: PortContext,
  clock: Clock | undefined,
  component: string,
): RollgateError | undefined {
  if (ctx.signal.aborted) {
    return new RollgateError('ABORTED', 'The operation was aborted by the caller.', {
      component,
      cause: ctx.signal.reason,
    });
  }
  if (clock !== undefined && !(ctx.deadline - clock.now() > 0)) {
    return new RollgateError('TIMEOUT', 'The operation did not finish before its deadline; try again.', {
      component,
      retryable: true,
    });
  }
  return undefined;
}
