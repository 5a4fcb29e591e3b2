import { describe, expect, it } from 'vitest';
import { RollgateError } from '../../src/errors/rollgate-error';
import type { Notification } from '../../src/ports/notifier';
import { createRecordingNotifier } from '../../src/testing/recording-notifier';
import { SimulatedClock } from '../../src/testing/simulated-clock';
import { abortedContext, liveContext } from './fixtures/port-context';

const note = (title: string): Notification => ({
  kind: 'alert',
  service: 'checkout',
  title,
  summary: 'rolled back',
  watchId: 'w-1',
  fields: { signal: 'errors' },
});

describe('createRecordingNotifier', () => {
  it('records delivered notifications as copies', async () => {
    const notifier = createRecordingNotifier();
    const n = note('one');
    expect(await notifier.notify(n, liveContext())).toEqual({ ok: true, value: undefined });
    expect(notifier.notifications).toEqual([n]);
    expect(notifier.notifications[0]).not.toBe(n);
  });

  it('can be told to fail: the next call, every call, or per call', async () => {
    const notifier = createRecordingNotifier({
      fault: (call) => (call.subject === 'injected' ? new RollgateError('NOTIFY_FAILED', 'x') : undefined),
    });
    const once = new RollgateError('NOTIFY_FAILED', 'next only', { retryable: true });
    notifier.failNext(once);
    expect(await notifier.notify(note('a'), liveContext())).toEqual({ ok: false, error: once });
    expect((await notifier.notify(note('b'), liveContext())).ok).toBe(true);
    const always = new RollgateError('NOTIFY_FAILED', 'down');
    notifier.failWith(always);
    expect(await notifier.notify(note('c'), liveContext())).toEqual({ ok: false, error: always });
    expect(await notifier.notify(note('d'), liveContext())).toEqual({ ok: false, error: always });
    notifier.failWith(null);
    expect((await notifier.notify(note('injected'), liveContext())).ok).toBe(false);
    expect((await notifier.notify(note('e'), liveContext())).ok).toBe(true);
    expect(notifier.notifications.map((n) => n.title)).toEqual(['b', 'e']);
    expect(notifier.attempts.map((n) => n.title)).toEqual(['a', 'b', 'c', 'd', 'injected', 'e']);
  });

  it('honours an aborted signal and, with a clock, the deadline', async () => {
    const clock = new SimulatedClock(1_000);
    const notifier = createRecordingNotifier({ clock });
    const aborted = await notifier.notify(note('x'), abortedContext());
    expect(!aborted.ok && aborted.error.code).toBe('ABORTED');
    const late = await notifier.notify(note('y'), { signal: new AbortController().signal, deadline: 1_000 });
    expect(!late.ok && late.error.code).toBe('TIMEOUT');
    expect(notifier.attempts).toEqual([]);
  });
});
