import type { Contract, Signal } from '../contract/contract-schema';
import type { PortContext } from '../ports/abort';
import type { ReadResult } from '../ports/metric-source';
import { estimateDispersion } from '../stats';
import { levelSeries, rateSeries } from './baseline-series';
import { joinCounts, totals } from './count-intervals';
import { eventsQuery, exceedanceThreshold, trialsQuery, valueQuery } from './signal-queries';
import type { SignalReader } from './signal-reader';
import { AGGREGATE, type BaselineSnapshot, type SegmentBaseline, type SignalBaseline } from './watch-state';

/** Gauge baselines (resource level, readiness) use the last few minutes before the deploy. */
const GAUGE_BASELINE_MS = 300_000;

/**
 * Takes the pre-deploy snapshot: every read ends at `deployAt`, so no post-deploy data can
 * enter it. Signals already captured in `previous` are kept as they are; only those whose read
 * failed are read again (the window is in the past, so a later read sees the same data).
 */
export async function takeBaseline(
  contract: Contract,
  deployAt: number,
  reader: SignalReader,
  ctx: PortContext,
  takenAt: number,
  previous: BaselineSnapshot | null = null,
): Promise<BaselineSnapshot> {
  const baselineMs = contract.baselineSeconds * 1000;
  const entries = await Promise.all(
    contract.signals.map(async (signal): Promise<[string, SignalBaseline]> => {
      const kept = previous?.signals[signal.id];
      if (kept && kept.status !== 'error') return [signal.id, kept];
      return [signal.id, await baselineOf(contract, signal, deployAt, baselineMs, reader, ctx)];
    }),
  );
  return {
    takenAt: previous?.takenAt ?? takenAt,
    window: { start: deployAt - baselineMs, end: deployAt },
    signals: Object.fromEntries(entries),
  };
}

async function baselineOf(
  contract: Contract,
  signal: Signal,
  deployAt: number,
  baselineMs: number,
  reader: SignalReader,
  ctx: PortContext,
): Promise<SignalBaseline> {
  const whole = { start: deployAt, end: deployAt, stepMs: baselineMs };
  // Counts are read step by step: their spread tells how bursty the service is (dispersion).
  const stepMs = contract.stepSeconds * 1000;
  const perStep = { start: deployAt - baselineMs + stepMs, end: deployAt, stepMs };
  switch (signal.kind) {
    case 'error-rate':
      return countBaseline(signal, null, null, perStep, reader, ctx);
    case 'latency': {
      const p99Read = await reader(signal, { query: latencyP99(signal), ...whole }, ctx);
      const p99 = lastValue(p99Read);
      if (p99Read.status !== 'ok' || p99 === null) return fromFailure(p99Read, 'baseline p99');
      let value = p99;
      if (signal.quantile !== 0.99 || signal.queries?.value) {
        const q = valueQuery(signal);
        const valueRead = q ? await reader(signal, { query: q, ...whole }, ctx) : p99Read;
        const v = lastValue(valueRead);
        if (valueRead.status !== 'ok' || v === null) return fromFailure(valueRead, 'baseline quantile');
        value = v;
      }
      const threshold = exceedanceThreshold(contract.latencyBucketsMs, p99);
      return countBaseline(signal, threshold, value, perStep, reader, ctx);
    }
    case 'resource':
    case 'health': {
      const query = valueQuery(signal);
      if (query === null) return noData('the signal has no value query');
      const read = await reader(
        signal,
        {
          query,
          start: deployAt - Math.min(baselineMs, GAUGE_BASELINE_MS),
          end: deployAt,
          stepMs: contract.stepSeconds * 1000,
        },
        ctx,
      );
      if (read.status !== 'ok') return fromFailure(read, 'baseline level');
      const values = read.series.flatMap((s) => s.samples.map((p) => p.v)).filter(Number.isFinite);
      if (values.length === 0) return noData('no finite samples before the deploy');
      const value = signal.kind === 'resource' ? median(values) : mean(values);
      const samples = read.series.flatMap((s) => s.samples);
      return {
        status: 'ok',
        reason: `${signal.kind === 'resource' ? 'median' : 'mean'} of ${values.length} samples before the deploy`,
        events: null,
        trials: null,
        value,
        exceedanceThresholdMs: null,
        dispersion: 1,
        segments: {},
        series: {
          kind: 'level',
          points: levelSeries(samples, deployAt - Math.min(baselineMs, GAUGE_BASELINE_MS), deployAt),
        },
      };
    }
  }
}

async function countBaseline(
  signal: Signal,
  thresholdMs: number | null,
  value: number | null,
  whole: { start: number; end: number; stepMs: number },
  reader: SignalReader,
  ctx: PortContext,
): Promise<SignalBaseline> {
  const events = eventsQuery(signal, thresholdMs);
  const trials = trialsQuery(signal);
  const segmentBy = signal.segments?.by;
  const [ev, tr, segEv, segTr] = await Promise.all([
    events ? reader(signal, { query: events, ...whole }, ctx) : Promise.resolve(null),
    reader(signal, { query: trials, ...whole }, ctx),
    events && segmentBy ? reader(signal, { query: events, ...whole, segmentBy }, ctx) : Promise.resolve(null),
    segmentBy ? reader(signal, { query: trials, ...whole, segmentBy }, ctx) : Promise.resolve(null),
  ]);
  if (tr.status !== 'ok') return fromFailure(tr, 'baseline requests');
  if (ev && ev.status === 'error') return fromFailure(ev, 'baseline events');
  const joined = joinCounts(ev ?? { status: 'no-data', reason: 'none' }, tr, undefined, null);
  const intervals = joined.get(AGGREGATE) ?? [];
  const agg = totals(intervals);
  if (agg.trials <= 0) return noData('no requests in the baseline window');
  const segments: Record<string, SegmentBaseline> = {};
  if (segmentBy && segTr && segTr.status === 'ok' && !(segEv && segEv.status === 'error')) {
    const bySegment = joinCounts(segEv ?? { status: 'no-data', reason: 'none' }, segTr, segmentBy, null);
    const ranked = [...bySegment]
      .map(([key, intervals]) => [key, totals(intervals)] as const)
      .sort((a, b) => b[1].trials - a[1].trials)
      .slice(0, signal.segments?.maxSegments ?? 10);
    for (const [key, t] of ranked) {
      segments[key] = {
        events: t.events,
        trials: t.trials,
        value: t.trials > 0 ? t.events / t.trials : null,
      };
    }
  }
  const rate = agg.events / agg.trials;
  return {
    status: 'ok',
    reason:
      thresholdMs === null
        ? `${round(agg.events)} of ${round(agg.trials)} requests failed before the deploy`
        : `${round(agg.events)} of ${round(agg.trials)} requests slower than ${thresholdMs} ms before the deploy`,
    events: agg.events,
    trials: agg.trials,
    value: signal.kind === 'error-rate' ? rate : value,
    exceedanceThresholdMs: thresholdMs,
    dispersion: estimateDispersion(intervals),
    segments,
    series: { kind: 'rate', points: rateSeries(intervals, whole.start - whole.stepMs, whole.end) },
  };
}

function latencyP99(signal: Signal) {
  return { measure: 'latency-quantile' as const, selector: signal.selector, quantile: 0.99 };
}

function lastValue(read: ReadResult): number | null {
  if (read.status !== 'ok') return null;
  const samples = read.series.flatMap((s) => s.samples);
  const last = samples.reduce<{ t: number; v: number } | null>(
    (a, b) => (a === null || b.t >= a.t ? b : a),
    null,
  );
  return last === null || !Number.isFinite(last.v) ? null : last.v;
}

function fromFailure(read: ReadResult, what: string): SignalBaseline {
  if (read.status === 'error') {
    return {
      status: 'error',
      reason: `${what}: ${read.error.code}: ${read.error.message}`,
      events: null,
      trials: null,
      value: null,
      exceedanceThresholdMs: null,
      dispersion: 1,
      segments: {},
    };
  }
  return noData(`${what}: ${read.status === 'no-data' ? read.reason : 'no finite value'}`);
}

function noData(reason: string): SignalBaseline {
  return {
    status: 'no-data',
    reason,
    events: null,
    trials: null,
    value: null,
    exceedanceThresholdMs: null,
    dispersion: 1,
    segments: {},
  };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

function round(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}
