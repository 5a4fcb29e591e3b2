import type { AuditRecord } from '@rollgate/core';

/** The kinds of mark on the report's timeline. */
export type MarkId = 'deploy' | 'breach-onset' | 'confirmation' | 'cutover' | 'recovery' | 'outcome';

/** One moment of the watch, drawn on the timeline and on every chart. */
export interface TimelineMark {
  readonly id: MarkId;
  /** Epoch ms. */
  readonly at: number;
  readonly label: string;
  readonly detail: string;
}

/** A stretch of the watch: the new version baking, or the restored one being verified. */
export interface PhaseBand {
  readonly phase: 'bake' | 'verify';
  readonly start: number;
  readonly end: number;
}

/** What every part of the report shares: the time axis, the marks and the phases. */
export interface ReportModel {
  /** The deploy time: offsets are relative to it. */
  readonly origin: number;
  /** From the start of the pre-deploy window (or just before the deploy) to just after the end. */
  readonly domain: readonly [number, number];
  /** The pre-deploy baseline window, when a baseline was taken. */
  readonly baselineWindow: { readonly start: number; readonly end: number } | null;
  readonly marks: readonly TimelineMark[];
  readonly bands: readonly PhaseBand[];
}

/** Epoch ms of an ISO time, or null for a missing or unreadable one. */
export function ms(iso: string | null | undefined): number | null {
  if (!iso) return null;
  const t = Date.parse(iso);
  return Number.isFinite(t) ? t : null;
}

/** Derives the timeline of a record: deploy, breach onset, confirmation, cutover, recovery, outcome. */
export function reportModel(record: AuditRecord): ReportModel {
  const deploy = ms(record.deploy.deployedAt) ?? ms(record.startedAt) ?? 0;
  const finished = ms(record.finishedAt) ?? deploy;
  const marks: TimelineMark[] = [
    { id: 'deploy', at: deploy, label: 'deploy', detail: record.deploy.artifactId },
  ];
  const breach = record.breach;
  const onset = ms(breach?.onset?.onsetAt);
  if (breach?.onset && onset !== null) {
    marks.push({
      id: 'breach-onset',
      at: onset,
      label: breach.onset.preexisting ? 'breach onset (before the deploy)' : 'breach onset',
      detail: `${breach.signal}: ${breach.onset.method}`,
    });
  }
  const confirmed = ms(breach?.confirmedAt);
  if (breach && confirmed !== null) {
    marks.push({ id: 'confirmation', at: confirmed, label: 'breach confirmed', detail: breach.signal });
  }
  const cutover = record.cutover;
  const cutoverAt = ms(cutover?.completedAt) ?? ms(cutover?.requestedAt);
  if (cutover && cutoverAt !== null) {
    marks.push({
      id: 'cutover',
      at: cutoverAt,
      label: cutover.completedAt ? 'cutover' : 'cutover (not completed)',
      detail: `→ ${cutover.target.id}`,
    });
  }
  const recoveryAt = ms(record.recovery?.window.end);
  if (record.recovery && recoveryAt !== null) {
    marks.push({
      id: 'recovery',
      at: recoveryAt,
      label: record.recovery.verified ? 'recovery verified' : 'recovery NOT verified',
      detail: record.restoredArtifact?.id ?? cutover?.target.id ?? '',
    });
  }
  marks.push({ id: 'outcome', at: finished, label: record.outcome, detail: record.dryRun ? 'dry run' : '' });

  const verifyStart = ms(record.recovery?.window.start);
  const bakeEnd = confirmed ?? (verifyStart !== null ? verifyStart : finished);
  const bands: PhaseBand[] = [{ phase: 'bake', start: deploy, end: Math.max(deploy, bakeEnd) }];
  if (record.recovery && verifyStart !== null) {
    bands.push({ phase: 'verify', start: verifyStart, end: Math.max(verifyStart, recoveryAt ?? finished) });
  }

  const times = [deploy, finished, ...marks.map((m) => m.at)];
  for (const points of Object.values(record.series)) {
    for (const p of points) {
      const t = ms(p.at);
      if (t !== null) times.push(t);
    }
  }
  const start = ms(record.baseline?.window.start);
  const end = ms(record.baseline?.window.end);
  const baselineWindow =
    start !== null && end !== null && end > start ? { start, end: Math.min(end, deploy) } : null;
  const lo = Math.min(...times, baselineWindow?.start ?? deploy);
  const hi = Math.max(...times);
  const pad = Math.max(1000, (hi - deploy) * 0.02);
  return {
    origin: deploy,
    domain: [baselineWindow ? lo : lo - pad, hi + pad],
    baselineWindow,
    marks,
    bands,
  };
}
