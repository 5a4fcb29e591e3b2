import type { ServiceState } from '../service/shop-service';
import type { WatchEvent, WatchFinish } from '../watch/watch-events';

/** The moments of one demo run (epoch ms), each from the part that witnessed it. */
export interface DemoTimeline {
  /** `current` was switched to release 2 (the deploy). */
  readonly deployAt: number;
  /** Release 2 served its first faulty request (the service's own record). */
  readonly faultOnsetAt: number | null;
  /** Rollgate confirmed the breach (the watch left Watching for Validating). */
  readonly detectedAt: number | null;
  /** The first request served by the restored release after the deploy (the service's record). */
  readonly cutoverAt: number | null;
  /** Recovery verified: the watch reached RolledBack. */
  readonly recoveredAt: number | null;
  /** The watch promoted the new release. */
  readonly promotedAt: number | null;
}

/** The one-line `--json` result of the demo. */
export interface DemoSummary {
  readonly outcome: string;
  /**
   * Rolled back although the release had not failed (yet): no faulty request before the breach
   * was confirmed. A good release rolled back, or a bad one rolled back on evidence from before
   * its fault, e.g. slow requests from a loaded machine.
   */
  readonly falseRollback: boolean;
  /** The watch's own reason for its outcome (the breach, with its counts). */
  readonly reason: string;
  readonly faultToDetectSeconds: number | null;
  readonly faultToCutoverSeconds: number | null;
  readonly recoveryVerified: boolean | null;
  readonly report: string | null;
  /** `prometheus` or `exposition`: which metrics path the run used. */
  readonly metrics: string;
  readonly totalSeconds: number;
  /** The audit record that outlives the run: the copy beside the report (or the kept one with --keep). */
  readonly audit: string | null;
}

function transitionTo(events: readonly WatchEvent[], state: string): number | null {
  const found = events.find((e) => e.type === 'transition' && e.to === state);
  return found ? found.at : null;
}

/**
 * Puts the run's moments together. The fault onset and the cutover come from the service, which
 * saw its own requests (the cutover is when traffic was really back on the restored release, not
 * when the symlink call returned); detection and recovery come from the watch's transitions.
 */
export function buildTimeline(
  deployAt: number,
  service: ServiceState,
  events: readonly WatchEvent[],
  finish: WatchFinish,
  releases: { readonly deployed: string; readonly previous: string },
): DemoTimeline {
  const faultOnsetAt = service.faultOnsets[releases.deployed] ?? null;
  const restoredRelease = finish.restoredArtifact?.split('@')[0] ?? null;
  const back =
    restoredRelease === releases.previous
      ? service.switches.find((s) => s.release === restoredRelease && s.at > deployAt)
      : undefined;
  return {
    deployAt,
    faultOnsetAt,
    detectedAt: transitionTo(events, 'Validating') ?? finish.breachConfirmedAt,
    cutoverAt: back?.at ?? null,
    recoveredAt: transitionTo(events, 'RolledBack'),
    promotedAt: transitionTo(events, 'Promoted'),
  };
}

function seconds(from: number | null, to: number | null): number | null {
  return from === null || to === null ? null : Math.round((to - from) / 100) / 10;
}

/** The summary of a run from its timeline and outcome. */
export function buildSummary(
  timeline: DemoTimeline,
  finish: WatchFinish,
  extra: {
    readonly report: string | null;
    readonly metrics: string;
    readonly startedAt: number;
    readonly endedAt: number;
    readonly audit: string | null;
  },
): DemoSummary {
  const falseRollback =
    finish.outcome === 'rolled-back' &&
    (timeline.faultOnsetAt === null ||
      (timeline.detectedAt !== null && timeline.detectedAt < timeline.faultOnsetAt));
  return {
    outcome: finish.outcome,
    falseRollback,
    reason: finish.reason,
    faultToDetectSeconds: seconds(timeline.faultOnsetAt, timeline.detectedAt),
    faultToCutoverSeconds: seconds(timeline.faultOnsetAt, timeline.cutoverAt),
    recoveryVerified: finish.recoveryVerified,
    report: extra.report,
    metrics: extra.metrics,
    totalSeconds: Math.round((extra.endedAt - extra.startedAt) / 100) / 10,
    audit: extra.audit,
  };
}

/** The timeline as lines for the terminal, times relative to the deploy. */
export function timelineLines(
  timeline: DemoTimeline,
  releases: { deployed: string; previous: string },
): string[] {
  const rel = (at: number) => {
    const s = (at - timeline.deployAt) / 1000;
    return `${s >= 0 ? '+' : '-'}${Math.abs(s).toFixed(1).padStart(5)}s`;
  };
  const lines: [number | null, string][] = [
    [timeline.deployAt, `deploy       current -> releases/${releases.deployed}`],
    [
      timeline.faultOnsetAt,
      `fault onset  release ${releases.deployed} starts failing (first faulty request)`,
    ],
    [timeline.detectedAt, 'detection    Rollgate confirms the breach'],
    [
      timeline.cutoverAt,
      `cutover      traffic back on release ${releases.previous} (first request it served)`,
    ],
    [timeline.recoveredAt, `recovered    recovery verified on release ${releases.previous}: rolled back`],
    [timeline.promotedAt, `promoted     release ${releases.deployed} kept and recorded as verified`],
  ];
  return lines.filter(([at]) => at !== null).map(([at, text]) => `  ${rel(at as number)}  ${text}`);
}
