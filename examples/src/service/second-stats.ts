/** Latency bounds (ms) the per-second record counts requests above: the histogram's tail buckets. */
export const SLOW_BOUNDS_MS: readonly number[] = [100, 250, 500, 1000];

/** One second of the service's own record. */
export interface ServiceSecond {
  /** Epoch second (ms since the epoch / 1000, rounded down). */
  readonly second: number;
  readonly requests: number;
  /** Requests slower than each of SLOW_BOUNDS_MS, in that order. */
  readonly slower: readonly number[];
  /** The slowest request (ms), 0 without requests. */
  readonly maxMs: number;
  /**
   * The event loop's worst delay in this second (ms): how long a ready callback waited for the
   * CPU. Large values while requests are slow mean CPU contention, not a slow release.
   */
  readonly loopDelayMs: number;
}

interface Mutable {
  second: number;
  requests: number;
  slower: number[];
  maxMs: number;
  loopDelayMs: number;
}

/** The last `keepSeconds` seconds of requests and event-loop delay, second by second. */
export class SecondStats {
  readonly #seconds: Mutable[] = [];
  constructor(readonly keepSeconds = 900) {}

  #at(atMs: number): Mutable {
    const second = Math.floor(atMs / 1000);
    const last = this.#seconds.at(-1);
    if (last !== undefined && last.second === second) return last;
    const fresh = { second, requests: 0, slower: SLOW_BOUNDS_MS.map(() => 0), maxMs: 0, loopDelayMs: 0 };
    // Clocks only move forward here (one process, Date.now()); an older second is folded into the last.
    if (last !== undefined && last.second > second) return last;
    this.#seconds.push(fresh);
    while (this.#seconds.length > this.keepSeconds) this.#seconds.shift();
    return fresh;
  }

  /** Counts one request that finished at `atMs` after `durationMs`. */
  request(atMs: number, durationMs: number): void {
    const s = this.#at(atMs);
    s.requests += 1;
    SLOW_BOUNDS_MS.forEach((bound, i) => {
      if (durationMs > bound) s.slower[i] = (s.slower[i] ?? 0) + 1;
    });
    s.maxMs = Math.max(s.maxMs, durationMs);
  }

  /** Records the event loop's worst delay measured up to `atMs`. */
  loopDelay(atMs: number, delayMs: number): void {
    const s = this.#at(atMs);
    s.loopDelayMs = Math.max(s.loopDelayMs, Math.round(delayMs));
  }

  list(): ServiceSecond[] {
    return this.#seconds.map((s) => ({ ...s, slower: [...s.slower], maxMs: Math.round(s.maxMs) }));
  }
}
