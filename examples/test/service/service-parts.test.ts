import { describe, expect, it } from 'vitest';
import { SecondStats } from '../../src/service/second-stats';
import { SessionCache } from '../../src/service/session-cache';
import { WorkerPool } from '../../src/service/worker-pool';

describe('the session cache (sessions that die in the old generation)', () => {
  it("keeps each request's session for ttlSeconds, then lets it go", () => {
    const cache = new SessionCache({ bytesPerRequest: 4_096, ttlSeconds: 30 });
    for (let t = 0; t < 10; t++) cache.serve(1_000_000 + t * 1_000);
    expect(cache.size).toBe(10);
    expect(cache.bytes).toBe(10 * 4_096);
    // At +40 s the sessions of +0..+10 s have expired; the new one stays.
    cache.serve(1_000_000 + 40_000);
    expect(cache.size).toBe(1);
    expect(cache.bytes).toBe(4_096);
  });
});

describe('the worker pool (queueing under load)', () => {
  it('works on at most `size` requests at once and serves the rest in arrival order', async () => {
    const pool = new WorkerPool(2);
    let running = 0;
    let most = 0;
    const started: number[] = [];
    const gates: (() => void)[] = [];
    const tasks = [0, 1, 2, 3, 4].map((i) =>
      pool.run(async () => {
        started.push(i);
        running += 1;
        most = Math.max(most, running);
        await new Promise<void>((resolve) => gates.push(resolve));
        running -= 1;
        return i;
      }),
    );
    await new Promise((r) => setTimeout(r, 10));
    expect(started).toEqual([0, 1]);
    while (started.length < 5 || gates.length > 0) {
      gates.shift()?.();
      await new Promise((r) => setTimeout(r, 1));
    }
    expect(await Promise.all(tasks)).toEqual([0, 1, 2, 3, 4]);
    expect(started).toEqual([0, 1, 2, 3, 4]);
    expect(most).toBe(2);
  });
});

describe("the service's per-second record", () => {
  it('counts requests, slow ones above each bound and the worst event-loop delay per second', () => {
    const stats = new SecondStats(3);
    stats.request(10_100, 12);
    stats.request(10_900, 120);
    stats.request(10_950, 600);
    stats.loopDelay(10_990, 41.6);
    stats.request(11_000, 1_500);
    expect(stats.list()).toEqual([
      { second: 10, requests: 3, slower: [2, 1, 1, 0], maxMs: 600, loopDelayMs: 42 },
      { second: 11, requests: 1, slower: [1, 1, 1, 1], maxMs: 1_500, loopDelayMs: 0 },
    ]);
    for (const at of [12_000, 13_000, 14_000]) stats.request(at, 1);
    expect(stats.list().map((s) => s.second)).toEqual([12, 13, 14]); // keeps the last 3 seconds
  });
});
