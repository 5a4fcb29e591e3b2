/**
 * What a port's call threw or rejected with, carried as a value. A caller that awaits a port's
 * Promise in its own frame, or later than it sent it, turns a rejection into a `Thrown` so that
 * no rejection goes unhandled, and the code that checks the port's answers makes it a failed
 * result: a metric source's in evaluation/read-with-retry.ts (`afterFirstAttempt`), the other
 * ports' in machine/controller.ts.
 */
export class Thrown {
  constructor(readonly error: unknown) {}
}

/** The handler a caller puts on a port's Promise it awaits later: a rejection becomes a value. */
export function asThrown(error: unknown): Thrown {
  return new Thrown(error);
}
