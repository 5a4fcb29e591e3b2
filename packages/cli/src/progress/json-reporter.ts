import {
  type Command,
  type ControllerEvents,
  type Evaluation,
  partialReadWarnings,
  type Verdict,
} from '@rollgate/core';
import type { OutputStream } from '../io/io';
import { leadVerdict } from './signal-rows';
import type { WatchReporter, WatchSummary } from './watch-reporter';

/**
 * `--json`: one JSON object per line, each with a `type` (`start`, `notice`, `evaluation`,
 * `transition`, `command`, `store-error`) and an ISO `at`, and the summary (`type: "summary"`)
 * as the last line. A signal whose read the source flagged as partial carries its `warnings`. Numbers JSON cannot hold (±Infinity, NaN) are null.
 */
export function createJsonReporter(out: OutputStream): WatchReporter {
  const emit = (event: Record<string, unknown>) => out.write(`${JSON.stringify(event, finite)}\n`);
  const iso = (ms: number) => new Date(ms).toISOString();
  return {
    start(s) {
      emit({
        type: 'start',
        at: iso(s.at),
        service: s.service,
        watchId: s.watchId,
        artifact: s.artifactId,
        deployedAt: iso(s.deployedAt),
        dryRun: s.dryRun,
        resumed: s.resumed,
        executor: s.executor,
        stateDir: s.stateDir,
        audit: s.audit,
        bakeSeconds: s.contract.bakeSeconds,
        stepSeconds: s.contract.stepSeconds,
        alpha: s.contract.alpha,
        signals: s.contract.signals.map((x) => ({
          id: x.id,
          kind: x.kind,
          rules: x.rules.map((r) => r.type),
        })),
      });
    },
    notice(message, level = 'info') {
      emit({ type: 'notice', at: iso(Date.now()), level, message });
    },
    evaluation(e: Evaluation) {
      emit({
        type: 'evaluation',
        at: iso(e.at),
        purpose: e.purpose,
        elapsedSeconds: e.elapsedSeconds,
        remainingSeconds: e.remainingSeconds,
        warmingUp: e.warmingUp,
        decision: {
          type: e.decision.type,
          reason: e.decision.reason,
          ...('signals' in e.decision ? { signals: e.decision.signals } : {}),
        },
        signals: e.signals.map((summary) => {
          const v = leadVerdict(summary);
          return {
            signal: summary.signal,
            kind: summary.kind,
            status: summary.status,
            confirmed: summary.confirmed,
            ...(v ? verdictFields(v) : {}),
            ...partialReadWarnings(summary.verdicts),
            breachingSegments: summary.verdicts
              .filter((x) => x.segment !== undefined && x.status === 'breach')
              .map((x) => x.segment),
          };
        }),
      });
    },
    transition(t: ControllerEvents['transition']) {
      emit({ type: 'transition', at: iso(t.at), from: t.from, to: t.to, reason: t.reason });
    },
    command(c: Command, at: number) {
      emit({ type: 'command', at: iso(at), command: commandFields(c) });
    },
    storeError(e, at) {
      emit({
        type: 'store-error',
        at: iso(at),
        operation: e.operation,
        error: { code: e.error.code, message: e.error.message },
      });
    },
    finish(summary: WatchSummary, headline: string) {
      emit({
        type: 'outcome',
        at: iso(Date.now()),
        outcome: summary.outcome,
        exitCode: summary.exitCode,
        headline,
        reason: summary.reason,
      });
      emit({ ...summary });
    },
  };
}

function verdictFields(v: Verdict): Record<string, unknown> {
  return {
    rule: v.rule,
    value: v.value,
    threshold: v.threshold,
    samples: v.samples,
    reason: v.reason,
    ...(v.statistic
      ? {
          statistic: {
            name: v.statistic.name,
            value: v.statistic.value,
            threshold: v.statistic.threshold,
            ...(v.statistic.alpha === undefined ? {} : { alpha: v.statistic.alpha }),
            ...(v.statistic.ratioEstimate === undefined ? {} : { ratioEstimate: v.statistic.ratioEstimate }),
            ...(v.statistic.ratioInterval === undefined ? {} : { ratioInterval: v.statistic.ratioInterval }),
          },
        }
      : {}),
    ...(v.error ? { error: { code: v.error.code, message: v.error.message } } : {}),
  };
}

/** The fields of a command worth logging (never a whole audit record or notification body). */
function commandFields(c: Command): Record<string, unknown> {
  switch (c.type) {
    case 'cutover':
      return { type: c.type, target: c.target.id, operationId: c.operationId };
    case 'await-ready':
      return { type: c.type, target: c.target.id };
    case 'set-weight':
      return { type: c.type, weight: c.weight, operationId: c.operationId };
    case 'evaluate':
      return { type: c.type, watch: c.watch, at: new Date(c.at).toISOString() };
    case 'find-onset':
      return {
        type: c.type,
        signal: c.signal,
        ...(c.segment === undefined ? {} : { segment: c.segment }),
        // A repeated look at a breach the trend explained (docs/statistics.md, "Climbs routed as incidents").
        ...(c.trend === undefined ? {} : { look: c.trend.look + 1 }),
      };
    case 'retrieve-target':
      return { type: c.type, excluding: c.excluding };
    case 'record-verification':
      return { type: c.type, artifact: c.artifact.id };
    case 'notify':
      return { type: c.type, kind: c.notification.kind, title: c.notification.title };
    case 'write-audit':
      return { type: c.type, watchId: c.record.watchId };
    case 'save-guard':
    case 'identify-current':
      return { type: c.type };
  }
}

function finite(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isFinite(value) ? null : value;
}
