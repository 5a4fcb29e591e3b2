import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConcurrencyLimiter } from '../../src/transport/concurrency-limiter';

const never = (): AbortSignal => new AbortController().signal;

describe('ConcurrencyLimiter', () => {
  it('grants up to the limit at once and queues the rest in arrival order', async () => {
    const limiter = new ConcurrencyLimiter(2);
    const a = await limiter.acquire(never());
    const b = await limiter.acquire(never());
    const order: string[] = [];
    const c = limiter.acquire(never()).then((release) => {
      order.push('c');
      return release;
    });
    const d = limiter.acquire(never()).then((release) => {
      order.push('d');
      return release;
    });
    await Promise.resolve();
    expect(limiter.active).toBe(2);
    expect(limiter.waiting).toBe(2);
    a();
    (await c)();
    b();
    (await d)();
    expect(order).toEqual(['c', 'd']);
    expect(limiter.active).toBe(0);
  });

  it('rejects at once for an aborted signal', async () => {
    const limiter = new ConcurrencyLimiter(1);
    const c = new AbortController();
    c.abort('gone');
    await expect(limiter.acquire(c.signal)).rejects.toBe('gone');
    expect(limiter.active).toBe(0);
  });

  it('drops a queued waiter whose signal fires, and the slot goes to the next one', async () => {
    const limiter = new ConcurrencyLimiter(1);
    const held = await limiter.acquire(never());
    const c = new AbortController();
    const abandoned = limiter.acquire(c.signal);
    const next = limiter.acquire(never());
    c.abort(new Error('deadline'));
    await expect(abandoned).rejects.toThrow('deadline');
    expect(limiter.waiting).toBe(1);
    held();
    const release = await next;
    expect(limiter.active).toBe(1);
    release();
    release();
    expect(limiter.active).toBe(0);
  });

  it('never has more than the limit active, whatever the order of work and aborts', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 5 }),
        fc.array(
          fc.record({
            ms: fc.integer({ min: 0, max: 3 }),
            abortAfter: fc.option(fc.integer({ min: 0, max: 3 })),
          }),
          {
            maxLength: 30,
          },
        ),
        async (limit, jobs) => {
          const limiter = new ConcurrencyLimiter(limit);
          let active = 0;
          let peak = 0;
          await Promise.all(
            jobs.map(async (job) => {
              const c = new AbortController();
              if (job.abortAfter !== null) setTimeout(() => c.abort(), job.abortAfter);
              let release: () => void;
              try {
                release = await limiter.acquire(c.signal);
              } catch {
                return;
              }
              active += 1;
              peak = Math.max(peak, active);
              await new Promise((r) => setTimeout(r, job.ms));
              active -= 1;
              release();
            }),
          );
          expect(peak).toBeLessThanOrEqual(limit);
          expect(limiter.active).toBe(0);
          expect(limiter.waiting).toBe(0);
        },
      ),
      { numRuns: 40 },
    );
  });
});
