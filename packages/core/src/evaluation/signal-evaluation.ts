import type { Contract, Rule, SequentialRule, Signal } from '../contract/contract-schema';
import type { PortContext } from '../ports/abort';
import type { ReadResult } from '../ports/metric-source';
import { evaluateBaselineRatio } from '../rules/baseline-ratio';
import { isElevated } from '../rules/cold-start';
import { checkDataQuality } from '../rules/data-quality';
import { evaluateHealth } from '../rules/health-check';
import { evaluateRateOfChange } from '../rules/rate-of-change';
import {
  judgeSequential,
  type SequentialState,
  startSequential,
  stepSequential,
} from '../rules/sequential-count';
import { evaluateStaticRange } from '../rules/static-range';
import { show, showRate, type TimeWindow, type Verdict, type VerdictStatus } from '../rules/verdict';
import { joinCounts, totals } from './count-intervals';
import { eventsQuery, restartsQuery, trialsQuery, unitOf, usesCounts, valueQuery } from './signal-queries';
import type { SignalReader } from './signal-reader';
import {
  AGGREGATE,
  type CountInterval,
  emptySegment,
  type SegmentState,
  type SignalBaseline,
  type SignalState,
  type WatchState,
} from './watch-state';

/** Everything one signal's evaluation needs. */
export interface SignalTick {
  readonly contract: Contract;
  readonly signal: Signal;
  readonly state: SignalState;
  readonly watch: WatchState;
  readonly now: number;
  /** The alpha a sequential rule gets, after splitting across tests. */
  readonly alphaFor: (signal: Signal, ruleIndex: number, segment: string) => number;
  readonly reader: SignalReader;
  readonly ctx: PortContext;
}

/** One signal's evaluation, before the confirmation policy updates its counters. */
export interface SignalOutcome {
  readonly segments: Readonly<Record<string, SegmentState>>;
  readonly lastCountT: number | null;
  /** Aggregate verdicts first, then per-segment verdicts. */
  readonly verdicts: readonly Verdict[];
  readonly status: VerdictStatus;
}

/** Reads one signal's new data and judges it by each of its rules. */
export async function evaluateSignal(tick: SignalTick): Promise<SignalOutcome> {
  const { signal, watch, now, contract } = tick;
  const stepMs = contract.stepSeconds * 1000;
  const windowStart = Math.max(watch.warmupEndsAt, now - signal.windowSeconds * 1000);
  if (now <= watch.warmupEndsAt) {
    const window = { start: watch.deployAt, end: now };
    const reason = `warming up: the first ${Math.round((watch.warmupEndsAt - watch.deployAt) / 1000)} s after the ${watch.purpose === 'bake' ? 'deploy' : 'cutover'} are excluded (cold starts)`;
    const verdicts = signal.rules.map((rule) => noData(signal, rule.type, window, reason));
    return { segments: tick.state.segments, lastCountT: tick.state.lastCountT, verdicts, status: 'no-data' };
  }
  const baseline = watch.baseline?.signals[signal.id];
  const counts = usesCounts(signal) ? await readCounts(tick, baseline, stepMs) : null;
  const segments = counts?.segments ?? tick.state.segments;
  const verdicts: Verdict[] = [];
  const segmentVerdicts: Verdict[] = [];
  const unit = unitOf(signal);

  for (const [index, rule] of signal.rules.entries()) {
    if (rule.type === 'sequential') {
      for (const [key, segment] of Object.entries(segments)) {
        const held = heldForColdStart(tick, segment);
        if (held) {
          (key === AGGREGATE ? verdicts : segmentVerdicts).push({
            ...held,
            ...(key === AGGREGATE ? {} : { segment: key }),
          });
          continue;
        }
        const elevated = segment.warmupVerdict === 'elevated';
        const verdict = judgeSequential(segment.tests[elevated ? lateKey(index) : String(index)] ?? null, {
          signal: signal.id,
          ...(key === AGGREGATE ? {} : { segment: key }),
          window: { start: elevated ? watch.coldStartEndsAt : watch.warmupEndsAt, end: now },
          samples: segment.trials,
          newestT: segment.newestT,
          now,
          maxLagMs: signal.maxLagSeconds * 1000,
          minSamples: key === AGGREGATE ? signal.minSamples : (signal.segments?.minSamples ?? 0),
          what:
            signal.kind === 'error-rate'
              ? 'error rate'
              : `share slower than ${show(baseline?.exceedanceThresholdMs ?? null, ' ms')}`,
          unavailable: counts?.failure ?? baselineProblem(baseline),
        });
        (key === AGGREGATE ? verdicts : segmentVerdicts).push(verdict);
      }
      if (!segments[AGGREGATE])
        verdicts.push(countFailure(signal, rule, { start: windowStart, end: now }, counts?.failure));
      continue;
    }
    if (signal.kind === 'error-rate') {
      for (const [key, segment] of Object.entries(segments)) {
        const verdict = judgeWindowRate(tick, rule, key, segment, baseline, windowStart, counts?.failure);
        (key === AGGREGATE ? verdicts : segmentVerdicts).push(verdict);
      }
      if (!segments[AGGREGATE])
        verdicts.push(countFailure(signal, rule, { start: windowStart, end: now }, counts?.failure));
      continue;
    }
    verdicts.push(await judgeValueRule(tick, rule, baseline, windowStart, segments[AGGREGATE], unit, stepMs));
  }

  const status = combine(verdicts, segmentVerdicts, counts?.segmentFailure ?? null);
  return {
    segments,
    lastCountT: counts?.lastCountT ?? tick.state.lastCountT,
    verdicts: [...verdicts, ...segmentVerdicts],
    status,
  };
}

interface CountRead {
  readonly segments: Record<string, SegmentState>;
  readonly lastCountT: number | null;
  /** Why the aggregate counts could not be read (error or no-data), if they could not. */
  readonly failure: ReadResult | null;
  readonly segmentFailure: ReadResult | null;
}

/**
 * Reads the step intervals completed since the last evaluation (after the warm-up), feeds
 * them to the sequential tests and keeps the ones inside the rule window.
 */
async function readCounts(
  tick: SignalTick,
  baseline: SignalBaseline | undefined,
  stepMs: number,
): Promise<CountRead> {
  const { signal, watch, now, state, reader, ctx } = tick;
  // Read from the deploy on: warm-up intervals are not judged, but they tell a cold start apart.
  const firstEnd = watch.deployAt + stepMs;
  const lastEnd = gridFloor(watch.deployAt, now, stepMs);
  const start = Math.max(firstEnd, state.lastCountT === null ? firstEnd : state.lastCountT + stepMs);
  const segments: Record<string, SegmentState> = { ...state.segments };
  if (start > lastEnd) {
    return { segments, lastCountT: state.lastCountT, failure: null, segmentFailure: null };
  }
  const threshold = signal.kind === 'latency' ? (baseline?.exceedanceThresholdMs ?? null) : null;
  const events = eventsQuery(signal, threshold);
  const range = { start, end: lastEnd, stepMs };
  const segmentBy = signal.segments?.by;
  const sequentialConcurrent = signal.rules.find(
    (r): r is SequentialRule => r.type === 'sequential' && r.test === 'concurrent',
  );
  const stableSignal = sequentialConcurrent?.stableSelector
    ? { ...signal, selector: sequentialConcurrent.stableSelector }
    : null;
  const noEvents: ReadResult = { status: 'no-data', reason: 'no events query (no baseline threshold yet)' };
  const [ev, tr, segEv, segTr, stEv, stTr] = await Promise.all([
    events ? reader(signal, { query: events, ...range }, ctx) : Promise.resolve(noEvents),
    reader(signal, { query: trialsQuery(signal), ...range }, ctx),
    events && segmentBy ? reader(signal, { query: events, ...range, segmentBy }, ctx) : Promise.resolve(null),
    segmentBy
      ? reader(signal, { query: trialsQuery(signal), ...range, segmentBy }, ctx)
      : Promise.resolve(null),
    stableSignal && events
      ? reader(stableSignal, { query: eventsQuery(stableSignal, threshold) ?? events, ...range }, ctx)
      : Promise.resolve(null),
    stableSignal
      ? reader(stableSignal, { query: trialsQuery(stableSignal), ...range }, ctx)
      : Promise.resolve(null),
  ]);
  const after = state.lastCountT;
  const within = (i: CountInterval) => i.t > watch.deployAt && i.t <= now;
  const aggregate = (joinCounts(ev, tr, undefined, after).get(AGGREGATE) ?? []).filter(within);
  const stable =
    stEv && stTr
      ? new Map((joinCounts(stEv, stTr, undefined, after).get(AGGREGATE) ?? []).map((i) => [i.t, i]))
      : null;
  let newest = state.lastCountT;
  const failure = tr.status !== 'ok' ? tr : ev.status === 'error' ? ev : null;
  if (failure === null) {
    segments[AGGREGATE] = consume(tick, AGGREGATE, segments[AGGREGATE], aggregate, baseline, stable);
    for (const i of aggregate) newest = Math.max(newest ?? i.t, i.t);
  }
  let segmentFailure: ReadResult | null = null;
  if (segmentBy && segTr) {
    if (segTr.status === 'error' || segEv?.status === 'error') {
      segmentFailure = segTr.status === 'error' ? segTr : segEv;
    } else {
      const bySegment = joinCounts(segEv ?? noEvents, segTr, segmentBy, after);
      const limit = signal.segments?.maxSegments ?? 10;
      for (const [key, intervals] of bySegment) {
        if (!segments[key] && Object.keys(segments).filter((k) => k !== AGGREGATE).length >= limit) continue;
        segments[key] = consume(tick, key, segments[key], intervals.filter(within), baseline, null);
      }
    }
  }
  return { segments, lastCountT: newest, failure, segmentFailure };
}

function consume(
  tick: SignalTick,
  key: string,
  previous: SegmentState | undefined,
  intervals: readonly CountInterval[],
  baseline: SignalBaseline | undefined,
  stable: Map<number, CountInterval> | null,
): SegmentState {
  const { signal, now, watch } = tick;
  const stepMs = tick.contract.stepSeconds * 1000;
  const segment = previous ?? emptySegment();
  const base = key === AGGREGATE ? baseline : segmentBaseline(baseline, key);
  const tests: Record<string, SequentialState> = { ...segment.tests };
  for (const [index, rule] of signal.rules.entries()) {
    if (rule.type !== 'sequential' || tests[String(index)]) continue;
    if (rule.test === 'concurrent' && key !== AGGREGATE) continue;
    // Two instances: `early` judges from the end of the warm-up, `late` from the end of the
    // cold-start window; which one decides depends only on the warm-up data (see cold-start.ts).
    const alpha = tick.alphaFor(signal, index, key);
    const early = startSequential(rule, base ?? null, alpha);
    const late = startSequential(rule, base ?? null, alpha);
    if (early && late) {
      tests[String(index)] = early;
      tests[lateKey(index)] = late;
    }
  }
  let { events, trials, newestT, warmup } = segment;
  const recent = [...segment.recent];
  for (const interval of intervals) {
    if (interval.trials <= 0) continue;
    newestT = Math.max(newestT ?? interval.t, interval.t);
    if (interval.t <= watch.warmupEndsAt) {
      warmup = { events: warmup.events + interval.events, trials: warmup.trials + interval.trials };
      continue;
    }
    events += interval.events;
    trials += interval.trials;
    recent.push(interval);
    const counterpart = stable?.get(interval.t) ?? null;
    const late = interval.t - stepMs >= watch.coldStartEndsAt - 1;
    for (const [name, state] of Object.entries(tests)) {
      if (name.endsWith(':late') && !late) continue;
      tests[name] = stepSequential(state, interval, counterpart);
    }
  }
  let warmupVerdict = segment.warmupVerdict;
  if (warmupVerdict === null && now > watch.warmupEndsAt && (newestT ?? 0) > watch.warmupEndsAt) {
    warmupVerdict = classifyWarmup(signal, base, warmup) ? 'elevated' : 'clean';
  }
  const horizon = now - signal.windowSeconds * 1000;
  return {
    recent: recent.filter((i) => i.t > horizon),
    tests,
    newestT,
    events,
    trials,
    warmup,
    warmupVerdict,
  };
}

function lateKey(index: number): string {
  return `${index}:late`;
}

/** The warm-up classification for one signal segment, against its baseline or SPRT rate. */
function classifyWarmup(
  signal: Signal,
  baseline: SignalBaseline | undefined,
  warmup: { readonly events: number; readonly trials: number },
): boolean {
  const sprt = signal.rules.find((r): r is SequentialRule => r.type === 'sequential' && r.test === 'sprt');
  if (sprt?.p0 !== undefined) return isElevated(warmup, sprt.p0);
  if (baseline?.status !== 'ok' || baseline.trials === null || baseline.trials <= 0) return false;
  const rate = ((baseline.events ?? 0) + 0.5) / (baseline.trials + 1);
  return isElevated(warmup, rate);
}

/**
 * A segment's baseline. A segment that had no traffic before the deploy (a new endpoint) is
 * compared with the aggregate baseline rate, the best prior available.
 */
function segmentBaseline(baseline: SignalBaseline | undefined, key: string): SignalBaseline | undefined {
  if (!baseline || baseline.status !== 'ok') return baseline;
  const own = baseline.segments[key];
  if (own?.trials == null || own.trials <= 0) return baseline;
  return { ...baseline, events: own.events, trials: own.trials, value: own.value };
}

function judgeWindowRate(
  tick: SignalTick,
  rule: Rule,
  key: string,
  segment: SegmentState,
  baseline: SignalBaseline | undefined,
  windowFrom: number,
  failure: ReadResult | null | undefined,
): Verdict {
  const { signal, now } = tick;
  let windowStart = windowFrom;
  const segmentField = key === AGGREGATE ? {} : { segment: key };
  const held = heldForColdStart(tick, segment);
  if (held) return { ...held, rule: rule.type, ...segmentField };
  if (segment.warmupVerdict === 'elevated') windowStart = Math.max(windowStart, tick.watch.coldStartEndsAt);
  const window = { start: windowStart, end: now };
  if (failure && key === AGGREGATE) return countFailure(signal, rule, window, failure);
  const inWindow = segment.recent.filter((i) => i.t > windowStart);
  const sums = totals(inWindow);
  const quality = checkDataQuality({
    signal: signal.id,
    rule: rule.type,
    ...segmentField,
    window,
    samples: sums.trials,
    newestT: inWindow.at(-1)?.t ?? null,
    now,
    maxLagMs: signal.maxLagSeconds * 1000,
    minSamples: key === AGGREGATE ? signal.minSamples : (signal.segments?.minSamples ?? 0),
  });
  if (quality) return quality;
  const value = {
    signal: signal.id,
    ...segmentField,
    value: sums.events / sums.trials,
    samples: sums.trials,
    window,
    unit: '',
  };
  if (rule.type === 'static') return evaluateStaticRange(rule, value);
  if (rule.type === 'baseline-ratio') {
    const base = key === AGGREGATE ? baseline : segmentBaseline(baseline, key);
    return evaluateBaselineRatio(rule, value, base?.status === 'ok' ? base.value : null);
  }
  return noData(signal, rule.type, window, `rule ${rule.type} does not apply to an error-rate signal`);
}

/** Rules judged on a gauge or quantile read over the window (latency value, resource, health). */
async function judgeValueRule(
  tick: SignalTick,
  rule: Rule,
  baseline: SignalBaseline | undefined,
  windowFrom: number,
  counts: SegmentState | undefined,
  unit: string,
  stepMs: number,
): Promise<Verdict> {
  const { signal, now, reader, ctx, watch } = tick;
  let windowStart = windowFrom;
  const query = valueQuery(signal);
  if (query === null)
    return noData(signal, rule.type, { start: windowStart, end: now }, 'the signal has no value to judge');
  const baseValue = baseline?.status === 'ok' ? baseline.value : null;

  if (signal.kind === 'latency') {
    const held = counts ? heldForColdStart(tick, counts) : null;
    if (held) return { ...held, rule: rule.type };
    if (counts?.warmupVerdict === 'elevated') windowStart = Math.max(windowStart, watch.coldStartEndsAt);
    const window: TimeWindow = { start: windowStart, end: now };
    // The quantile over the whole window, judged with the window's request count as samples.
    const end = gridFloor(watch.deployAt, now, stepMs);
    const span = end - windowStart;
    if (span <= 0) return noData(signal, rule.type, window, 'no complete step in the window yet');
    const read = await reader(signal, { query, start: end, end, stepMs: span }, ctx);
    if (read.status !== 'ok') return fromRead(signal, rule, window, read);
    const inWindow = (counts?.recent ?? []).filter((i) => i.t > windowStart);
    const sums = totals(inWindow);
    const quality = checkDataQuality({
      signal: signal.id,
      rule: rule.type,
      window,
      samples: sums.trials,
      newestT: inWindow.at(-1)?.t ?? null,
      now,
      maxLagMs: signal.maxLagSeconds * 1000,
      minSamples: signal.minSamples,
    });
    if (quality) return quality;
    const v = newestSample(read);
    if (v === null) return noData(signal, rule.type, window, 'no quantile value in the window');
    const input = { signal: signal.id, value: v.v, samples: sums.trials, window, unit };
    if (rule.type === 'static') return evaluateStaticRange(rule, input);
    if (rule.type === 'baseline-ratio') return evaluateBaselineRatio(rule, input, baseValue);
    return noData(signal, rule.type, window, `rule ${rule.type} does not apply to a latency value`);
  }

  const window: TimeWindow = { start: windowStart, end: now };
  const start = gridCeil(watch.deployAt, windowStart, stepMs);
  const end = gridFloor(watch.deployAt, now, stepMs);
  if (end < start) return noData(signal, rule.type, window, 'no complete step in the window yet');
  const [read, restarts] = await Promise.all([
    reader(signal, { query, start, end, stepMs }, ctx),
    signal.kind === 'health' && rule.type === 'health'
      ? reader(signal, { query: restartsQuery(signal), start, end, stepMs }, ctx)
      : Promise.resolve(null),
  ]);
  if (read.status === 'error') return fromRead(signal, rule, window, read);
  const points =
    read.status === 'ok' ? read.series.flatMap((s) => s.samples).filter((p) => p.t > windowStart - 1) : [];
  const restartCount =
    restarts && restarts.status === 'ok'
      ? restarts.series
          .flatMap((s) => s.samples)
          .reduce((sum, p) => sum + (Number.isFinite(p.v) ? p.v : 0), 0)
      : null;
  if (rule.type === 'health') {
    if (restartCount !== null && restartCount > rule.maxRestarts) {
      return evaluateHealth(rule, { signal: signal.id, ready: points, restarts: restartCount, window });
    }
  }
  const quality = checkDataQuality({
    signal: signal.id,
    rule: rule.type,
    window,
    samples: points.length,
    newestT: points.at(-1)?.t ?? null,
    now,
    maxLagMs: signal.maxLagSeconds * 1000,
    minSamples: signal.minSamples,
  });
  if (quality)
    return read.status === 'no-data' ? { ...quality, reason: `${quality.reason} (${read.reason})` } : quality;
  const newest = points.at(-1) as { t: number; v: number };
  const input = { signal: signal.id, value: newest.v, samples: points.length, window, unit };
  switch (rule.type) {
    case 'static':
      return evaluateStaticRange(rule, input);
    case 'baseline-ratio':
      return evaluateBaselineRatio(rule, input, baseValue);
    case 'rate-of-change':
      return evaluateRateOfChange(rule, { signal: signal.id, points, window, baseline: baseValue, unit });
    case 'health':
      return evaluateHealth(rule, { signal: signal.id, ready: points, restarts: restartCount, window });
    default:
      return noData(signal, rule.type, window, `rule ${rule.type} does not apply to a ${signal.kind} signal`);
  }
}

/**
 * While a signal that was degraded during the warm-up is inside the cold-start window, it is
 * held: no-data with the reason, so neither a breach nor a pass comes from cold-start data.
 */
function heldForColdStart(tick: SignalTick, segment: SegmentState): Verdict | null {
  const { watch, now, signal } = tick;
  const stepMs = tick.contract.stepSeconds * 1000;
  if (segment.warmupVerdict !== 'elevated' || now >= watch.coldStartEndsAt + stepMs) return null;
  const rate = segment.warmup.trials > 0 ? segment.warmup.events / segment.warmup.trials : null;
  return {
    status: 'no-data',
    signal: signal.id,
    rule: 'sequential',
    value: null,
    threshold: null,
    window: { start: watch.deployAt, end: now },
    samples: segment.warmup.trials,
    reason: `held: already degraded during the warm-up (${showRate(rate)} ${signal.kind === 'latency' ? 'slow' : 'failing'}), like a cold start; judged on data from ${Math.round((watch.coldStartEndsAt - watch.deployAt) / 1000)} s after the ${watch.purpose === 'bake' ? 'deploy' : 'cutover'}`,
  };
}

/**
 * A signal's status: any breach (aggregate or segment) is a breach; otherwise any error, then
 * any no-data of the aggregate. Segments only add sensitivity: a segment below its floor does
 * not hold back a signal whose aggregate passes.
 */
function combine(
  verdicts: readonly Verdict[],
  segments: readonly Verdict[],
  segmentFailure: ReadResult | null,
): VerdictStatus {
  if (verdicts.some((v) => v.status === 'breach') || segments.some((v) => v.status === 'breach'))
    return 'breach';
  if (verdicts.some((v) => v.status === 'error') || segmentFailure?.status === 'error') return 'error';
  if (verdicts.some((v) => v.status === 'no-data')) return 'no-data';
  return 'pass';
}

function newestSample(read: ReadResult): { t: number; v: number } | null {
  if (read.status !== 'ok') return null;
  let best: { t: number; v: number } | null = null;
  for (const s of read.series) for (const p of s.samples) if (best === null || p.t >= best.t) best = p;
  return best;
}

function baselineProblem(baseline: SignalBaseline | undefined): ReadResult | null {
  if (!baseline) return { status: 'no-data', reason: 'the pre-deploy baseline has not been taken' };
  if (baseline.status === 'ok') return null;
  return { status: 'no-data', reason: `no pre-deploy baseline: ${baseline.reason}` };
}

function countFailure(
  signal: Signal,
  rule: Rule,
  window: TimeWindow,
  failure: ReadResult | null | undefined,
): Verdict {
  if (failure && failure.status !== 'ok') return fromRead(signal, rule, window, failure);
  return noData(signal, rule.type, window, 'no complete step after the warm-up yet');
}

function fromRead(signal: Signal, rule: Rule, window: TimeWindow, read: ReadResult): Verdict {
  if (read.status === 'error') {
    return {
      status: 'error',
      signal: signal.id,
      rule: rule.type,
      value: null,
      threshold: null,
      window,
      samples: 0,
      reason: `source failed: ${read.error.code}: ${read.error.message}`,
      error: read.error.toJSON(),
    };
  }
  return noData(signal, rule.type, window, read.status === 'no-data' ? read.reason : 'no data');
}

function noData(signal: Signal, rule: string, window: TimeWindow, reason: string): Verdict {
  return {
    status: 'no-data',
    signal: signal.id,
    rule,
    value: null,
    threshold: null,
    window,
    samples: 0,
    reason,
  };
}

/** The first step end on the deploy-anchored grid at or after `t`. */
function gridCeil(anchor: number, t: number, stepMs: number): number {
  return anchor + Math.ceil((t - anchor) / stepMs) * stepMs;
}

/** The last step end on the deploy-anchored grid at or before `t`. */
function gridFloor(anchor: number, t: number, stepMs: number): number {
  return anchor + Math.floor((t - anchor) / stepMs) * stepMs;
}
