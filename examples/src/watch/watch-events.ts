/**
 * What the demo follows of a watch, the same whether it runs in the `rollgate watch` CLI
 * (parsed from `--json`) or in process through `createController`.
 */
export type WatchEvent =
  | { readonly type: 'notice'; readonly at: number; readonly level: string; readonly message: string }
  | {
      readonly type: 'evaluation';
      readonly at: number;
      readonly purpose: 'bake' | 'verify';
      readonly elapsedSeconds: number;
      readonly remainingSeconds: number;
      readonly warmingUp: boolean;
      readonly decision: { readonly type: string; readonly reason: string };
      readonly signals: readonly {
        readonly signal: string;
        readonly status: string;
        readonly reason: string;
      }[];
    }
  | {
      readonly type: 'transition';
      readonly at: number;
      readonly from: string;
      readonly to: string;
      readonly reason: string;
    }
  | {
      readonly type: 'command';
      readonly at: number;
      readonly command: string;
      readonly target: string | null;
    };

/** How a watch ended. */
export interface WatchFinish {
  /** `promoted`, `rolled-back`, `escalated`, ... or `error` when it could not run. */
  readonly outcome: string;
  readonly reason: string;
  readonly watchId: string | null;
  /** True once a rollback's recovery is verified; null when there was no rollback. */
  readonly recoveryVerified: boolean | null;
  readonly failedArtifact: string | null;
  readonly restoredArtifact: string | null;
  /** Epoch ms the breach was confirmed, or null. */
  readonly breachConfirmedAt: number | null;
  /** The audit file (JSON lines) the watch appended its record to. */
  readonly audit: string | null;
}

/** Receives the events of a watch as they happen. */
export type WatchListener = (event: WatchEvent) => void;
