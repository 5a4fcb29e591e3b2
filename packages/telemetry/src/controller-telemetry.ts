import {
  type Attributes,
  type Context,
  context,
  type MeterProvider,
  metrics,
  type Span,
  SpanStatusCode,
  type TracerProvider,
  trace,
} from '@opentelemetry/api';
import type { Controller, ControllerEvents, MachineStateName } from '@rollgate/core';
import { failingArtifact, TERMINAL_STATES } from '@rollgate/core';

/** The instrumentation scope Rollgate's metrics and spans are recorded under. */
export const TELEMETRY_SCOPE = '@rollgate/telemetry';

/** Metric names as Prometheus shows them (counters get `_total`); see docs/telemetry.md. */
export const METRIC_NAMES = {
  watches: 'rollgate_watches',
  verdicts: 'rollgate_signal_verdicts',
  evidence: 'rollgate_signal_evidence',
  evidenceThreshold: 'rollgate_signal_evidence_threshold',
  decisions: 'rollgate_decisions',
  decisionSeconds: 'rollgate_decision_seconds',
  cutovers: 'rollgate_cutovers',
  cutoverSeconds: 'rollgate_cutover_duration_seconds',
  sourceErrors: 'rollgate_source_errors',
  storeErrors: 'rollgate_store_errors',
  outcomes: 'rollgate_watch_outcomes',
  watchSeconds: 'rollgate_watch_duration_seconds',
  humanRequests: 'rollgate_human_requests',
} as const;

/** Options of {@link instrumentController}. */
export interface ControllerTelemetryOptions {
  /** Where metrics go (default: the global provider of `@opentelemetry/api`). */
  readonly meterProvider?: MeterProvider;
  /** Where spans go (default: the global provider). */
  readonly tracerProvider?: TracerProvider;
}

/** A controller's telemetry; `dispose` stops listening and ends the spans still open. */
export interface ControllerTelemetry {
  dispose(): void;
}

interface TrackedWatch {
  service: string;
  state: MachineStateName;
  deployedAt: number;
  span: Span;
  spanContext: Context;
  phase: Span | null;
  cutoverStartedAt: number | null;
}

const DURATION_BUCKETS = [1, 5, 10, 30, 60, 120, 300, 600, 1200, 1800, 3600];

/**
 * Records a controller's watches through the OpenTelemetry API: it subscribes to the
 * controller's events (core itself knows nothing of OpenTelemetry) and records
 * - `rollgate_watches{service, phase}`: watches this process has run, by current phase;
 * - `rollgate_signal_verdicts_total{service, signal, verdict, window}`: every signal verdict;
 * - `rollgate_signal_evidence{service, signal, statistic}` and `..._threshold`: the latest test
 *   statistic (a sequential test's log e-value) and the threshold it must reach (log 1/alpha);
 * - `rollgate_decisions_total{service, decision}` and `rollgate_decision_seconds`: the bake's
 *   decisions (rollback, promote, inconclusive, escalate) and their time after the deploy;
 * - `rollgate_cutovers_total{service, result}` and `rollgate_cutover_duration_seconds`: from the
 *   cutover command to the readiness gate's answer;
 * - `rollgate_source_errors_total{service, signal, code}`, `rollgate_store_errors_total{operation}`;
 * - `rollgate_watch_outcomes_total{service, outcome}`, `rollgate_watch_duration_seconds`;
 * - `rollgate_human_requests_total{service, action, result}`;
 * and a span per watch (`rollgate.watch`) with a child per phase (`rollgate.phase <State>`),
 * timed by the controller's clock.
 */
export function instrumentController(
  controller: Pick<Controller, 'events'>,
  options: ControllerTelemetryOptions = {},
): ControllerTelemetry {
  const meter = (options.meterProvider ?? metrics.getMeterProvider()).getMeter(TELEMETRY_SCOPE);
  const tracer = (options.tracerProvider ?? trace.getTracerProvider()).getTracer(TELEMETRY_SCOPE);
  const watches = new Map<string, TrackedWatch>();
  const evidence = new Map<string, { attributes: Attributes; value: number; threshold: number }>();

  const verdicts = meter.createCounter(METRIC_NAMES.verdicts, {
    description:
      'Signal verdicts, by signal, verdict (pass, breach, no-data, error) and window (bake, verify).',
  });
  const decisions = meter.createCounter(METRIC_NAMES.decisions, {
    description: 'Decisions that end a bake: rollback, promote, inconclusive, escalate.',
  });
  const decisionSeconds = meter.createHistogram(METRIC_NAMES.decisionSeconds, {
    description: 'Seconds from the deploy to the decision that ended the bake.',
    advice: { explicitBucketBoundaries: DURATION_BUCKETS },
  });
  const cutovers = meter.createCounter(METRIC_NAMES.cutovers, {
    description: 'Cutovers (rollbacks) by result: ok (the readiness gate passed) or failed.',
  });
  const cutoverSeconds = meter.createHistogram(METRIC_NAMES.cutoverSeconds, {
    description: 'Seconds from the cutover command to the readiness gate answer.',
    advice: { explicitBucketBoundaries: [0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600] },
  });
  const sourceErrors = meter.createCounter(METRIC_NAMES.sourceErrors, {
    description: 'Signal reads that failed (error verdicts), by signal and error code.',
  });
  const storeErrors = meter.createCounter(METRIC_NAMES.storeErrors, {
    description: 'State store operations that failed (the watch went on).',
  });
  const outcomes = meter.createCounter(METRIC_NAMES.outcomes, { description: 'Watches ended, by outcome.' });
  const watchSeconds = meter.createHistogram(METRIC_NAMES.watchSeconds, {
    description: 'Seconds from the deploy to the end of the watch, by outcome.',
    advice: { explicitBucketBoundaries: DURATION_BUCKETS },
  });
  const humanRequests = meter.createCounter(METRIC_NAMES.humanRequests, {
    description: 'Human requests (promote, abort, retry) answered, by result (applied, refused).',
  });
  const watchGauge = meter.createObservableGauge(METRIC_NAMES.watches, {
    description: 'Watches this process has run, by service and current phase.',
  });
  const evidenceGauge = meter.createObservableGauge(METRIC_NAMES.evidence, {
    description: "A signal's latest test statistic (sequential tests: the log e-value).",
  });
  const thresholdGauge = meter.createObservableGauge(METRIC_NAMES.evidenceThreshold, {
    description: 'The threshold the statistic must reach to confirm a breach (log 1/alpha).',
  });
  const observe = (result: import('@opentelemetry/api').BatchObservableResult) => {
    const counts = new Map<string, { service: string; phase: string; n: number }>();
    for (const w of watches.values()) {
      const key = `${w.service}\u0000${w.state}`;
      const c = counts.get(key) ?? { service: w.service, phase: w.state, n: 0 };
      c.n += 1;
      counts.set(key, c);
    }
    for (const c of counts.values()) result.observe(watchGauge, c.n, { service: c.service, phase: c.phase });
    for (const e of evidence.values()) {
      result.observe(evidenceGauge, e.value, e.attributes);
      result.observe(thresholdGauge, e.threshold, e.attributes);
    }
  };
  meter.addBatchObservableCallback(observe, [watchGauge, evidenceGauge, thresholdGauge]);

  const startPhase = (w: TrackedWatch, state: MachineStateName, at: number) => {
    w.phase = tracer.startSpan(
      `rollgate.phase ${state}`,
      { startTime: at, attributes: { 'rollgate.phase': state } },
      w.spanContext,
    );
  };

  const onStart = (e: ControllerEvents['watch-start']) => {
    const existing = watches.get(e.watchId);
    if (existing) {
      existing.phase?.end(e.at);
      existing.span.end(e.at);
    }
    const span = tracer.startSpan('rollgate.watch', {
      startTime: e.at,
      attributes: {
        'rollgate.service': e.service,
        'rollgate.watch_id': e.watchId,
        'rollgate.artifact': failingArtifact(e.snapshot).id,
        'rollgate.dry_run': e.snapshot.options.dryRun,
        'rollgate.resumed': e.resumed,
      },
    });
    const w: TrackedWatch = {
      service: e.service,
      state: e.snapshot.state,
      deployedAt: e.snapshot.deploy.deployedAt,
      span,
      spanContext: trace.setSpan(context.active(), span),
      phase: null,
      cutoverStartedAt: null,
    };
    watches.set(e.watchId, w);
    if (!TERMINAL_STATES.has(w.state) || e.snapshot.pending.length > 0) startPhase(w, w.state, e.at);
  };

  const onStep = (e: ControllerEvents['step']) => {
    const w = watches.get(e.watchId);
    if (!w) return;
    const service = e.service;
    const event = e.event;
    if (event.type === 'evaluated') {
      const window = event.evaluation.purpose;
      for (const summary of event.evaluation.signals) {
        for (const v of summary.verdicts.filter((x) => x.segment === undefined)) {
          verdicts.add(1, { service, signal: v.signal, verdict: v.status, window });
          if (v.status === 'error')
            sourceErrors.add(1, { service, signal: v.signal, code: v.error?.code ?? 'UNKNOWN' });
          const st = v.statistic;
          if (
            st &&
            st.value !== null &&
            st.threshold !== null &&
            Number.isFinite(st.value) &&
            Number.isFinite(st.threshold)
          ) {
            const attributes = { service, signal: v.signal, statistic: st.name };
            evidence.set(`${service}\u0000${v.signal}\u0000${st.name}`, {
              attributes,
              value: st.value,
              threshold: st.threshold,
            });
          }
        }
      }
      const d = event.evaluation.decision.type;
      if (window === 'bake' && d !== 'continue') {
        const decision = d === 'breach' ? 'rollback' : d;
        decisions.add(1, { service, decision });
        decisionSeconds.record(Math.max(0, (event.at - w.deployedAt) / 1000), { service, decision });
      }
    }
    if (e.command?.type === 'cutover') w.cutoverStartedAt = e.startedAt;
    const cutoverEnded =
      event.type === 'gate-passed' || event.type === 'gate-failed' || event.type === 'cutover-failed';
    if (cutoverEnded && w.cutoverStartedAt !== null) {
      const result = event.type === 'gate-passed' ? 'ok' : 'failed';
      cutovers.add(1, { service, result });
      cutoverSeconds.record(Math.max(0, (event.at - w.cutoverStartedAt) / 1000), { service, result });
      w.cutoverStartedAt = null;
    }
    const next = e.snapshot.state;
    if (next !== w.state) {
      const at = e.snapshot.phases.at(-1)?.at ?? event.at;
      w.phase?.end(at);
      w.phase = null;
      w.state = next;
      if (!TERMINAL_STATES.has(next)) startPhase(w, next, at);
      else w.span.addEvent(`rollgate.${next}`, { 'rollgate.reason': e.snapshot.reason ?? '' }, at);
    }
  };

  const onOutcome = (r: ControllerEvents['outcome']) => {
    const w = watches.get(r.watchId);
    const service = r.snapshot.service;
    const end = r.snapshot.phases.at(-1)?.at ?? r.snapshot.startedAt;
    outcomes.add(1, { service, outcome: r.outcome });
    watchSeconds.record(Math.max(0, (end - r.snapshot.deploy.deployedAt) / 1000), {
      service,
      outcome: r.outcome,
    });
    if (!w) return;
    w.state = r.state;
    w.phase?.end(end);
    w.phase = null;
    w.span.setAttribute('rollgate.outcome', r.outcome);
    if (r.outcome === 'escalated' || r.outcome === 'halted')
      w.span.setStatus({ code: SpanStatusCode.ERROR, message: r.reason });
    w.span.end(end);
  };

  const onControl = (e: ControllerEvents['control']) => {
    const w = watches.get(e.watchId);
    humanRequests.add(1, { service: w?.service ?? '', action: e.record.action, result: e.record.result });
    w?.span.addEvent(
      `rollgate.request.${e.record.action}`,
      {
        'rollgate.actor': e.record.actor,
        'rollgate.result': e.record.result,
        'rollgate.detail': e.record.detail,
      },
      e.record.at,
    );
  };

  const onStoreError = (e: ControllerEvents['store-error']) => {
    storeErrors.add(1, { operation: e.operation, code: e.error.code });
  };

  const events = controller.events;
  events.on('watch-start', onStart);
  events.on('step', onStep);
  events.on('outcome', onOutcome);
  events.on('control', onControl);
  events.on('store-error', onStoreError);

  return {
    dispose() {
      events.off('watch-start', onStart);
      events.off('step', onStep);
      events.off('outcome', onOutcome);
      events.off('control', onControl);
      events.off('store-error', onStoreError);
      meter.removeBatchObservableCallback(observe, [watchGauge, evidenceGauge, thresholdGauge]);
      for (const w of watches.values()) {
        if (w.phase) {
          w.phase.setAttribute('rollgate.interrupted', true);
          w.phase.end();
        }
        if (w.span.isRecording()) {
          w.span.setAttribute('rollgate.interrupted', true);
          w.span.end();
        }
      }
    },
  };
}
