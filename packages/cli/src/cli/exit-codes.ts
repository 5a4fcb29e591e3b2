/**
 * The exit codes of `rollgate`, documented in docs/cli.md. Pipelines branch on them, so they
 * never change meaning.
 */
export const EXIT_CODES = {
  /** Kept or promoted (also: a command that succeeded). */
  ok: 0,
  /** Rollgate could not do its job: an unreadable store, a corrupt snapshot, a bad signature found by `artifacts verify`, an internal error. */
  failure: 1,
  /** Invalid configuration or command line; nothing was done. */
  usage: 2,
  /**
   * Not finished yet: `status` lists a watch still running; `promote|abort|retry` delivered the
   * request but the watch has not applied it within `--wait`.
   */
  pending: 3,
  /** Rolled back and recovery verified; with `--dry-run`, a rollback would have happened. */
  rolledBack: 10,
  /** Escalated, halted or kept on hold: a human must look. */
  needsHuman: 20,
  /** The breach began before the deploy: routed to the incident process, no rollback. */
  incidentRouted: 30,
  /**
   * Another controller owns this service's watch (its lease is held, or was taken over while
   * this one ran): this process did nothing more. Run again later, or with `--wait`.
   */
  leaseHeld: 75,
  /** Stopped by Ctrl-C (SIGINT); the snapshot is kept and the same command resumes. */
  interrupted: 130,
  /** Stopped by SIGTERM; the snapshot is kept and the same command resumes. */
  terminated: 143,
} as const;

/** One of {@link EXIT_CODES}. */
export type ExitCode = (typeof EXIT_CODES)[keyof typeof EXIT_CODES];
