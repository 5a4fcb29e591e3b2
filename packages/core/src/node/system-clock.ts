import type { Clock } from '../time/clock';

/** Node fires a timer longer than this after 1 ms; longer waits are chained instead. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** The real clock: `Date.now()` and the host's timers. The only Clock production code needs. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, Math.min(Math.max(0, ms), MAX_TIMER_MS)),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};
