import type { AuditControl, AuditRecord, AuditVerdict } from '../../audit/audit-record';
import type { Contract } from '../../contract/contract-schema';
import { type IncidentSeen, UNHEALTHY_LEVEL } from '../../evaluation/baseline-incident';
import { isAuthoritative } from '../../evaluation/confirmation';
import type { SignalBaseline } from '../../evaluation/watch-state';
import type { TimeWindow, Verdict } from '../../rules/verdict';
import { finiteOrNull } from '../../rules/verdict';
import { kindOf } from '../../signals/signal-kinds';
import { failingArtifact } from '../failing-artifact';
import type { ControlRecord, MachineSnapshot } from '../machine-state';

/**
 * The audit record of a watch, from its snapshot. Complete by construction: every field of
 * the record is derived from what the machine kept, so each terminal state produces the same
 * shape, and `AuditRecordSchema` validates it.
 */
export function buildAuditRecord(s: MachineSnapshot, contract: Contract): AuditRecord {
  const lastTime = s.phases.at(-1)?.at ?? s.startedAt;
  const lead = s.breach?.evidence[0];
  const leadSignal = lead ? contract.signals.find((x) => x.id === lead.signal) : undefined;
  const verify = s.verify;
  const finalWatch = verify ?? s.bake;
  const finalReadings = Object.values(finalWatch.signals).flatMap((x) => x.last?.verdicts ?? []);
  return {
    schema: 'rollgate.audit/v1',
    watchId: s.watchId,
    revision: s.revision ?? 1,
    service: s.service,
    outcome: s.outcome ?? 'escalated',
    reason: s.reason ?? 'the watch ended without a recorded reason',
    dryRun: s.options.dryRun,
    startedAt: iso(s.startedAt),
    finishedAt: iso(lastTime),
    deploy: { artifactId: s.deploy.artifactId, deployedAt: iso(s.deploy.deployedAt), artifact: s.watched },
    failedArtifact: s.breach || s.decidedBy?.action === 'abort' ? failingArtifact(s) : null,
    restoredArtifact: s.cutover?.receipt ? (s.target ?? null) : null,
    contract: {
      alpha: contract.alpha,
      stepSeconds: contract.stepSeconds,
      bakeSeconds: contract.bakeSeconds,
      warmupSeconds: contract.warmupSeconds,
      baselineSeconds: contract.baselineSeconds,
      verificationSeconds: contract.verification.windowSeconds,
      signals: contract.signals.map((x) => ({
        id: x.id,
        kind: x.kind,
        ...(kindOf(x).namesResource ? { resource: x.resource } : {}),
        unit: valueUnit(x),
        rules: x.rules.map((r) => r.type),
        authoritative: isAuthoritative(x),
      })),
    },
    phases: s.phases.map((p) => ({ state: p.state, at: iso(p.at), reason: p.reason })),
    baseline: s.bake.baseline
      ? {
          window: isoWindow(s.bake.baseline.window),
          signals: Object.fromEntries(
            Object.entries(s.bake.baseline.signals).map(([id, b]) => {
              const signal = contract.signals.find((x) => x.id === id);
              const series = signal ? chartBaseline(signal, b.series) : undefined;
              return [
                id,
                {
                  status: b.status,
                  reason: b.reason,
                  value: finiteOrNull(b.value),
                  events: finiteOrNull(b.events),
                  trials: finiteOrNull(b.trials),
                  exceedanceThresholdMs: finiteOrNull(b.exceedanceThresholdMs),
                  ...(series ? { series } : {}),
                  ...(b.tail ? { tailThresholdMs: b.tail.thresholdMs, tailEvents: b.tail.events } : {}),
                  ...(b.drift
                    ? {
                        drift: {
                          spread: b.drift.spread,
                          lowRate: b.drift.lowRate,
                          highRate: b.drift.highRate,
                          pValue: b.drift.pValue,
                        },
                      }
                    : {}),
                  ...(b.health
                    ? {
                        health: {
                          status: b.health.status,
                          reason: b.health.reason,
                          ...(b.health.episode
                            ? {
                                episode: {
                                  start: iso(b.health.episode.startT),
                                  end: iso(b.health.episode.endT),
                                  ongoing: b.health.episode.ongoing,
                                  rate: b.health.episode.rate,
                                  outsideRate: b.health.episode.outsideRate,
                                },
                              }
                            : {}),
                          ...(b.health.tail
                            ? {
                                tail: {
                                  start: iso(b.health.tail.startT),
                                  end: iso(b.health.tail.endT),
                                  rate: b.health.tail.rate,
                                  outsideRate: b.health.tail.outsideRate,
                                  pValue: b.health.tail.pValue,
                                },
                              }
                            : {}),
                          ...bakeStartOf(s.bake.signals[id]?.incidentSeen),
                        },
                      }
                    : {}),
                },
              ];
            }),
          ),
        }
      : null,
    breach:
      s.breach && lead
        ? {
            signal: lead.signal,
            kind: leadSignal?.kind ?? 'unknown',
            ...(lead.segment === undefined ? {} : { segment: lead.segment }),
            rule: lead.rule,
            value: finiteOrNull(lead.value),
            threshold: finiteOrNull(lead.threshold),
            window: isoWindow(lead.window),
            samples: lead.samples,
            statistic: lead.statistic ? auditStatistic(lead.statistic) : null,
            reason: lead.reason,
            confirmedAt: iso(s.breach.confirmedAt),
            onset: s.onset
              ? {
                  status: s.onset.status,
                  preexisting: s.onset.preexisting,
                  ...(s.onset.ambiguous ? { ambiguous: true } : {}),
                  ...(s.onset.explained
                    ? { explainedByTrend: { looks: s.onset.explained.look, level: s.onset.explained.level } }
                    : {}),
                  onsetAt: s.onset.onsetAt === null ? null : iso(s.onset.onsetAt),
                  method: s.onset.method,
                  reason: s.onset.reason,
                }
              : null,
            evidence: s.breach.evidence.map(auditVerdict),
          }
        : null,
    cutover:
      s.cutover && s.target && s.operationId
        ? {
            operationId: s.operationId,
            target: s.target,
            requestedAt: iso(s.cutover.requestedAt),
            completedAt: s.cutover.completedAt === null ? null : iso(s.cutover.completedAt),
            // What the operation did: a replay after a crash reports the switch it made earlier.
            changed: s.cutover.receipt
              ? s.cutover.receipt.changed || s.cutover.receipt.switchedEarlier === true
              : null,
            detail:
              s.cutover.receipt?.detail ?? (s.cutover.error ? s.cutover.error.message : 'not completed'),
            gate: s.cutover.gate
              ? { ok: s.cutover.gate.ok, detail: s.cutover.gate.detail, at: iso(s.cutover.gate.at) }
              : null,
            error: s.cutover.error,
          }
        : null,
    recovery:
      s.recovery && verify
        ? {
            verified: s.recovery.verified,
            ...(s.recovery.status === undefined ? {} : { status: s.recovery.status }),
            window: { start: iso(verify.deployAt), end: iso(verify.lastEvaluatedAt ?? verify.bakeEndsAt) },
            reason: s.recovery.reason,
            readings: s.recovery.readings.map(auditVerdict),
          }
        : null,
    finalReadings: finalReadings.map(auditVerdict),
    series: Object.fromEntries(Object.entries(s.series).map(([k, v]) => [k, v.points()])),
    notifications: s.notifications.map((n) => ({
      kind: n.kind,
      title: n.title,
      ok: n.ok,
      ...(n.error === undefined ? {} : { error: n.error }),
      at: iso(n.at),
    })),
    verification: s.verification
      ? {
          recorded: s.verification.recorded,
          artifactId: failingArtifact(s).id,
          ...(s.verification.keyId === undefined ? {} : { keyId: s.verification.keyId }),
          ...(s.verification.error === undefined ? {} : { error: s.verification.error }),
        }
      : null,
    controls: (s.controls ?? []).map(auditControl),
    decidedBy: s.decidedBy ? auditControl(s.decidedBy) : null,
  };
}

function auditControl(c: ControlRecord): AuditControl {
  return {
    id: c.id,
    action: c.action,
    actor: c.actor,
    reason: c.reason,
    requestedAt: iso(c.requestedAt),
    at: iso(c.at),
    state: c.state,
    result: c.result,
    detail: c.detail,
  };
}

/**
 * The pre-deploy series of a signal for the audit, when it is on the scale of the signal's chart
 * values: a rate for a signal whose values are fractions, a level for gauges judged by level.
 * Bounded by the snapshot (at most 60 points).
 */
function chartBaseline(
  signal: Contract['signals'][number],
  series: SignalBaseline['series'],
): { at: string; value: number | null }[] | undefined {
  if (!series || series.t.length === 0) return undefined;
  const unit = valueUnit(signal);
  const fits =
    series.kind === 'rate' ? unit === 'fraction' : ['bytes', 'cores', 'ready fraction'].includes(unit);
  if (!fits) return undefined;
  const out: { at: string; value: number | null }[] = [];
  for (let i = Math.max(0, series.t.length - 60); i < series.t.length; i++) {
    out.push({ at: iso(series.t[i] as number), value: finiteOrNull(series.v[i] ?? null) });
  }
  return out;
}

/**
 * The unit of a signal's verdict values as the audit shows them. Rates and exceedance shares
 * are fractions; a resource's rate-of-change rule judges a slope (per second).
 */
function valueUnit(signal: Contract['signals'][number]): string {
  return kindOf(signal).auditUnit(signal);
}

/** A verdict in the audit's JSON-safe form (ISO windows, no ±Infinity). */
export function auditVerdict(v: Verdict): AuditVerdict {
  return {
    status: v.status,
    signal: v.signal,
    rule: v.rule,
    ...(v.segment === undefined ? {} : { segment: v.segment }),
    value: finiteOrNull(v.value),
    threshold: finiteOrNull(v.threshold),
    window: isoWindow(v.window),
    samples: Number.isFinite(v.samples) ? v.samples : 0,
    reason: v.reason,
    ...(v.statistic ? { statistic: auditStatistic(v.statistic) } : {}),
    ...(v.error ? { error: { ...v.error } } : {}),
    ...(v.exceedanceThresholdMs === undefined ? {} : { exceedanceThresholdMs: v.exceedanceThresholdMs }),
    ...(v.surgeHeldSteps === undefined ? {} : { surgeHeldSteps: v.surgeHeldSteps }),
    ...(v.burstHeld === undefined ? {} : { burstHeld: v.burstHeld }),
    ...(v.insufficient === undefined ? {} : { insufficient: { ...v.insufficient } }),
  };
}

function auditStatistic(st: NonNullable<Verdict['statistic']>): NonNullable<AuditVerdict['statistic']> {
  return {
    name: st.name,
    value: finiteOrNull(st.value),
    threshold: finiteOrNull(st.threshold),
    ...(st.alpha === undefined ? {} : { alpha: st.alpha }),
    ...(st.ratioEstimate === undefined ? {} : { ratioEstimate: finiteOrNull(st.ratioEstimate) }),
    ...(st.ratioInterval === undefined
      ? {}
      : {
          ratioInterval: st.ratioInterval
            ? {
                lower: finiteOrNull(st.ratioInterval.lower),
                upper: finiteOrNull(st.ratioInterval.upper),
                level: st.ratioInterval.level,
              }
            : null,
        }),
  };
}

function isoWindow(w: TimeWindow): { start: string; end: string } {
  return { start: iso(w.start), end: iso(w.end) };
}

function iso(ms: number): string {
  return Number.isFinite(ms) ? new Date(ms).toISOString() : new Date(0).toISOString();
}

/** The audit's view of what a bake showed of an episode under way at the deploy (evaluation/baseline-incident.ts). */
function bakeStartOf(seen: IncidentSeen | undefined) {
  if (seen === undefined) return {};
  const ratio = Math.exp(seen.logLr);
  return {
    bakeStart: {
      at: iso(seen.at),
      events: seen.events,
      trials: seen.trials,
      likelihoodRatio: Number.isFinite(ratio) ? ratio : null,
      routed: seen.logLr >= Math.log(1 / UNHEALTHY_LEVEL),
    },
  };
}
