import { describe, expect, it } from 'vitest';
import { portSignal } from '../../src/node/port-signal';
import type { PortContext } from '../../src/ports/abort';
import { SimulatedClock } from '../../src/testing/simulated-clock';

function context(clock: SimulatedClock, ms: number): { ctx: PortContext; abort: (reason?: unknown) => void } {
  const controller = new AbortController();
  return {
    ctx: { signal: controller.signal, deadline: clock.now() + ms },
    abort: (reason) => controller.abort(reason),
  };
}

describe('portSignal', () => {
  it('fires with the caller abort and its reason', () => {
    const clock = new SimulatedClock(1_000);
    const { ctx, abort } = context(clock, 5_000);
    const link = portSignal(ctx, clock);
    expect(link.signal.aborted).toBe(false);
    abort('stop');
    expect(link.signal.aborted).toBe(true);
    expect(link.signal.reason).toBe('stop');
    expect(link.reason()).toBe('aborted');
    link.dispose();
  });

  it('fires at once for an already-aborted context', () => {
    const clock = new SimulatedClock(1_000);
    const { ctx, abort } = context(clock, 5_000);
    abort();
    const link = portSignal(ctx, clock);
    expect(link.reason()).toBe('aborted');
    link.dispose();
  });

  it('fires at the deadline by the clock, or at the tighter local limit', async () => {
    const clock = new SimulatedClock(1_000);
    const deadline = portSignal(context(clock, 5_000).ctx, clock);
    const limited = portSignal(context(clock, 5_000).ctx, clock, { limitMs: 1_000 });
    await clock.advanceAsync(999);
    expect(limited.reason()).toBeUndefined();
    await clock.advanceAsync(1);
    expect(limited.reason()).toBe('limit');
    expect(deadline.reason()).toBeUndefined();
    await clock.advanceAsync(4_000);
    expect(deadline.reason()).toBe('deadline');
    deadline.dispose();
    limited.dispose();
  });

  it('keeps the first cause, can be stopped by the call itself, and stops listening once disposed', async () => {
    const clock = new SimulatedClock(1_000);
    const { ctx, abort } = context(clock, 5_000);
    const stopped = portSignal(ctx, clock);
    stopped.stop();
    abort('late');
    expect(stopped.reason()).toBe('stopped');
    stopped.dispose();

    const other = context(clock, 5_000);
    const disposed = portSignal(other.ctx, clock);
    disposed.dispose();
    other.abort();
    await clock.advanceAsync(10_000);
    expect(disposed.reason()).toBeUndefined();
    expect(disposed.signal.aborted).toBe(false);
  });
});
