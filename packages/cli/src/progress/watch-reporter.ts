import type {
  AuditOutcome,
  Command,
  Contract,
  ControllerEvents,
  Evaluation,
  MachineSnapshot,
} from '@rollgate/core';

/** What a watch is about to do, for the first lines of output. */
export interface WatchStart {
  readonly at: number;
  readonly service: string;
  readonly watchId: string;
  readonly artifactId: string;
  readonly deployedAt: number;
  readonly dryRun: boolean;
  /** Continuing a stored snapshot rather than starting afresh. */
  readonly resumed: boolean;
  readonly contract: Contract;
  readonly executor: string;
  readonly stateDir: string;
  readonly audit: string;
}

/** The final object of a watch: the last line of `--json`, and what the exit code is based on. */
export interface WatchSummary {
  readonly type: 'summary';
  readonly outcome: AuditOutcome | 'interrupted' | 'error';
  readonly exitCode: number;
  readonly watchId: string | null;
  readonly service: string | null;
  readonly reason: string;
  readonly dryRun: boolean;
  readonly artifact: string | null;
  readonly deployedAt: string | null;
  readonly failedArtifact: string | null;
  readonly restoredArtifact: string | null;
  readonly recoveryVerified: boolean | null;
  readonly breach: {
    readonly signal: string;
    readonly value: number | null;
    readonly threshold: number | null;
    readonly samples: number;
    readonly statistic: string | null;
    readonly statisticValue: number | null;
    readonly alpha: number | null;
    readonly confirmedAt: string;
  } | null;
  readonly audit: string | null;
  readonly report: string | null;
  /** The command that continues an interrupted watch. */
  readonly resume: string | null;
  readonly durationSeconds: number | null;
  readonly error: { readonly code: string; readonly message: string } | null;
}

/**
 * Receives a watch's progress and renders it: a live table on a terminal, timestamped lines
 * in a log, one JSON object per line with `--json`.
 */
export interface WatchReporter {
  start(start: WatchStart): void;
  notice(message: string, level?: 'info' | 'warning'): void;
  evaluation(evaluation: Evaluation): void;
  transition(transition: ControllerEvents['transition']): void;
  command(command: Command, at: number): void;
  storeError(error: ControllerEvents['store-error'], at: number): void;
  /**
   * The watch's snapshot after a step (and at its start): what the progress needs beyond the
   * evaluation, such as the latency thresholds of the baseline and the artifact restored.
   */
  snapshot?(snapshot: MachineSnapshot): void;
  /** The watch ended (an outcome, an interruption or an error); `summary` is the last thing written. */
  finish(summary: WatchSummary, headline: string): void;
}
