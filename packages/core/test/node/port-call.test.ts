import { describe, expect, it } from 'vitest';
import { abandonedResult, runPortCall } from '../../src/node/port-call';
import { SerialQueue } from '../../src/node/serial-queue';
import { ok } from '../../src/ports/result';
import { SimulatedClock } from '../../src/testing/simulated-clock';

function gate() {
  let open: () => void = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

describe('runPortCall with a SerialQueue (how the file stores run every call)', () => {
  const clock = new SimulatedClock(1_000);

  it('a queued call the caller gave up on never takes effect later', async () => {
    const queue = new SerialQueue();
    const effects: string[] = [];
    const first = gate();
    const run = (name: string, signal: AbortSignal, wait?: Promise<void>) =>
      runPortCall({ signal, deadline: clock.now() + 60_000 }, clock, 'test', 'STORE_FAILED', (abandoned) =>
        queue.run(async () => {
          if (abandoned()) return abandonedResult<string>('test');
          await wait;
          effects.push(name);
          return ok(name);
        }),
      );
    const slow = run('first', new AbortController().signal, first.opened);
    const controller = new AbortController();
    const second = run('second', controller.signal);
    controller.abort();
    const abandoned = await second;
    expect(!abandoned.ok && abandoned.error.code).toBe('ABORTED');
    first.open();
    expect(await slow).toEqual({ ok: true, value: 'first' });
    expect(await run('third', new AbortController().signal)).toEqual({ ok: true, value: 'third' });
    expect(effects).toEqual(['first', 'third']);
  });

  it('answers TIMEOUT at the deadline by the given clock, and turns a throw into the fallback code', async () => {
    const stuck = gate();
    const pending = runPortCall(
      { signal: new AbortController().signal, deadline: clock.now() + 500 },
      clock,
      'test',
      'STATE_CORRUPT',
      async () => {
        await stuck.opened;
        return ok(1);
      },
    );
    await clock.advanceAsync(500);
    const timedOut = await pending;
    expect(!timedOut.ok && [timedOut.error.code, timedOut.error.retryable]).toEqual(['TIMEOUT', true]);
    stuck.open();

    const thrown = await runPortCall(
      { signal: new AbortController().signal, deadline: clock.now() + 500 },
      clock,
      'test',
      'STATE_CORRUPT',
      async () => {
        throw new Error('disk on fire');
      },
    );
    expect(!thrown.ok && [thrown.error.code, thrown.error.message, thrown.error.component]).toEqual([
      'STATE_CORRUPT',
      'disk on fire',
      'test',
    ]);
    expect(clock.pendingTimers).toBe(0);
  });

  it('sets no timer for a deadline beyond the host timer range (Node would fire it after 1 ms)', async () => {
    const timersDuring: number[] = [];
    for (const deadline of [Number.MAX_SAFE_INTEGER, Number.POSITIVE_INFINITY, clock.now() + 1_000]) {
      const result = await runPortCall(
        { signal: new AbortController().signal, deadline },
        clock,
        'test',
        'STORE_FAILED',
        async () => {
          timersDuring.push(clock.pendingTimers);
          return ok('done');
        },
      );
      expect(result).toEqual({ ok: true, value: 'done' });
    }
    expect(timersDuring).toEqual([0, 0, 1]);
  });
});
