import type { Clock } from '../time/clock';

/** The real clock: `Date.now()` and the host's timers. The only Clock production code needs. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};
