import type { SignalKind } from '../contract/contract-schema';
import type { TestStatistic, VerdictStatus } from '../rules/verdict';
import { judgeControl } from './control-judgement';
import { failingArtifact } from './failing-artifact';
import type { ControlRecord, ControlRequest, MachineSnapshot } from './machine-state';
import { type MachineStateName, RESTING_STATES, TERMINAL_STATES } from './state-table';

/** One signal's latest verdict, as `rollgate status` shows it. */
export interface SignalStatus {
  readonly signal: string;
  readonly kind: SignalKind;
  readonly status: VerdictStatus;
  readonly confirmed: boolean;
  readonly rule: string;
  readonly value: number | null;
  readonly threshold: number | null;
  readonly samples: number;
  /** The test's evidence against its threshold (sequential rules: the log e-value). */
  readonly statistic: Pick<TestStatistic, 'name' | 'value' | 'threshold'> | null;
  readonly reason: string;
  /** Epoch ms of the evaluation it comes from. */
  readonly at: number | null;
  /** Latency signals: the threshold L (ms) whose exceedances the sequential test counts. */
  readonly exceedanceThresholdMs: number | null;
}

/** Where a watch stands: what `rollgate status` lists, in plain JSON. */
export interface WatchStatus {
  readonly watchId: string;
  readonly service: string;
  /** The artifact watched (what the executor reported serving, else the deploy's). */
  readonly artifact: string;
  readonly deployedAt: number;
  readonly state: MachineStateName;
  /** Epoch ms the watch entered its state, and how long ago that was. */
  readonly since: number;
  readonly inStateMs: number;
  /** `running` (no outcome yet), `needs-human` (halted, escalated, held) or `ended`. */
  readonly condition: 'running' | 'needs-human' | 'ended';
  readonly outcome: MachineSnapshot['outcome'];
  readonly reason: string;
  readonly dryRun: boolean;
  /** Which window the signals come from: the bake, or the recovery verification. */
  readonly window: 'bake' | 'verify';
  /** The artifact traffic was (or is being) moved back to, once a cutover was requested. */
  readonly restoredArtifact: string | null;
  readonly signals: readonly SignalStatus[];
  /** Requests stored and not yet answered, oldest first (filled in by the caller that read them). */
  readonly pendingRequests: readonly ControlRequest[];
  readonly answeredRequests: readonly ControlRecord[];
  /** What each human request would do now, or why it would be refused. */
  readonly actions: Readonly<Record<'promote' | 'abort' | 'retry', { accepted: boolean; detail: string }>>;
}

/**
 * The status of a stored watch at `now` (epoch ms by the caller's clock), purely from its
 * snapshot: phase, artifact, time in phase, each signal's latest verdict and evidence (from the
 * verification window once recovery is being verified), and what each human request would do.
 */
export function summarizeWatch(
  s: MachineSnapshot,
  now: number,
  pendingRequests: readonly ControlRequest[] = [],
): WatchStatus {
  const since = s.phases.findLast((p) => p.state === s.state)?.at ?? s.startedAt;
  const window = s.verify && (s.state === 'Verifying' || s.recovery !== null) ? 'verify' : 'bake';
  const watch = window === 'verify' && s.verify ? s.verify : s.bake;
  const signals: SignalStatus[] = [];
  for (const [id, state] of Object.entries(watch.signals)) {
    const last = state.last;
    if (!last) continue;
    const aggregate = last.verdicts.filter((v) => v.segment === undefined);
    const lead =
      aggregate.find((v) => v.status === last.status) ??
      last.verdicts.find((v) => v.status === last.status) ??
      aggregate[0];
    signals.push({
      signal: id,
      kind: last.kind,
      status: last.status,
      confirmed: last.confirmed,
      rule: lead?.rule ?? '',
      value: lead?.value ?? null,
      threshold: lead?.threshold ?? null,
      samples: lead?.samples ?? 0,
      statistic: lead?.statistic
        ? { name: lead.statistic.name, value: lead.statistic.value, threshold: lead.statistic.threshold }
        : null,
      reason: lead?.reason ?? '',
      at: watch.lastEvaluatedAt,
      exceedanceThresholdMs: s.bake.baseline?.signals[id]?.exceedanceThresholdMs ?? null,
    });
  }
  const judge = (action: 'promote' | 'abort' | 'retry') => {
    const j = judgeControl(s, action);
    return { accepted: j.accepted || j.deferred, detail: j.detail };
  };
  return {
    watchId: s.watchId,
    service: s.service,
    artifact: failingArtifact(s).id,
    deployedAt: s.deploy.deployedAt,
    state: s.state,
    since,
    inStateMs: Math.max(0, now - since),
    condition: RESTING_STATES.has(s.state)
      ? 'needs-human'
      : TERMINAL_STATES.has(s.state)
        ? 'ended'
        : 'running',
    outcome: s.outcome,
    reason: s.reason ?? s.phases.at(-1)?.reason ?? '',
    dryRun: s.options.dryRun,
    window,
    restoredArtifact: s.cutover ? (s.target?.id ?? null) : null,
    signals,
    pendingRequests,
    answeredRequests: s.controls ?? [],
    actions: { promote: judge('promote'), abort: judge('abort'), retry: judge('retry') },
  };
}
