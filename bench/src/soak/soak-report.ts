import { cpus } from 'node:os';
import { SLOW_BOUNDS_MS } from '../../../examples/src/service/second-stats';
import type { LoadSpan } from './host-load';
import type { DeployRecord } from './soak-lane';
import type { DeployKind } from './soak-plan';

/** How a deploy's outcome reads against what a correct controller does. */
export type Verdict =
  /** A healthy release promoted. */
  | 'kept'
  /** A healthy release rolled back. */
  | 'FALSE ROLLBACK'
  /** A bad release rolled back on evidence from after its fault began. */
  | 'detected'
  /** A bad release rolled back on evidence from before its fault began: right outcome, wrong reason. */
  | 'rolled back before the fault'
  /** A bad release kept (promoted). */
  | 'MISSED'
  /** No decision: held for a human (kept-on-hold), escalated, or the watch failed. */
  | 'no decision';

/** One deploy judged. */
export interface JudgedDeploy {
  readonly record: DeployRecord;
  readonly verdict: Verdict;
  /** Fault onset to breach confirmation (s), for detected faults. */
  readonly delaySeconds: number | null;
  /** Seconds of the deploy's watch during which the soak loaded the host. */
  readonly hostLoadSeconds: number;
}

/**
 * True when the watch moved traffic off the release: a rollback, whether or not its recovery
 * was then verified (`escalated` after a cutover is a rollback too).
 */
export function rolledBack(record: DeployRecord): boolean {
  return record.finish.outcome === 'rolled-back' || record.finish.restoredArtifact !== null;
}

/** Judges one deploy's outcome. */
export function judge(record: DeployRecord, spans: readonly LoadSpan[]): JudgedDeploy {
  const { finish, deploy, detectedAt, faultOnsetAt } = record;
  let verdict: Verdict;
  if (deploy.expect === 'keep') {
    verdict = rolledBack(record) ? 'FALSE ROLLBACK' : finish.outcome === 'promoted' ? 'kept' : 'no decision';
  } else if (rolledBack(record)) {
    verdict =
      faultOnsetAt !== null && detectedAt !== null && detectedAt >= faultOnsetAt
        ? 'detected'
        : 'rolled back before the fault';
  } else {
    verdict = finish.outcome === 'promoted' ? 'MISSED' : 'no decision';
  }
  const delaySeconds =
    verdict === 'detected' && detectedAt !== null && faultOnsetAt !== null
      ? (detectedAt - faultOnsetAt) / 1000
      : null;
  let loadedMs = 0;
  for (const s of spans)
    loadedMs += Math.max(0, Math.min(record.endedAt, s.to) - Math.max(record.deployAt, s.from));
  return { record, verdict, delaySeconds, hostLoadSeconds: loadedMs / 1000 };
}

/** Per kind of deploy: how many, and what came of them. */
export interface KindSummary {
  readonly kind: DeployKind;
  readonly expect: 'keep' | 'rollback';
  readonly deploys: number;
  readonly kept: number;
  readonly falseRollbacks: number;
  readonly detected: number;
  readonly beforeFault: number;
  readonly missed: number;
  readonly noDecision: number;
  /** Rollbacks (false or not) whose recovery was then not verified: the watch escalated. */
  readonly unverified: number;
  /** Fault onset to confirmation (s) of the detected faults, sorted. */
  readonly delays: readonly number[];
}

export function summarize(judged: readonly JudgedDeploy[]): KindSummary[] {
  const kinds = [...new Set(judged.map((j) => j.record.deploy.kind))];
  return kinds.map((kind) => {
    const of = judged.filter((j) => j.record.deploy.kind === kind);
    const count = (v: Verdict) => of.filter((j) => j.verdict === v).length;
    return {
      kind,
      expect: of[0]?.record.deploy.expect ?? 'keep',
      deploys: of.length,
      kept: count('kept'),
      falseRollbacks: count('FALSE ROLLBACK'),
      detected: count('detected'),
      beforeFault: count('rolled back before the fault'),
      missed: count('MISSED'),
      noDecision: count('no decision'),
      unverified: of.filter((j) => rolledBack(j.record) && j.record.finish.recoveryVerified !== true).length,
      delays: of.flatMap((j) => (j.delaySeconds === null ? [] : [j.delaySeconds])).sort((a, b) => a - b),
    };
  });
}

function median(sorted: readonly number[]): number | null {
  if (sorted.length === 0) return null;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** One line, artifact ids cut to 7 hex digits, table pipes escaped, at most `max` characters. */
export function shortReason(text: string, max = 260): string {
  const one = text
    .replace(/\s+/g, ' ')
    .replace(/(\d+@[0-9a-f]{7})[0-9a-f]{33}/g, '$1')
    .replace(/\|/g, '\\|');
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}

/**
 * Slow requests and event-loop delay before the deploy (the baseline window) and after it (the
 * watch): the service's own record, which tells host load (a late event loop) from a slow release.
 */
export function serviceContrast(record: DeployRecord): string {
  const bound = SLOW_BOUNDS_MS[0] as number;
  const part = (before: boolean) => {
    const secs = record.service.seconds.filter((s) => s.second * 1000 < record.deployAt === before);
    const requests = secs.reduce((n, s) => n + s.requests, 0);
    const slow = secs.reduce((n, s) => n + (s.slower[0] ?? 0), 0);
    const loop = secs.reduce((m, s) => Math.max(m, s.loopDelayMs), 0);
    return `${slow}/${requests}, loop ${loop} ms`;
  };
  return `>${bound} ms: before ${part(true)}; after ${part(false)}`;
}

/**
 * Why the watch did what it did: the breach that started a rollback and, when the outcome's own
 * reason says something else (recovery not verified, an incident), that too.
 */
export function reasonCell(record: DeployRecord): string {
  const breach = record.breachReason?.replace(/^breach confirmed: /, '') ?? null;
  if (breach === null) return shortReason(record.finish.reason);
  if (record.finish.outcome === 'rolled-back') return shortReason(breach);
  return `${shortReason(breach, 200)} **then** ${shortReason(record.finish.reason, 200)}`;
}

const fmt = (n: number | null, digits = 1) => (n === null ? '–' : n.toFixed(digits));

/** The soak section of docs/benchmarks.md (markdown, without the begin/end markers). */
export function soakSection(input: {
  readonly judged: readonly JudgedDeploy[];
  readonly startedAt: number;
  readonly endedAt: number;
  readonly prometheusVersion: string;
  readonly lanes: number;
  /** The machine's 1-minute load average, sampled during the soak. */
  readonly loads: readonly number[];
  readonly command: string;
}): string {
  const loads = [...input.loads].sort((a, b) => a - b);
  const { judged } = input;
  const summaries = summarize(judged);
  const healthy = judged.filter((j) => j.record.deploy.expect === 'keep');
  const bad = judged.filter((j) => j.record.deploy.expect === 'rollback');
  const falseRollbacks = healthy.filter((j) => j.verdict === 'FALSE ROLLBACK').length;
  const detected = bad.filter((j) => j.verdict === 'detected').length;
  const delays = judged
    .flatMap((j) => (j.delaySeconds === null ? [] : [j.delaySeconds]))
    .sort((a, b) => a - b);
  const minutes = (input.endedAt - input.startedAt) / 60_000;
  const lines = [
    '## Live soak (`rollgate watch` against a real Prometheus)',
    '',
    `Written by \`${input.command}\` on ${new Date(input.startedAt).toISOString().slice(0, 16).replace('T', ' ')} UTC (${minutes.toFixed(0)} min): ${judged.length} deploys (${healthy.length} healthy, ${bad.length} bad) on ${input.lanes} shop services deployed concurrently, each through the real \`rollgate watch\` CLI with the default contract's signals and rules in compressed time (1 s steps, 90 s bakes, 45 s baselines; 180 s and 240 s at 0.5 req/s), a Deployer release directory per service (local mode, real symlinks), and one real Prometheus ${input.prometheusVersion} scraping every service each second. Each service is its own Node process with real GC (a session of 4-8 KB per request, kept 30-60 s, dies in V8's old generation: heap and RSS follow V8's own GC sawtooth), log-normal request-time jitter and Poisson arrivals. The machine (${cpus().length} CPU) was shared: its 1-minute load average during the soak was ${fmt(loads[0] ?? null)} to ${fmt(loads.at(-1) ?? null)} (median ${fmt(median(loads))}), the soak's own busy loops included. Not part of \`pnpm bench\` or CI: see bench/README.md.`,
    '',
    `**False rollbacks: ${falseRollbacks} of ${healthy.length} healthy deploys. Detected: ${detected} of ${bad.length} bad deploys** (fault onset to confirmation: median ${fmt(median(delays))} s, max ${fmt(delays.at(-1) ?? null)} s).`,
    '',
    '| Deploy kind | Deploys | Kept | False rollbacks | Detected | Rolled back before the fault | Missed | No decision | Rollbacks not verified | Delay median (s) | Delay max (s) |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...summaries.map(
      (s) =>
        `| ${s.kind} | ${s.deploys} | ${s.expect === 'keep' ? s.kept : '–'} | ${s.expect === 'keep' ? s.falseRollbacks : '–'} | ${s.expect === 'rollback' ? s.detected : '–'} | ${s.expect === 'rollback' ? s.beforeFault : '–'} | ${s.expect === 'rollback' ? s.missed : '–'} | ${s.noDecision} | ${s.unverified} | ${fmt(median(s.delays))} | ${fmt(s.delays.at(-1) ?? null)} |`,
    ),
    '',
    "*False rollbacks* count every healthy release the watch moved traffic off, including the ones whose rollback then ended `escalated` (recovery not verified). *Detected*: a bad release rolled back on evidence from after its first faulty request. *No decision*: held, escalated without a rollback, or routed as an incident (the breach began before the deploy) and left serving. *Rollbacks not verified*: rollbacks (false or not) whose restored release did not pass the verification window. *Delay*: the fault's onset (the service's first faulty request) to the breach confirmation.",
    '',
    "Every deploy, in the order each service ran them. *Reason*: the breach the watch confirmed (why it rolled back) and, after **then**, what the outcome says when it says more (recovery not verified, an incident). *Watch start*: seconds from the deploy to the watch's first evaluation (the CLI starting on a loaded machine). *Service record*: requests slower than 100 ms and the worst event-loop delay in the baseline window before the deploy and during the watch, from the service itself (a late event loop means the CPU was taken). *Host load*: seconds of the watch during which the soak ran busy loops on the machine.",
    '',
    '| Service | # | Kind | Outcome | Verdict | Fault → confirmed (s) | Watch start (s) | Host load (s) | Service record | Reason |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...judged.map((j) => {
      const r = j.record;
      const onset = r.faultOnsetAt === null ? null : (r.faultOnsetAt - r.deployAt) / 1000;
      const confirmed = r.detectedAt === null ? null : (r.detectedAt - r.deployAt) / 1000;
      const timing =
        j.delaySeconds !== null
          ? fmt(j.delaySeconds)
          : confirmed !== null
            ? `confirmed +${fmt(confirmed)}${onset === null ? '' : `, fault +${fmt(onset)}`}`
            : '–';
      const start = r.firstEvaluationAt === null ? null : (r.firstEvaluationAt - r.deployAt) / 1000;
      return `| shop-${r.lane} | ${r.index} | ${r.deploy.kind} | ${r.finish.outcome} | ${j.verdict} | ${timing} | ${fmt(start)} | ${j.hostLoadSeconds.toFixed(0)} | ${serviceContrast(r)} | ${reasonCell(r)} |`;
    }),
  ];
  return lines.join('\n');
}
