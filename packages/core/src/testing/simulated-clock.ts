import type { Clock, TimerHandle } from '../time/clock';

interface PendingTimer {
  readonly id: number;
  readonly due: number;
  readonly fn: () => void;
}

/**
 * A Clock whose time moves only when a test says so. Timers fire in due order (ties in the order
 * they were set) and `now()` reads each timer's due time while it runs.
 *
 * Use `advance` for synchronous code and `advanceAsync` when timers start promise chains (an
 * interpreter loop): it lets pending promise jobs settle between timers.
 */
export class SimulatedClock implements Clock {
  #now: number;
  #nextId = 1;
  #timers: PendingTimer[] = [];

  constructor(startMs = 0) {
    this.#now = startMs;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = this.#nextId++;
    const due = this.#now + Math.max(0, Number.isFinite(ms) ? ms : 0);
    // Inserted after every timer due at or before it (ids only grow, so ties stay in the order
    // they were set) with a binary search, not by sorting all pending timers: a fleet of N
    // watches sets about N timers per step, and a sort per timer made a step O(N^2) in this
    // double alone (docs/benchmarks.md, "the evaluation's allocations").
    const timers = this.#timers;
    let lo = 0;
    let hi = timers.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((timers[mid] as PendingTimer).due <= due) lo = mid + 1;
      else hi = mid;
    }
    if (lo === timers.length) timers.push({ id, due, fn });
    else timers.splice(lo, 0, { id, due, fn });
    return id;
  }

  clearTimeout(handle: TimerHandle): void {
    const at = this.#timers.findIndex((t) => t.id === handle);
    if (at !== -1) this.#timers.splice(at, 1);
  }

  /** Number of timers not yet fired. */
  get pendingTimers(): number {
    return this.#timers.length;
  }

  /** Epoch ms of the next timer, or undefined when none is pending. */
  get nextDue(): number | undefined {
    return this.#timers[0]?.due;
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way. */
  advance(ms: number): void {
    const target = this.#now + ms;
    for (;;) {
      const next = this.#timers[0];
      if (!next || next.due > target) break;
      this.#timers.shift();
      this.#now = Math.max(this.#now, next.due);
      next.fn();
    }
    this.#now = target;
  }

  /** Like {@link advance}, letting promise jobs settle before and after every timer. */
  async advanceAsync(ms: number): Promise<void> {
    const target = this.#now + ms;
    await flushPromises();
    for (;;) {
      const next = this.#timers[0];
      if (!next || next.due > target) break;
      this.#timers.shift();
      this.#now = Math.max(this.#now, next.due);
      next.fn();
      await flushPromises();
    }
    this.#now = target;
    await flushPromises();
  }

  /** Sets the time (it never goes backwards) and fires what fell due. */
  set(epochMs: number): void {
    this.advance(Math.max(0, epochMs - this.#now));
  }
}

/**
 * Settles `work` by moving the clock from timer to timer whenever nothing else can progress:
 * a watch that sleeps for minutes of clock time finishes in milliseconds. Only for work whose
 * I/O is in memory (promise jobs); `maxTimers` guards against a loop that never ends.
 */
export async function runOnClock<T>(
  clock: SimulatedClock,
  work: Promise<T>,
  maxTimers = 1_000_000,
): Promise<T> {
  let settled = false;
  let value: T | undefined;
  let failure: unknown;
  let failed = false;
  work.then(
    (v) => {
      settled = true;
      value = v;
    },
    (e: unknown) => {
      settled = true;
      failed = true;
      failure = e;
    },
  );
  for (let fired = 0; fired <= maxTimers; fired++) {
    // Let the work run until it settles or waits on a timer; long promise chains need many turns.
    for (let round = 0; round < 100 && !settled && clock.nextDue === undefined; round++)
      await flushPromises();
    if (settled) break;
    const next = clock.nextDue;
    if (next === undefined)
      throw new Error('runOnClock: the work is waiting on something other than the clock');
    clock.set(next);
  }
  if (!settled) throw new Error(`runOnClock: not settled after ${maxTimers} timers`);
  if (failed) throw failure;
  return value as T;
}

/** Lets queued promise jobs run: enough turns for a few levels of nested awaits. */
export async function flushPromises(turns = 50): Promise<void> {
  for (let i = 0; i < turns; i++) await Promise.resolve();
}
