import type { RollgateError } from '../errors/rollgate-error';
import type { Notification, Notifier } from '../ports/notifier';
import { fail, ok } from '../ports/result';
import { contextError, decideFault, type FakeOptions } from './memory-faults';

const COMPONENT = 'recording-notifier';

/** A {@link Notifier} that records what it was asked to send. */
export interface RecordingNotifier extends Notifier {
  /** Notifications delivered (calls that resolved `ok`), in order. */
  readonly notifications: readonly Notification[];
  /** Every call, delivered or failed, in order. */
  readonly attempts: readonly Notification[];
  /** Fails every following call with `error` until called again with null. */
  failWith(error: RollgateError | null): void;
  /** Fails only the next call with `error`. */
  failNext(error: RollgateError): void;
}

/**
 * A {@link Notifier} for tests: records notifications, and can be told to fail (all calls, the
 * next one, or per call through the `fault` injector). Honours `ctx.signal` (and `ctx.deadline`
 * when given a clock) like a real notifier.
 */
export function createRecordingNotifier(options: FakeOptions = {}): RecordingNotifier {
  const notifications: Notification[] = [];
  const attempts: Notification[] = [];
  let failing: RollgateError | null = null;
  const queued: RollgateError[] = [];
  const copy = (n: Notification): Notification => JSON.parse(JSON.stringify(n)) as Notification;

  return {
    async notify(notification, ctx) {
      const early = contextError(ctx, options.clock, COMPONENT);
      if (early) return fail(early);
      attempts.push(copy(notification));
      const fault =
        queued.shift() ??
        failing ??
        decideFault(options.fault, { port: 'notifier', method: 'notify', subject: notification.title })
          ?.error;
      if (fault) return fail(fault);
      notifications.push(copy(notification));
      return ok(undefined);
    },
    get notifications() {
      return [...notifications];
    },
    get attempts() {
      return [...attempts];
    },
    failWith(error) {
      failing = error;
    },
    failNext(error) {
      queued.push(error);
    },
  };
}
