import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RollgateError } from '../../src/errors/rollgate-error';
import { SimulatedClock } from '../../src/testing/simulated-clock';
import { sleep } from '../../src/time/clock';

describe('sleep on a SimulatedClock', () => {
  it('resolves only when the clock reaches the due time', async () => {
    const clock = new SimulatedClock(1_000);
    let done = false;
    const p = sleep(clock, 500).then(() => {
      done = true;
    });
    await clock.advanceAsync(499);
    expect(done).toBe(false);
    await clock.advanceAsync(1);
    await p;
    expect(done).toBe(true);
    expect(clock.now()).toBe(1_500);
  });

  it('rejects with ABORTED and clears its timer when aborted', async () => {
    const clock = new SimulatedClock();
    const c = new AbortController();
    const p = sleep(clock, 10_000, c.signal);
    c.abort();
    const err = await p.catch((e: unknown) => e);
    expect(RollgateError.is(err) && err.code).toBe('ABORTED');
    expect(clock.pendingTimers).toBe(0);
  });

  it('fires any set of timers in due order, ties in the order set, cleared ones never', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 30 }), fc.boolean()), { maxLength: 60 }),
        (timers) => {
          const clock = new SimulatedClock(1_000);
          const fired: number[] = [];
          const handles = timers.map(([ms], i) => clock.setTimeout(() => fired.push(i), ms));
          timers.forEach(([, cleared], i) => {
            if (cleared) clock.clearTimeout(handles[i] as number);
          });
          clock.advance(100);
          const expected = timers
            .map(([ms, cleared], i) => ({ ms, cleared, i }))
            .filter((t) => !t.cleared)
            .sort((a, b) => a.ms - b.ms || a.i - b.i)
            .map((t) => t.i);
          expect(fired).toEqual(expected);
          expect(clock.pendingTimers).toBe(0);
        },
      ),
    );
  });

  it('fires timers in due order, ties in insertion order', () => {
    const clock = new SimulatedClock();
    const order: string[] = [];
    clock.setTimeout(() => order.push('b'), 20);
    clock.setTimeout(() => order.push('a'), 10);
    clock.setTimeout(() => order.push('c'), 20);
    const cancelled = clock.setTimeout(() => order.push('x'), 15);
    clock.clearTimeout(cancelled);
    clock.advance(100);
    expect(order).toEqual(['a', 'b', 'c']);
  });
});
