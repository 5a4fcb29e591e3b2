import type { Contract, Rule, SequentialRule, Signal } from '../contract/contract-schema';
import { Thrown } from '../errors/thrown';
import type { PortContext } from '../ports/abort';
import type { ReadResult, Sample, Series } from '../ports/metric-source';
import { evaluateBaselineRatio } from '../rules/baseline-ratio';
import { isElevated, rulesOutColdStart, showsColdStartAtBound, smallestColdStart } from '../rules/cold-start';
import { checkDataQuality } from '../rules/data-quality';
import { evaluateHealth } from '../rules/health-check';
import { isLazyGaugeVerdict, LazyGaugeVerdict, withHeldReason } from '../rules/lazy-gauge-verdict';
import { evaluateRateOfChange } from '../rules/rate-of-change';
import {
  burstCap,
  judgeSequential,
  plansFinalLook,
  type SequentialJudgement,
  type SequentialState,
  startSequential,
  stepSequential,
  takeFinalLook,
} from '../rules/sequential-count';
import { evaluateStaticRange } from '../rules/static-range';
import { show, showRate, type TimeWindow, type Verdict, type VerdictStatus } from '../rules/verdict';
import { DEFAULT_ERROR_SURGE_TOLERANCE, kindOf } from '../signals/signal-kinds';
import { driftInBakeDue, driftStepLookDue, takeDriftInBakeLook, takeDriftStepLook } from './baseline-drift';
import { joinAggregate, joinCounts, totals } from './count-intervals';
import { type CountVerdictExtra, countVerdictOnRead, finishCountVerdict } from './lazy-verdict';
import {
  DEFAULT_LATENCY_SPREAD,
  errorLoadTolerance,
  isSurge,
  latencyLoadTolerance,
  SURGE_DRAIN_SECONDS,
  SURGE_SETTLE_SECONDS,
  smoothedLoad,
  underSurge,
} from './load-surge';
import {
  countsExceedances,
  eventsQuery,
  restartsQuery,
  trialsQuery,
  unitOf,
  usesCounts,
  valueDomain,
  valueQuery,
} from './signal-queries';
import type { SignalRead, SignalReader, SignalSender } from './signal-reader';
import {
  AGGREGATE,
  type CountInterval,
  crossesTime,
  emptySegment,
  type PendingInterval,
  type SegmentState,
  type SignalBaseline,
  type SignalState,
  type WatchState,
} from './watch-state';

/**
 * One signal's evaluation, in three phases the evaluator runs for every signal:
 * 1. {@link readSignalCounts} reads the step intervals completed since the last evaluation
 *    (count signals) and feeds the sequential tests;
 * 2. the evaluator decides, once, whether the deploy is in a cold start
 *    ({@link recognizeColdStart}) — a fact about the whole service, seen in its latency;
 * 3. {@link judgeSignal} applies every rule, with the test and window the cold-start decision
 *    selects.
 *
 * Cold starts: breaches in the first `warmupSeconds` are held until the recognition window ends.
 * Without a cold start, count signals are judged on everything since the deploy (a regression
 * from the first request is caught fast); with one, only on data from `coldStartSeconds` on.
 * With `holdQuietColdStartErrors`, errors without a cold start's latency are confirmed only on
 * data after `coldStartSeconds` (a quiet cold start: {@link quietColdStartBound}).
 */

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
  /** The same reads sent and awaited in the caller's frame (the tick path: signal-reader.ts). */
  readonly sender: SignalSender;
  readonly ctx: PortContext;
}

/** The counts a count signal read in phase 1. */
export interface CountRead {
  readonly segments: Readonly<Record<string, SegmentState>>;
  readonly lastCountT: number | null;
  /** Why the aggregate counts could not be read (error or no-data), if they could not. */
  readonly failure: ReadResult | null;
  readonly segmentFailure: ReadResult | null;
  /** Step ends (epoch ms) of this read's aggregate intervals that were a load surge. */
  readonly surgeSteps?: readonly number[];
}

/** One signal's evaluation, before the confirmation policy updates its counters. */
export interface SignalOutcome {
  readonly segments: Readonly<Record<string, SegmentState>>;
  readonly lastCountT: number | null;
  /** Aggregate verdicts first, then per-segment verdicts. */
  readonly verdicts: readonly Verdict[];
  readonly status: VerdictStatus;
}

/** The events read of a signal that has no events query yet (immutable, shared). */
const NO_EVENTS_QUERY: ReadResult = Object.freeze({
  status: 'no-data',
  reason: 'no events query (no baseline threshold yet)',
});

/** Phase 1: reads the step intervals completed since the last evaluation; null for gauge signals. */
export async function readSignalCounts(tick: SignalTick): Promise<CountRead | null> {
  if (!usesCounts(tick.signal)) return null;
  const { signal, watch, now, state, reader, sender, ctx } = tick;
  const stepMs = tick.contract.stepSeconds * 1000;
  const baseline = watch.baseline?.signals[signal.id];
  const firstEnd = watch.deployAt + stepMs;
  const lastEnd = gridFloor(watch.deployAt, now, stepMs);
  const start = Math.max(firstEnd, state.lastCountT === null ? firstEnd : state.lastCountT + stepMs);
  const segments: Record<string, SegmentState> = { ...state.segments };
  if (start > lastEnd) return { segments, lastCountT: state.lastCountT, failure: null, segmentFailure: null };
  const threshold = countsExceedances(signal) ? (baseline?.exceedanceThresholdMs ?? null) : null;
  const events = eventsQuery(signal, threshold);
  const segmentBy = signal.segments?.by;
  const concurrent = concurrentRule(signal);
  const stable = concurrent?.stableSelector ? { ...signal, selector: concurrent.stableSelector } : null;
  const noEvents: ReadResult = NO_EVENTS_QUERY;
  // Each request a literal of its four fields (`segmentBy` fifth), in the order a spread of the
  // range gave them: no range object, and no object built key by key from a spread at every step
  // (docs/benchmarks.md, `alloc15-issue-13`).
  // Only the reads this signal needs are sent (the default signals: events and trials), each
  // request built once: a tick reads every count signal of every watch. The reads are held in
  // variables, not an array destructured through the iterator protocol, and the common case
  // (no segments, no stable fleet) awaits its two reads with no Promise.all.
  const trials = trialsQuery(signal);
  let ev: ReadResult;
  let tr: ReadResult;
  let segEv: ReadResult | null = null;
  let segTr: ReadResult | null = null;
  let stEv: ReadResult | null = null;
  let stTr: ReadResult | null = null;
  if (segmentBy === undefined && stable === null) {
    // The tick path: both reads sent to the source and awaited here, in this frame, with no
    // frame of readWithRetry's per read; the second guarded, as it is awaited after the first
    // (docs/benchmarks.md, `frame16-issue-13`). Both first attempts are settled before either's
    // retries are awaited, so the retries start when they did.
    const evReq: SignalRead | null = events ? { query: events, start, end: lastEnd, stepMs } : null;
    const trReq: SignalRead = { query: trials, start, end: lastEnd, stepMs };
    const evSent = evReq ? sender.send(signal, evReq, ctx, false) : null;
    const trSent = sender.send(signal, trReq, ctx, evSent !== null);
    let evAnswer: unknown = null;
    if (evSent !== null) {
      try {
        evAnswer = await evSent;
      } catch (error) {
        evAnswer = new Thrown(error);
      }
    }
    let trAnswer: unknown;
    try {
      trAnswer = await trSent;
    } catch (error) {
      trAnswer = new Thrown(error);
    }
    const evDone = evReq ? sender.settle(signal, evReq, ctx, evAnswer) : noEvents;
    const trDone = sender.settle(signal, trReq, ctx, trAnswer);
    ev = evDone instanceof Promise ? await evDone : evDone;
    tr = trDone instanceof Promise ? await trDone : trDone;
  } else {
    const evRead = events ? reader(signal, { query: events, start, end: lastEnd, stepMs }, ctx) : null;
    const trRead = reader(signal, { query: trials, start, end: lastEnd, stepMs }, ctx);
    const all = await Promise.all([
      evRead ?? noEvents,
      trRead,
      events && segmentBy
        ? reader(signal, { query: events, start, end: lastEnd, stepMs, segmentBy }, ctx)
        : null,
      segmentBy ? reader(signal, { query: trials, start, end: lastEnd, stepMs, segmentBy }, ctx) : null,
      stable && events
        ? reader(
            stable,
            { query: eventsQuery(stable, threshold) ?? events, start, end: lastEnd, stepMs },
            ctx,
          )
        : null,
      stable ? reader(stable, { query: trialsQuery(stable), start, end: lastEnd, stepMs }, ctx) : null,
    ]);
    ev = all[0];
    tr = all[1];
    segEv = all[2];
    segTr = all[3];
    stEv = all[4];
    stTr = all[5];
  }
  const tailQuery =
    baseline?.status === 'ok' && baseline.tail ? eventsQuery(signal, baseline.tail.thresholdMs) : null;
  // Each sent and awaited here, alone (so unguarded), and settled as readWithRetry would.
  let tailEv: ReadResult | null = null;
  if (tailQuery) {
    const tailReq: SignalRead = { query: tailQuery, start, end: lastEnd, stepMs };
    let answer: unknown;
    try {
      answer = await sender.send(signal, tailReq, ctx, false);
    } catch (error) {
      answer = new Thrown(error);
    }
    const done = sender.settle(signal, tailReq, ctx, answer);
    tailEv = done instanceof Promise ? await done : done;
  }
  // The cold-start bound is read while the warm-up lasts, for its recognition, and after a cold
  // start is recognised until its window ends, for the look at its end ({@link coldStartOver}).
  const denseQuery =
    baseline?.status === 'ok' && baseline.coldStartBound && start <= coldStartBoundReadTo(watch)
      ? eventsQuery(signal, baseline.coldStartBound.thresholdMs)
      : null;
  let denseEv: ReadResult | null = null;
  if (denseQuery) {
    const denseReq: SignalRead = { query: denseQuery, start, end: lastEnd, stepMs };
    let answer: unknown;
    try {
      answer = await sender.send(signal, denseReq, ctx, false);
    } catch (error) {
      answer = new Thrown(error);
    }
    const done = sender.settle(signal, denseReq, ctx, answer);
    denseEv = done instanceof Promise ? await done : done;
  }
  return countsFrom(tick, segments, { ev, tr, segEv, segTr, stEv, stTr, tailEv, denseEv });
}

/** The reads of one count signal's new intervals (null: not sent). */
interface CountReads {
  readonly ev: ReadResult;
  readonly tr: ReadResult;
  readonly segEv: ReadResult | null;
  readonly segTr: ReadResult | null;
  readonly stEv: ReadResult | null;
  readonly stTr: ReadResult | null;
  readonly tailEv: ReadResult | null;
  readonly denseEv: ReadResult | null;
}

/**
 * Phase 1 once the reads are in: the new intervals joined, classified and fed to the segments.
 * Apart from readSignalCounts' awaits, so its async frame keeps only the reads across them.
 */
function countsFrom(tick: SignalTick, segments: Record<string, SegmentState>, reads: CountReads): CountRead {
  const { signal, watch, now, state } = tick;
  const { ev, tr, segEv, segTr, stEv, stTr, tailEv, denseEv } = reads;
  const baseline = watch.baseline?.signals[signal.id];
  const segmentBy = signal.segments?.by;
  const noEvents: ReadResult = NO_EVENTS_QUERY;
  const after = state.lastCountT;
  const { deployAt } = watch;
  const denseTo = coldStartBoundReadTo(watch);
  // The tail's and the cold-start bound's events are joined on the same trials read, so their
  // intervals ascend in time as the aggregate's do: each is looked up with a cursor walking
  // forward, not a map by time built for one or two intervals.
  const tailJoin = secondJoin(tailEv, tr, after);
  const denseJoin = secondJoin(denseEv, tr, after);
  let tailAt = 0;
  let denseAt = 0;
  const aggregate: CountInterval[] = [];
  for (const i of joinAggregate(ev, tr, after)) {
    if (!(i.t > deployAt && i.t <= now)) continue;
    let tail: number | undefined;
    if (tailJoin) {
      tailAt = cursorAt(tailJoin, tailAt, i.t);
      tail = Math.min(i.events, eventsAt(tailJoin, tailAt, i.t));
    }
    let dense: number | undefined;
    if (denseJoin && i.t <= denseTo) {
      denseAt = cursorAt(denseJoin, denseAt, i.t);
      dense = Math.min(i.trials, Math.max(i.events, eventsAt(denseJoin, denseAt, i.t)));
    }
    aggregate.push(withMarks(i, tail, dense));
  }
  let stableByT: Map<number, CountInterval> | null = null;
  if (stEv && stTr) {
    stableByT = new Map();
    for (const i of joinCounts(stEv, stTr, undefined, after).get(AGGREGATE) ?? []) stableByT.set(i.t, i);
  }
  let newest = state.lastCountT;
  const failure =
    tr.status !== 'ok'
      ? tr
      : ev.status === 'error'
        ? ev
        : tailEv?.status === 'error'
          ? tailEv
          : denseEv?.status === 'error'
            ? denseEv
            : null;
  // Load surges are a fact about the service's traffic: classified on the aggregate, applied to
  // every segment at the same step.
  const surges: LoadMarks = new Map();
  // Almost every step has no surge: the list of surge steps is made only for one (in the
  // aggregate's order, each step once: the joined intervals' times are distinct).
  let surgeSteps: number[] | null = null;
  if (failure === null && aggregate.length > 0) {
    const profile = baseline?.status === 'ok' ? baseline.load : undefined;
    // The window's trials: the surge mark reads the last few, the drain look-back up to a minute.
    const previous: number[] = [];
    for (const i of segments[AGGREGATE]?.recent ?? []) previous.push(i.trials);
    // The tail lags the rate: a step's load is also the load of the minute before (load-surge.ts).
    const drainSteps = Math.round(SURGE_DRAIN_SECONDS / tick.contract.stepSeconds);
    for (const interval of aggregate) {
      const surge = isSurge(profile, previous, interval.trials);
      surges.set(interval.t, { surge, load: smoothedLoad(profile, previous, interval.trials, drainSteps) });
      previous.push(interval.trials);
      if (surge) {
        surgeSteps ??= [];
        surgeSteps.push(interval.t);
      }
    }
  }
  if (failure === null) {
    segments[AGGREGATE] = consume(
      tick,
      AGGREGATE,
      segments[AGGREGATE],
      aggregate,
      baseline,
      stableByT,
      surges,
    );
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
        const inWatch = intervals.filter((i) => i.t > deployAt && i.t <= now);
        segments[key] = consume(tick, key, segments[key], inWatch, baseline, null, surges);
      }
    }
  }
  return surgeSteps === null
    ? { segments, lastCountT: newest, failure, segmentFailure }
    : { segments, lastCountT: newest, failure, segmentFailure, surgeSteps };
}

/** A second events read (the tail, the cold-start bound) joined on the trials; null when absent or failed. */
function secondJoin(
  read: ReadResult | null,
  trials: ReadResult,
  after: number | null,
): readonly CountInterval[] | null {
  if (!read || read.status === 'error') return null;
  return joinAggregate(read, trials, after);
}

/**
 * A joined interval with its tail's and cold-start bound's events, as one literal of all its
 * fields: the interval is kept in the count window (`recent`) for the window's length, and a
 * spread with a field added after (`{ ...i, tail }`) gave each one a separate property store
 * (about 40 B more per latency interval: docs/benchmarks.md, `heap11-issue-13`). The same keys
 * in the same order as the spread, so the same JSON. The joins' intervals hold only these three
 * counts (count-intervals.ts).
 */
function withMarks(i: CountInterval, tail: number | undefined, dense: number | undefined): CountInterval {
  if (tail === undefined) {
    return dense === undefined ? i : { t: i.t, events: i.events, trials: i.trials, dense };
  }
  return dense === undefined
    ? { t: i.t, events: i.events, trials: i.trials, tail }
    : { t: i.t, events: i.events, trials: i.trials, tail, dense };
}

/** The first index from `from` on whose interval does not end before `t` (intervals ascend in time). */
function cursorAt(intervals: readonly CountInterval[], from: number, t: number): number {
  let at = from;
  while (at < intervals.length && (intervals[at] as CountInterval).t < t) at++;
  return at;
}

/** The events of the interval at `at` if it ends at `t`, else 0 (not read there). */
function eventsAt(intervals: readonly CountInterval[], at: number, t: number): number {
  const interval = intervals[at];
  return interval !== undefined && interval.t === t ? interval.events : 0;
}

/** The signal's concurrent sequential rule (the stable fleet's reads), if it has one. */
function concurrentRule(signal: Signal): SequentialRule | undefined {
  for (const rule of signal.rules) if (rule.type === 'sequential' && rule.test === 'concurrent') return rule;
  return undefined;
}

/** The warm-up counts with one more interval (its cold-start bound count too, when read). */
function addWarmup(warmup: SegmentState['warmup'], interval: CountInterval): SegmentState['warmup'] {
  const events = warmup.events + interval.events;
  const trials = warmup.trials + interval.trials;
  return interval.dense === undefined
    ? { events, trials }
    : { events, trials, dense: (warmup.dense ?? 0) + interval.dense };
}

/**
 * The sequential tests of a segment's rules not yet in `current`, started on the segment's
 * baseline (a latency rule's tail test beside its first threshold's): a copy of `current` with
 * them added, or null when none starts (the object is copied only when a test starts).
 */
function startTests(
  tick: SignalTick,
  key: string,
  base: SignalBaseline | undefined,
  current: Readonly<Record<string, SequentialState>>,
): Record<string, SequentialState> | null {
  const { signal } = tick;
  let tests: Record<string, SequentialState> | null = null;
  const rules = signal.rules;
  for (let index = 0; index < rules.length; index++) {
    const rule = rules[index] as Rule;
    if (rule.type !== 'sequential' || (tests ?? current)[String(index)]) continue;
    if (rule.test === 'concurrent' && key !== AGGREGATE) continue;
    const alpha = tick.alphaFor(signal, index, key);
    const tail =
      key === AGGREGATE && rule.test === 'baseline' && base?.status === 'ok' ? base.tail : undefined;
    const started = startSequential(
      rule,
      base ?? null,
      tail ? alpha * (1 - TAIL_ALPHA_SHARE) : alpha,
      finalShareOf(tick, rule, key, base?.events ?? 0, false),
      gridPlanOf(tick, key),
    );
    if (started) {
      tests ??= { ...current };
      tests[String(index)] = started;
    }
    if (started && tail && base) {
      const tailTest = startSequential(
        rule,
        { status: 'ok', events: tail.events, trials: base.trials, dispersion: tail.dispersion },
        alpha * TAIL_ALPHA_SHARE,
        finalShareOf(tick, rule, key, tail.events, true),
      );
      if (tailTest) {
        tests ??= { ...current };
        tests[tailKey(index)] = tailTest;
      }
    }
  }
  return tests;
}

/**
 * The bake an error test plans its ratio grid for (rules/sequential-count.ts `plannedRatios`): a
 * bake's aggregate error test (the contract's bake and baseline lengths); undefined elsewhere (a
 * verification, a segment, a latency test keep the default grid). A function of the contract only.
 */
function gridPlanOf(
  tick: SignalTick,
  key: string,
): { bakeSeconds: number; baselineSeconds: number } | undefined {
  if (tick.watch.purpose !== 'bake' || key !== AGGREGATE) return undefined;
  if (kindOf(tick.signal).counts?.events !== 'errors') return undefined;
  return { bakeSeconds: tick.contract.bakeSeconds, baselineSeconds: tick.contract.baselineSeconds };
}

/**
 * The share of a test's alpha spent on its look at the bake's end (rules/sequential-count.ts
 * `FINAL_LOOK_SHARE`): the signal kind's, for a bake's aggregate baseline test whose baseline
 * (`baselineEvents`, the events of the test's own threshold: a latency rule's tail test has its
 * own) plans the look (`plansFinalLook`); 0 otherwise (a verification, a segment, a test of
 * another kind, a latency rule's first threshold, a baseline whose bake would expect too many
 * events for the look to apply keep their whole alpha for the e-process). A function of the
 * contract and the baseline only, so the test's start and its look at the bake's end ask the same.
 */
function finalShareOf(
  tick: SignalTick,
  rule: Rule,
  key: string,
  baselineEvents: number,
  isTail: boolean,
): number {
  if (tick.watch.purpose !== 'bake' || key !== AGGREGATE) return 0;
  if (rule.type !== 'sequential' || rule.test !== 'baseline') return 0;
  const counts = kindOf(tick.signal).counts;
  const share = counts?.finalLookShare ?? 0;
  if (!(share > 0)) return 0;
  // A latency rule looks at its tail threshold only, and only where that threshold's window saw
  // an exceedance (a look needs one: `takeFinalLook`); its first threshold's test and a tail
  // test on an empty window keep their whole alpha (docs/statistics.md, "One look at the tail
  // threshold").
  if (counts?.events === 'latency-exceedances' && (!isTail || !(baselineEvents >= 1))) return 0;
  const { contract } = tick;
  return plansFinalLook(baselineEvents, contract.baselineSeconds, contract.bakeSeconds) ? share : 0;
}

/**
 * Whether this evaluation takes the look at the bake's end: the first evaluation at or after the
 * contract's bake end (deploy + `bakeSeconds`, fixed before the deploy: an extended bake or a
 * rollout's steps do not move it, so the look is taken once, at a time the data do not choose).
 */
function looksAtBakeEnd(tick: SignalTick): boolean {
  const { watch, now } = tick;
  if (watch.purpose !== 'bake') return false;
  return crossesTime(watch.deployAt + tick.contract.bakeSeconds * 1000, watch.lastEvaluatedAt, now);
}

/**
 * A segment's tests after the look at the bake's end (see {@link looksAtBakeEnd}): each test
 * started with a final share looks once, at alpha x share of the rule's alpha. A copy of the tests
 * when one rejected, else the same object.
 */
function withFinalLook(
  tick: SignalTick,
  key: string,
  base: SignalBaseline | undefined,
  tests: Readonly<Record<string, SequentialState>>,
): Readonly<Record<string, SequentialState>> {
  let out: Record<string, SequentialState> | null = null;
  for (const name in tests) {
    const isTail = name.endsWith(TAIL_SUFFIX);
    const index = Number.parseInt(name, 10);
    const rule = tick.signal.rules[index];
    if (!rule) continue;
    // A latency rule's tail test looks at its share of the tail's alpha, against the tail
    // threshold's own baseline events (the union bound over the e-processes and the look).
    const tail =
      key === AGGREGATE && rule.type === 'sequential' && rule.test === 'baseline' && base?.status === 'ok'
        ? base.tail
        : undefined;
    if (isTail && !tail) continue;
    const windowEvents = isTail && tail ? tail.events : (base?.events ?? 0);
    const share = finalShareOf(tick, rule, key, windowEvents, isTail);
    if (!(share > 0)) continue;
    const state = tests[name] as SequentialState;
    const ruleAlpha = tick.alphaFor(tick.signal, index, key);
    const alpha = isTail
      ? ruleAlpha * TAIL_ALPHA_SHARE
      : tail
        ? ruleAlpha * (1 - TAIL_ALPHA_SHARE)
        : ruleAlpha;
    // Only a test started with the share set aside looks (a test saved before the look existed
    // resumes with its whole alpha in the e-process, and spends nothing more).
    if (state.kind !== 'baseline' || Math.abs(state.alpha - alpha * (1 - share)) > 1e-9 * alpha) continue;
    const looked = takeFinalLook(state, alpha * share, windowEvents, tick.signal.minSamples);
    if (looked !== state) {
      out ??= { ...tests };
      out[name] = looked;
    }
  }
  return out ?? tests;
}

function consume(
  tick: SignalTick,
  key: string,
  previous: SegmentState | undefined,
  intervals: readonly CountInterval[],
  baseline: SignalBaseline | undefined,
  stable: Map<number, CountInterval> | null,
  surges: LoadMarks,
): SegmentState {
  const { signal, now, watch } = tick;
  const segment = previous ?? emptySegment();
  const base = key === AGGREGATE ? baseline : segmentBaseline(baseline, key);
  // Once started, a segment's tests are only stepped (feed makes their next object): the
  // object is copied only when a test starts here, not at every step.
  const tests = startTests(tick, key, base, segment.tests);
  const horizon = now - signal.windowSeconds * 1000;
  // The window of recent intervals, built once: the old ones still inside the window, then each
  // new interval with requests (the same intervals, in the same order, as appending one by one
  // and dropping those at or before the horizon at the end).
  const recent: CountInterval[] = [];
  for (const i of segment.recent) if (i.t > horizon) recent.push(i);
  // The segment's next state, made once here and then written in place while it is still this
  // function's own (not yet returned, nowhere referenced): the same keys, in the same order, with
  // the same values as a copy per interval and per test step made (a property test compares).
  const next: Mutable<SegmentState> = {
    ...segment,
    tests: tests ?? segment.tests,
    recent,
    pending: segment.pending,
  };
  let pendingOwned = false;
  const stepMs = tick.contract.stepSeconds * 1000;
  const restartAt = quietColdStartBound(tick.contract, watch, signal);
  for (const interval of intervals) {
    if (
      restartAt !== null &&
      interval.t >= restartAt &&
      (next.newestT ?? Number.NEGATIVE_INFINITY) < restartAt &&
      !errorsRuleOutColdStart(next.warmup, base)
    ) {
      // The cold-start bound has passed: the tests with evidence of a rise start again on the
      // data after it, so what a cold start the latency did not show added before it no longer counts.
      const restarted = restartRisen(next.tests, startTests(tick, key, base, {}) ?? {});
      if (restarted !== null) {
        next.tests = restarted;
        next.events = 0;
        next.trials = 0;
        if (next.surgeHeld !== undefined) delete next.surgeHeld;
      }
    }
    if (interval.trials <= 0) {
      // A step without requests is fresh data (the source answered: no traffic), not a stale one.
      if (interval.trials === 0) next.newestT = Math.max(next.newestT ?? interval.t, interval.t);
      continue;
    }
    const marks = surges.get(interval.t);
    const pending = pendingOf(interval, stable?.get(interval.t) ?? null, marks?.surge === true, marks?.load);
    if (interval.t > horizon) recent.push(interval);
    next.newestT = Math.max(next.newestT ?? interval.t, interval.t);
    next.warmup = interval.t <= watch.warmupEndsAt ? addWarmup(next.warmup, interval) : next.warmup;
    // Until the cold-start decision, intervals wait: whether they are judged depends on it. So
    // do those after the warm-up of a recognised cold start, until its end is shown
    // ({@link coldStartOver}) or its window ends.
    if (watch.coldStart === null || heldForColdStartEnd(watch, interval.t, stepMs)) {
      // The previous state's list is never appended to: copied once, then this state's own.
      if (!pendingOwned) {
        next.pending = [...next.pending];
        pendingOwned = true;
      }
      (next.pending as PendingInterval[]).push(pending);
    } else {
      // Past a cold start's window, what was held for its end is all before it: dropped.
      if (watch.coldStart === true && next.pending.length > 0) {
        next.pending = [];
        pendingOwned = true;
      }
      feedInto(next, watch, pending, tick.contract, signal);
    }
  }
  if (watch.coldStart !== null && looksAtBakeEnd(tick))
    next.tests = withFinalLook(tick, key, base, next.tests);
  if (watch.coldStart !== null && key === AGGREGATE) next.tests = withDriftStepLook(tick, base, next.tests);
  return next;
}

/**
 * The aggregate error tests after a step look on a drifting baseline (baseline-drift.ts
 * `takeDriftStepLook` at the deploy, `takeDriftInBakeLook` inside the bake), in a bake's
 * evaluation that crosses one of the look or split times: a copy of the tests when one rejected
 * or marked its counts at a split, else the same object. Error signals only: a latency signal's
 * share of slow requests moves with the load (its surges are held), not in a drift's steps.
 */
function withDriftStepLook(
  tick: SignalTick,
  base: SignalBaseline | undefined,
  tests: Readonly<Record<string, SequentialState>>,
): Readonly<Record<string, SequentialState>> {
  const { watch, signal } = tick;
  if (watch.purpose !== 'bake' || base?.status !== 'ok' || base.drift === undefined) return tests;
  if (kindOf(signal).counts?.loadConditioned) return tests;
  const look =
    base.drift.end === undefined ? null : driftStepLookDue(watch.deployAt, watch.lastEvaluatedAt, tick.now);
  const inBake = driftInBakeDue(watch.deployAt, watch.lastEvaluatedAt, tick.now);
  if (look === null && inBake.splits.length === 0 && inBake.looks.length === 0) return tests;
  let out: Record<string, SequentialState> | null = null;
  for (const name in tests) {
    const rule = signal.rules[Number.parseInt(name, 10)];
    if (name.endsWith(TAIL_SUFFIX) || rule?.type !== 'sequential' || rule.test !== 'baseline') continue;
    const state = tests[name] as SequentialState;
    // The step at the deploy first, then the bake since its splits (which marks the counts).
    const stepped = look === null ? state : takeDriftStepLook(state, base.drift, look);
    const looked = takeDriftInBakeLook(stepped, base.drift, inBake);
    if (looked !== state) {
      out ??= { ...tests };
      out[name] = looked;
    }
  }
  return out ?? tests;
}

/** A state being built in place (see {@link consume}). */
type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** An interval with its stable-fleet interval and load marks (`surge` and `load` only when set). */
function pendingOf(
  interval: CountInterval,
  stable: CountInterval | null,
  surge: boolean,
  load: number | null | undefined,
): PendingInterval {
  if (load == null) return surge ? { interval, stable, surge: true } : { interval, stable };
  return surge ? { interval, stable, surge: true, load } : { interval, stable, load };
}

/** Each new interval's load marks: a surge, and its smoothed load over the baseline's mean. */
type LoadMarks = Map<number, { readonly surge: boolean; readonly load: number | null }>;

/**
 * The events (the tail's for a tail test) of the segment's interval ending at `t`, or 0 when it
 * was not read: what the burst cap lets the next step count (rules/sequential-count.ts
 * `burstCap`: events the step before also had are a lasting rise, not a burst).
 */
function previousEvents(segment: SegmentState, t: number, isTail: boolean): number {
  const recent = segment.recent;
  for (let i = recent.length - 1; i >= 0; i--) {
    const r = recent[i] as CountInterval;
    if (r.t === t) return (isTail ? r.tail : r.events) ?? 0;
    if (r.t < t) return 0;
  }
  return 0;
}

/**
 * Feeds one interval to a segment's tests when the watch judges it (see {@link judgedFrom}).
 * A load-surge interval is kept from the tests of rules that hold under load.
 */
function feed(
  segment: SegmentState,
  watch: WatchState,
  item: PendingInterval,
  contract: Contract,
  signal: Signal,
): SegmentState {
  const stepMs = contract.stepSeconds * 1000;
  if (item.interval.t - stepMs < judgedFrom(watch) - 1) return segment;
  const next: Mutable<SegmentState> = { ...segment };
  feedInto(next, watch, item, contract, signal);
  return next;
}

/**
 * {@link feed} written into `segment` itself: a state its caller is building and nothing else
 * references. Writes the keys feed's copy sets, in its order (`tests`, `events`, `trials`, then
 * `surgeHeld` when a test held), or nothing when the interval is not judged.
 */
function feedInto(
  segment: Mutable<SegmentState>,
  watch: WatchState,
  item: PendingInterval,
  contract: Contract,
  signal: Signal,
): void {
  const { interval } = item;
  const stepMs = contract.stepSeconds * 1000;
  if (interval.t - stepMs < judgedFrom(watch) - 1) return;
  const tests: Record<string, SequentialState> = {};
  let held = false;
  const loadConditioned = kindOf(signal).counts?.loadConditioned;
  // for-in walks the own keys in the order Object.entries lists them, without its pair arrays.
  for (const name in segment.tests) {
    const state = segment.tests[name] as SequentialState;
    const rule = signal.rules[Number.parseInt(name, 10)];
    const isTail = name.endsWith(TAIL_SUFFIX);
    if (isTail && interval.tail === undefined) {
      tests[name] = state;
      continue;
    }
    const policy =
      item.surge && rule?.type === 'sequential' && rule.test !== 'concurrent'
        ? loadSurgePolicy(rule, signal)
        : 1;
    if (policy === 'hold') {
      tests[name] = state;
      held = true;
      continue;
    }
    // Testing "rate <= m x null" with the same e-process: events divided by m keep every
    // likelihood-ratio factor's expectation at most 1 when the rate is at most m times the null
    // (docs/statistics.md, "Load as a confounder"). A tail test observes the tail's events of
    // the same trials (the cap reads the trials only).
    const observed = isTail ? (interval.tail ?? 0) : interval.events;
    const cap =
      state.kind === 'baseline'
        ? burstCap(
            interval,
            burstRate(state),
            previousEvents(segment, interval.t - stepMs, isTail),
            state.dispersion,
          )
        : null;
    const capped = cap === null ? observed : Math.min(observed, cap);
    // Latency is judged conditioned on load: busier than the baseline's mean, more slow requests
    // are allowed, as many as load alone can cause (load-surge.ts).
    const load =
      loadConditioned && state.kind === 'baseline' && item.load !== undefined
        ? latencyLoadTolerance(
            state.anchorRate,
            watch.baseline?.signals[signal.id]?.latencySpread ?? DEFAULT_LATENCY_SPREAD,
            item.load,
          )
        : 1;
    const tolerated = errorLoadTolerance(policy, item.load);
    const events = capped / tolerated / load;
    // Two literals rather than a spread of an optional key: the same keys, in the same order.
    const counted =
      tolerated > 1 && load === 1
        ? // A surge step's failures tested against its tolerance: the test keeps the factor for
          // the look at the bake's end (rules/sequential-count.ts `finalLookP`).
          {
            t: interval.t,
            trials: interval.trials,
            events,
            loadFactor: tolerated,
            ...(cap === 1 ? { atMostOne: true } : {}),
          }
        : cap === 1
          ? { t: interval.t, trials: interval.trials, events, atMostOne: true }
          : { t: interval.t, trials: interval.trials, events };
    tests[name] = stepSequential(state, counted, item.stable);
  }
  const events = segment.events + interval.events;
  const trials = segment.trials + interval.trials;
  segment.tests = tests;
  segment.events = events;
  segment.trials = trials;
  if (held) segment.surgeHeld = (segment.surgeHeld ?? 0) + 1;
}

/**
 * Share of a latency rule's alpha its tail test gets (the rest is the first threshold's): a slow
 * tail shows against an almost empty baseline there, so a small share suffices.
 */
export const TAIL_ALPHA_SHARE = 0.25;
const TAIL_SUFFIX = ':tail';

/** The key of a latency rule's tail test in a segment's tests. */
function tailKey(index: number): string {
  return `${index}${TAIL_SUFFIX}`;
}

/** The baseline rate a burst is measured against: the test's anchor times its tolerance. */
function burstRate(state: SequentialState): number {
  return state.kind === 'baseline' ? state.anchorRate * state.tolerance : 0;
}

/**
 * What a sequential rule does with a load-surge step: `hold` (skip it) or the factor its
 * tolerance is multiplied by; the rule's `loadSurge`, or the kind's default.
 */
export function loadSurgePolicy(rule: SequentialRule, signal: Signal): 'hold' | number {
  return rule.loadSurge ?? kindOf(signal).counts?.loadSurge ?? DEFAULT_ERROR_SURGE_TOLERANCE;
}

/**
 * Every segment's count tests and totals started again (a cold start recognised after an early
 * "no cold start"): the tests are created anew at the next read and fed only from the end of
 * the cold-start window ({@link judgedFrom}), as for a cold start recognised in time.
 */
export function restartCountTests(
  segments: Readonly<Record<string, SegmentState>>,
): Record<string, SegmentState> {
  const out: Record<string, SegmentState> = {};
  for (const [key, segment] of Object.entries(segments)) {
    const { surgeHeld: _, ...rest } = segment;
    out[key] = { ...rest, tests: {}, events: 0, trials: 0 };
  }
  return out;
}

/**
 * Once the cold-start decision is made, the held intervals of every segment are fed to the
 * tests (no cold start) or dropped (a cold start: the tests start at the end of its window);
 * those after the warm-up of a recognised cold start stay held for the look at its end
 * ({@link heldForColdStartEnd}). With `holdTail` false (the cold start shown over: `watch`'s
 * window now ends where it did), every held interval is fed or dropped. The decisions depend
 * only on latency, so each test keeps its full alpha.
 */
export function settlePending(
  segments: Readonly<Record<string, SegmentState>>,
  watch: WatchState,
  contract: Contract,
  signal: Signal,
  holdTail = true,
): Record<string, SegmentState> {
  const stepMs = contract.stepSeconds * 1000;
  const out: Record<string, SegmentState> = {};
  for (const [key, segment] of Object.entries(segments)) {
    let next: SegmentState = { ...segment, pending: [] };
    const held: PendingInterval[] = [];
    for (const item of segment.pending) {
      if (holdTail && heldForColdStartEnd(watch, item.interval.t, stepMs)) held.push(item);
      else next = feed(next, watch, item, contract, signal);
    }
    out[key] = held.length > 0 ? { ...next, pending: held } : next;
  }
  return out;
}

/**
 * The last interval end the cold-start bound is read to: the warm-up's end (its recognition),
 * or, in a bake whose cold start was recognised, the end of the cold-start window (the look at
 * its end, {@link coldStartOver}).
 */
function coldStartBoundReadTo(watch: WatchState): number {
  return watch.purpose === 'bake' && watch.coldStart === true
    ? Math.max(watch.warmupEndsAt, watch.coldStartEndsAt)
    : watch.warmupEndsAt;
}

/**
 * Whether the interval ending at `t` is held for the look at a recognised cold start's end: after
 * the warm-up and before the cold-start window's end (the data a cold start's window drops, and
 * a cold start shown over sooner judges from where it ended).
 */
export function heldForColdStartEnd(watch: WatchState, t: number, stepMs: number): boolean {
  return (
    watch.purpose === 'bake' &&
    watch.coldStart === true &&
    t > watch.warmupEndsAt &&
    t - stepMs < watch.coldStartEndsAt - 1
  );
}

/**
 * Phase 2 after a recognised cold start: the point its latency shows it over, or null while it
 * does not. The cold-start window (`coldStartSeconds`, 60 s by default) bounds the longest cold
 * start tolerated, but most are shorter, and a fault on a cold-starting release waited for the
 * whole window. From the warm-up's end on, each step start is a candidate: the latency counts from
 * it to now (at the measure the recognition read the warm-up at, the cold-start bound where there
 * is one) must rule a cold start out ({@link rulesOutColdStart}, a likelihood ratio of 20 for the
 * baseline against the smaller of the smallest cold start and the one half way to what the
 * warm-up showed: a mild cold start's still-slow steps are no end), and no later candidate's
 * counts may still show one. The latest such candidate is where the cold start ended (an earlier
 * one could hold a still-slow step outweighed by the clean ones after it), and the count tests
 * are judged from one step after it: a cold start ends inside a step, and the step it ended in
 * can look clean at a sparse measure (a few slow requests expected) while its errors are still
 * the cold start's. Every latency signal that carries the cold-start signature must
 * show it over (the latest of their points), and its warm-up must have shown at least the
 * smallest cold start (a milder one's latency does not mark its extent); a failed read of the
 * bound ends the walk. Only
 * latency decides, so the tests keep their full alpha; a cold start whose errors outlast its
 * latency is the risk (docs/statistics.md, "The end of a cold start").
 */
export function coldStartOver(
  contract: Contract,
  watch: WatchState,
  counts: ReadonlyMap<string, CountRead | null>,
): { at: number; reason: string } | null {
  if (watch.purpose !== 'bake' || watch.coldStart !== true) return null;
  const stepMs = contract.stepSeconds * 1000;
  const latency = contract.signals.filter(
    (s) =>
      kindOf(s).counts?.coldStartSignature === true &&
      watch.baseline?.signals[s.id]?.exceedanceThresholdMs != null,
  );
  if (latency.length === 0 || !(stepMs > 0)) return null;
  let at = Number.NEGATIVE_INFINITY;
  const shown: string[] = [];
  for (const signal of latency) {
    const seen = warmupEvidence(signal, watch, counts);
    const recent = counts.get(signal.id)?.segments[AGGREGATE]?.recent;
    if (!seen || !recent) return null;
    // A cold start milder than the smallest one the early "no cold start" rules out (a slow share
    // under three times the baseline's) is no marker of its own extent: a quiet cold start's
    // errors outlast what its latency shows. It holds to the window's end.
    if (!(seen.warmup.events >= smallestColdStart(seen.rate) * seen.warmup.trials)) return null;
    let events = 0;
    let trials = 0;
    let from: { t: number; events: number; trials: number } | null = null;
    for (let i = recent.length - 1; i >= 0; i--) {
      const r = recent[i] as CountInterval;
      if (r.t - stepMs < watch.warmupEndsAt - 1) break;
      const e = seen.atBound ? r.dense : r.events;
      if (e === undefined) break;
      events += e;
      trials += r.trials;
      const since = { events, trials };
      if (showsColdStart(since, seen.rate, seen.atBound)) break;
      if (rulesOutColdStart(since, seen.rate, { seen: seen.warmup })) {
        from = { t: r.t - stepMs, events, trials };
        break;
      }
    }
    if (from === null) return null;
    at = Math.max(at, from.t + stepMs);
    shown.push(
      `${signal.id} ${showRate(from.events / from.trials)} of ${from.trials} requests ${seen.what} since ${Math.round((from.t - watch.deployAt) / 1000)} s (baseline ${showRate(seen.rate)})`,
    );
  }
  return {
    at,
    reason: `over: ${shown.join('; ')}; judged from ${Math.round((at - watch.deployAt) / 1000)} s`,
  };
}

/**
 * The first interval end a watch judges count data from: the deploy for a bake (a regression
 * from the first request is caught fast); after the warm-up for a verification (right after a
 * cutover, intervals mix the old and the restored version's traffic); the end of the cold-start
 * window when a cold start was recognised.
 */
function judgedFrom(watch: WatchState): number {
  if (watch.coldStart === true) return watch.coldStartEndsAt;
  return watch.purpose === 'verify' ? watch.warmupEndsAt : watch.deployAt;
}

/**
 * Phase 2: is the deploy in a cold start? Decided once, when the recognition window (the
 * warm-up) is over, from the warm-up counts: a latency signal whose share of slow requests was
 * elevated against its baseline is the signature of a cold start (a regression of errors alone,
 * with normal latency, is not one). A contract without a latency count signal falls back to any
 * count signal elevated during the warm-up. Null until it can be decided.
 */
export function recognizeColdStart(
  contract: Contract,
  watch: WatchState,
  counts: ReadonlyMap<string, CountRead | null>,
  now: number,
): { coldStart: boolean; reason: string; early?: true } | null {
  if (now <= watch.warmupEndsAt && !warmupSeen(contract, watch, counts)) {
    return ruledOutEarly(contract, watch, counts, now);
  }
  const latency = contract.signals.filter((s) => kindOf(s).counts?.coldStartSignature === true);
  const candidates = latency.some((s) => watch.baseline?.signals[s.id]?.exceedanceThresholdMs != null)
    ? latency
    : contract.signals.filter(usesCounts);
  const seconds = Math.round((watch.warmupEndsAt - watch.deployAt) / 1000);
  const continued: string[] = [];
  for (const signal of candidates) {
    const seen = warmupEvidence(signal, watch, counts);
    if (seen && showsColdStart(seen.warmup, seen.rate, seen.atBound)) {
      const { events, trials } = seen.warmup;
      const share = trials > 0 ? events / trials : null;
      // An incident already under way at the deploy (the baseline health check's ongoing
      // episode) keeps the warm-up elevated too: that is the incident going on, not a cold start,
      // unless the warm-up is elevated against the incident's own rate as well. Holding it as a
      // cold start would judge the release only after the incident has perhaps recovered, and
      // the incident would never be routed.
      const under = underWay(signal, watch.baseline?.signals[signal.id], seen);
      if (under && !showsColdStart(under.warmup, under.rate, under.atBound)) {
        continued.push(
          `${signal.id} ${showRate(share)} of requests ${seen.what}, as in the ${under.what} under way since ${Math.round((watch.deployAt - under.startT) / 60_000)} min before the ${watch.purpose === 'bake' ? 'deploy' : 'cutover'} (${showRate(under.rate)})`,
        );
        continue;
      }
      return {
        coldStart: true,
        reason: `cold start: ${showRate(share)} of requests ${seen.what} in the first ${seconds} s (baseline ${showRate(seen.rate)})`,
      };
    }
  }
  if (continued.length > 0) {
    return { coldStart: false, reason: `no cold start: ${continued.join('; ')}, in the first ${seconds} s` };
  }
  return { coldStart: false, reason: `no cold start in the first ${seconds} s` };
}

/**
 * Whether a bake has read its whole warm-up: every count signal has consumed the interval
 * ending at `warmupEndsAt`. The recognition then has all the data it would have one step
 * later, so it decides at once rather than holding every breach for one more step
 * (docs/statistics.md, "Where the delay goes").
 */
export function warmupSeen(
  contract: Contract,
  watch: WatchState,
  counts: ReadonlyMap<string, CountRead | null>,
): boolean {
  if (watch.purpose !== 'bake') return false;
  const read = contract.signals.filter(usesCounts);
  return (
    read.length > 0 &&
    read.every((s) => {
      const last = counts.get(s.id)?.lastCountT;
      return last != null && last >= watch.warmupEndsAt;
    })
  );
}

/**
 * Phase 2, during the warm-up of a bake: "no cold start" as soon as the latency seen so far rules
 * one out ({@link rulesOutColdStart}: a few hundred requests without the slow share a cold start
 * makes). The count signals are then judged from the deploy at once, so a release that fails from
 * its first request at tens of requests a second is not held for the whole warm-up. Every latency
 * signal that carries the cold-start signature must rule it out; without one (no latency signal,
 * no baseline threshold, a failed read) the warm-up runs its course. Null: not decided yet.
 */
function ruledOutEarly(
  contract: Contract,
  watch: WatchState,
  counts: ReadonlyMap<string, CountRead | null>,
  now: number,
): { coldStart: boolean; reason: string; early: true } | null {
  if (watch.purpose !== 'bake') return null;
  const latency = contract.signals.filter(
    (s) =>
      kindOf(s).counts?.coldStartSignature === true &&
      watch.baseline?.signals[s.id]?.exceedanceThresholdMs != null,
  );
  if (latency.length === 0) return null;
  const ruledOut: string[] = [];
  for (const signal of latency) {
    const seen = warmupEvidence(signal, watch, counts);
    if (!seen) return null;
    const { events, trials } = seen.warmup;
    if (rulesOutColdStart(seen.warmup, seen.rate)) {
      ruledOut.push(
        `${signal.id} ${showRate(events / trials)} of ${trials} requests ${seen.what} (baseline ${showRate(seen.rate)})`,
      );
      continue;
    }
    // An incident or a load surge under way at the deploy keeps latency at its own rate: the
    // recognition at the end of the warm-up measures a cold start against that rate, and so
    // does the early one.
    const under = underWay(signal, watch.baseline?.signals[signal.id], seen);
    if (!under || !rulesOutColdStart(under.warmup, under.rate)) return null;
    ruledOut.push(
      `${signal.id} ${showRate(under.warmup.events / trials)} of ${trials} requests ${under.measure}, as in the ${under.what} under way since ${Math.round((watch.deployAt - under.startT) / 60_000)} min before the deploy (${showRate(under.rate)})`,
    );
  }
  const seconds = Math.round((now - watch.deployAt) / 1000);
  return {
    coldStart: false,
    reason: `no cold start: ${ruledOut.join('; ')} in the first ${seconds} s`,
    early: true,
  };
}

/** The cold-start signature at the measure the warm-up was read at: the bound's, or the threshold's. */
function showsColdStart(warmup: SegmentState['warmup'], rate: number, atBound: boolean): boolean {
  return atBound ? showsColdStartAtBound(warmup, rate) : isElevated(warmup, rate);
}

/**
 * What keeps a latency signal slow at the deploy whatever the release, and the warm-up's counts
 * to measure against its rate: the baseline health check's episode still under way (an
 * incident), at the exceedance threshold; else a load surge still under way
 * (`SignalBaseline.surge`: its steps are no episode, since load is no incident, but its queueing
 * is as slow in the warm-up as before the deploy), at the measure the recognition read the
 * warm-up at (the cold-start bound where there is one). A surge counts only where it was slower
 * there than the rest of the window, as the recognition would call a cold start: one the measure
 * did not see excuses nothing (docs/statistics.md, "A surge under way at the deploy is no cold
 * start"). Null: neither.
 */
function underWay(
  signal: Signal,
  baseline: SignalBaseline | undefined,
  seen: NonNullable<ReturnType<typeof warmupEvidence>>,
): {
  readonly rate: number;
  readonly startT: number;
  readonly what: 'incident' | 'load surge';
  readonly warmup: SegmentState['warmup'];
  readonly atBound: boolean;
  /** What the counts measure, for the reason. */
  readonly measure: string;
} | null {
  const episode = baseline?.health?.episode;
  const atThreshold = kindOf(signal).counts?.eventWhat(baseline?.exceedanceThresholdMs ?? null);
  if (episode?.ongoing) {
    return {
      rate: episode.rate,
      startT: episode.startT,
      what: 'incident',
      warmup: seen.atThreshold,
      atBound: false,
      measure: atThreshold ?? 'failing',
    };
  }
  const surge = baseline?.surge;
  if (!surge || !(surge.trials > 0) || !baseline?.trials) return null;
  if (seen.atBound) {
    if (surge.dense === undefined) return null;
    const counts = { events: surge.dense, trials: surge.trials };
    if (!showsColdStartAtBound(counts, seen.rate)) return null;
    return {
      rate: surge.dense / surge.trials,
      startT: surge.startT,
      what: 'load surge',
      warmup: seen.warmup,
      atBound: true,
      measure: seen.what,
    };
  }
  if (!isElevated(surge, (baseline.events ?? 0) / baseline.trials)) return null;
  return {
    rate: surge.events / surge.trials,
    startT: surge.startT,
    what: 'load surge',
    warmup: seen.atThreshold,
    atBound: false,
    measure: atThreshold ?? 'failing',
  };
}

/**
 * A count signal's warm-up counts (aggregate) beside its baseline rate, for the cold-start
 * decision: the baseline's events plus a half over its trials plus one, so an empty baseline
 * still has a rate. Null without counts or without a usable baseline.
 */
function warmupEvidence(
  signal: Signal,
  watch: WatchState,
  counts: ReadonlyMap<string, CountRead | null>,
): {
  warmup: SegmentState['warmup'];
  rate: number;
  what: string;
  /** The warm-up's counts at the exceedance threshold itself (the baseline health check's). */
  atThreshold: SegmentState['warmup'];
  /** Read at the cold-start bound in the latency's body ({@link showsColdStartAtBound} judges it). */
  atBound: boolean;
} | null {
  const aggregate = counts.get(signal.id)?.segments[AGGREGATE];
  const baseline = watch.baseline?.signals[signal.id];
  if (!aggregate || !baseline || baseline.status !== 'ok' || !baseline.trials) return null;
  const dense = baseline.coldStartBound;
  if (dense && aggregate.warmup.dense !== undefined) {
    // Read at the cold-start bound, where the baseline's share is near 1% and a cold start's
    // 1.3-2x slower requests show.
    return {
      warmup: { events: aggregate.warmup.dense, trials: aggregate.warmup.trials },
      rate: (dense.events + 0.5) / (baseline.trials + 1),
      what: kindOf(signal).counts?.eventWhat(dense.thresholdMs) ?? 'failing',
      atThreshold: aggregate.warmup,
      atBound: true,
    };
  }
  return {
    warmup: aggregate.warmup,
    rate: ((baseline.events ?? 0) + 0.5) / (baseline.trials + 1),
    what: kindOf(signal).counts?.eventWhat(baseline.exceedanceThresholdMs) ?? 'failing',
    atThreshold: aggregate.warmup,
    atBound: false,
  };
}

/**
 * Phase 3: judges one signal by each of its rules. The same outcome as {@link judgeSignalNow},
 * always as a Promise.
 */
export async function judgeSignal(tick: SignalTick, counts: CountRead | null): Promise<SignalOutcome> {
  return judgeSignalNow(tick, counts);
}

/**
 * Phase 3 as the evaluator runs it: the outcome itself when no rule reads (every rule of a count
 * signal is judged on the counts already read), a Promise only when a rule reads its window
 * (a gauge or quantile value). A tick judges every signal of every watch: the count signals
 * need no async frame and no Promise of their own (docs/benchmarks.md, "fleet-eval-issue-13").
 * Rules are judged in order, and reads are sent one rule after another, as before.
 */
export function judgeSignalNow(
  tick: SignalTick,
  counts: CountRead | null,
): SignalOutcome | Promise<SignalOutcome> {
  const { signal, watch, now } = tick;
  const segments = counts?.segments ?? tick.state.segments;
  const lastCountT = counts?.lastCountT ?? tick.state.lastCountT;
  const held = heldVerdict(tick);
  if (held) {
    const verdicts = signal.rules.map((rule) => ({ ...held, rule: rule.type }));
    return { segments, lastCountT, verdicts, status: 'no-data' };
  }
  // Count signals are judged from the deploy, or from the end of a recognised cold start;
  // gauge signals always skip the warm-up (pods starting, heaps growing to their working size).
  const from = usesCounts(signal) ? judgedFrom(watch) : watch.warmupEndsAt;
  const job: Judging = {
    tick,
    counts,
    segments,
    lastCountT,
    from,
    windowStart: Math.max(from, now - signal.windowSeconds * 1000),
    baseline: watch.baseline?.signals[signal.id],
    verdicts: [],
    segmentVerdicts: [],
  };
  const rules = signal.rules;
  for (let index = 0; index < rules.length; index++) {
    const rule = rules[index] as Rule;
    if (readsWindow(signal, rule)) return judgeReading(job, index);
    judgeCountRule(job, rule, index);
  }
  return outcomeOf(job);
}

/** One signal's judgement under way: its inputs and the verdicts so far. */
interface Judging {
  readonly tick: SignalTick;
  readonly counts: CountRead | null;
  readonly segments: Readonly<Record<string, SegmentState>>;
  readonly lastCountT: number | null;
  readonly from: number;
  readonly windowStart: number;
  readonly baseline: SignalBaseline | undefined;
  readonly verdicts: Verdict[];
  readonly segmentVerdicts: Verdict[];
}

/** Whether a rule is judged on a read of its window (judgeValueRule) rather than on the counts. */
function readsWindow(signal: Signal, rule: Rule): boolean {
  return rule.type !== 'sequential' && kindOf(signal).value !== 'count-ratio';
}

/**
 * The rules from `first` on, the first of them reading its window: awaited one after another.
 * A reading rule's reads are sent and awaited here, in this one frame per signal, and judged by
 * the synchronous {@link judgeValueRule}: no frame of a rule's own, nor of readWithRetry's per
 * read (docs/benchmarks.md, `frame16-issue-13`). The reads, their order and retries as before.
 */
async function judgeReading(job: Judging, first: number): Promise<SignalOutcome> {
  const { tick, baseline, windowStart, segments } = job;
  const { signal, sender, ctx } = tick;
  const stepMs = tick.contract.stepSeconds * 1000;
  const rules = signal.rules;
  for (let index = first; index < rules.length; index++) {
    const rule = rules[index] as Rule;
    if (!readsWindow(signal, rule)) {
      judgeCountRule(job, rule, index);
      continue;
    }
    const reads = valueReads(tick, rule, windowStart, stepMs);
    if (!(reads instanceof ValueReads)) {
      job.verdicts.push(reads);
      continue;
    }
    // Both reads are sent before either is awaited (as Promise.all did); the second guarded.
    const { main, restarts } = reads;
    const mainSent = sender.send(signal, main, ctx, false);
    const restartsSent = restarts === null ? null : sender.send(signal, restarts, ctx, true);
    let mainAnswer: unknown;
    try {
      mainAnswer = await mainSent;
    } catch (error) {
      mainAnswer = new Thrown(error);
    }
    const restartsAnswer = restartsSent === null ? null : await restartsSent;
    const mainDone = sender.settle(signal, main, ctx, mainAnswer);
    const restartsDone = restarts === null ? null : sender.settle(signal, restarts, ctx, restartsAnswer);
    const read = mainDone instanceof Promise ? await mainDone : mainDone;
    const restartsRead = restartsDone instanceof Promise ? await restartsDone : restartsDone;
    job.verdicts.push(
      judgeValueRule(tick, rule, baseline, windowStart, segments[AGGREGATE], stepMs, read, restartsRead),
    );
  }
  return outcomeOf(job);
}

function outcomeOf(job: Judging): SignalOutcome {
  const { verdicts, segmentVerdicts } = job;
  return {
    segments: job.segments,
    lastCountT: job.lastCountT,
    // Kept as the signal's `last` verdicts for the watch's life: an exact-length copy, where the
    // array grown by `push` holds 17 slots for its 1-3 verdicts (docs/benchmarks.md, `heap11-issue-13`).
    verdicts: segmentVerdicts.length === 0 ? verdicts.slice() : verdicts.concat(segmentVerdicts),
    status: combine(verdicts, segmentVerdicts, job.counts?.segmentFailure ?? null),
  };
}

/** A rule judged on the counts already read: a sequential test, or a window rate of a count-ratio signal. */
function judgeCountRule(job: Judging, rule: Rule, index: number): void {
  const { tick, counts, segments, baseline, windowStart, verdicts, segmentVerdicts } = job;
  const { signal, now } = tick;
  if (rule.type !== 'sequential') {
    for (const key in segments) {
      const segment = segments[key] as SegmentState;
      const verdict = judgeWindowRate(tick, rule, key, segment, baseline, windowStart, counts?.failure);
      (key === AGGREGATE ? verdicts : segmentVerdicts).push(verdict);
    }
    if (!segments[AGGREGATE])
      verdicts.push(countFailure(signal, rule, { start: windowStart, end: now }, counts?.failure));
    return;
  }
  const { from } = job;
  // Fixed for every segment of the signal: computed once, not per segment.
  const unavailable = counts?.failure ?? baselineProblem(baseline);
  const maxLagMs = signal.maxLagSeconds * 1000;
  const what = rateWhat(signal, baseline?.exceedanceThresholdMs ?? null);
  const threshold = countsExceedances(signal) ? (baseline?.exceedanceThresholdMs ?? null) : null;
  const tail = baseline?.status === 'ok' ? baseline.tail : undefined;
  const testKey = String(index);
  const stepSeconds = tick.contract.stepSeconds;
  // The drifting baseline's tolerance is said in a baseline test's reason (`finishCountVerdict`).
  const drift = rule.test === 'baseline' && baseline?.status === 'ok' ? baseline.drift : undefined;
  for (const key in segments) {
    const segment = segments[key] as SegmentState;
    // Two literals rather than a spread of an optional `segment` in the middle of one (which
    // builds the object key by key at run time): the same keys, in the same order.
    const test = segment.tests[testKey] ?? null;
    const input: SequentialJudgement =
      key === AGGREGATE
        ? {
            signal: signal.id,
            window: { start: from, end: now },
            samples: segment.trials,
            newestT: segment.newestT,
            now,
            maxLagMs,
            minSamples: signal.minSamples,
            what,
            unavailable,
            partner: tail ? { state: segment.tests[tailKey(index)] ?? null, leads: true } : null,
          }
        : {
            signal: signal.id,
            segment: key,
            window: { start: from, end: now },
            samples: segment.trials,
            newestT: segment.newestT,
            now,
            maxLagMs,
            minSamples: signal.segments?.minSamples ?? 0,
            what,
            unavailable,
          };
    const surgeHeld = segment.surgeHeld ?? 0;
    const extra = {
      drift,
      exceedanceThresholdMs: threshold === null ? undefined : threshold,
      surgeHeld,
      stepSeconds,
    };
    (key === AGGREGATE ? verdicts : segmentVerdicts).push(
      countVerdict(tick, rule, index, key, segment, test, input, extra, false),
    );
    const tailTest = segment.tests[tailKey(index)];
    if (tailTest && tail) {
      const tailInput: SequentialJudgement = {
        signal: signal.id,
        window: { start: from, end: now },
        samples: segment.trials,
        newestT: segment.newestT,
        now,
        maxLagMs,
        minSamples: signal.minSamples,
        what: slowerThan(tail.thresholdMs),
        unavailable,
        partner: { state: test, leads: false },
      };
      const tailExtra = { drift: undefined, exceedanceThresholdMs: tail.thresholdMs, surgeHeld, stepSeconds };
      verdicts.push(countVerdict(tick, rule, index, key, segment, tailTest, tailInput, tailExtra, true));
    }
  }
  if (!segments[AGGREGATE])
    verdicts.push(countFailure(signal, rule, { start: windowStart, end: now }, counts?.failure));
}

/**
 * A sequential test's verdict, for the rule's first threshold or its tail (`isTail`): built on
 * read where it can be ({@link countVerdictOnRead}), else at once, a verification's breach
 * checked beyond one burst first ({@link beyondOneBurst}); the evaluation's additions either way.
 */
function countVerdict(
  tick: SignalTick,
  rule: Rule,
  index: number,
  key: string,
  segment: SegmentState,
  state: SequentialState | null,
  input: SequentialJudgement,
  extra: CountVerdictExtra,
  isTail: boolean,
): Verdict {
  const verdict =
    countVerdictOnRead(state, input, extra, tick.watch.purpose === 'verify') ??
    finishCountVerdict(
      beyondOneBurst(tick, judgeSequential(state, input), rule, index, key, segment, isTail),
      extra,
      state,
    );
  if (verdict.status === 'pass' && !isTail && key === AGGREGATE) {
    const goesOn = incidentGoesOn(tick, state);
    if (goesOn !== null) {
      const eager = finishCountVerdict(judgeSequential(state, input), extra, state);
      return { ...eager, status: 'breach', reason: `${eager.reason}; ${goesOn}` };
    }
  }
  if (verdict.status !== 'breach') return verdict;
  const bound = quietColdStartBound(tick.contract, tick.watch, tick.signal);
  if (bound === null || (segment.newestT ?? Number.NEGATIVE_INFINITY) >= bound) return verdict;
  const baseline = tick.watch.baseline?.signals[tick.signal.id];
  if (errorsRuleOutColdStart(segment.warmup, key === AGGREGATE ? baseline : segmentBaseline(baseline, key))) {
    return verdict;
  }
  return heldToColdStartBound(finishCountVerdict(judgeSequential(state, input), extra, state), tick.watch);
}

/** Fewest times the healthy part's rate an episode's own rate must be for {@link incidentGoesOn}. */
export const GOES_ON_RATIO = 3;

/**
 * An incident under way at the deploy that goes on after it (docs/statistics.md, "Dirty
 * baselines and ambiguous onsets"): the baseline health check saw an episode still elevated at
 * the deploy, so the test judges the bake against the rest of the window, and its e-value, a
 * mixture over every rate above the null, can stay below 1/alpha at low traffic or where the
 * incident recovers a few minutes into the bake, when the watch kept the release and routed
 * nothing. The episode's own rate is a fixed alternative, set on pre-deploy data before the
 * bake: the likelihood ratio of the bake's counts (as the test weighs them, divided by its
 * dispersion) at that rate against the test's null rate is a test martingale under the null,
 * so crossing the test's own 1/alpha' at any look is a breach at the test's level (Ville's
 * inequality). Only for an episode at least {@link GOES_ON_RATIO} times the healthy part's rate
 * (a load surge's few percent more errors is no incident). The breach it gives is routed by the
 * onset gate as the episode's (or rolled back where the deploy made it worse). The reason's
 * clause, or null.
 */
export function incidentGoesOn(tick: SignalTick, state: SequentialState | null): string | null {
  const { watch, signal } = tick;
  if (watch.purpose !== 'bake' || state === null || state.kind !== 'baseline' || state.rejected) return null;
  const episode = watch.baseline?.signals[signal.id]?.health?.episode;
  if (!episode?.ongoing) return null;
  const alt = episode.rate;
  const nul = burstRate(state);
  if (
    !(nul > 0) ||
    !(alt < 1) ||
    !(alt >= GOES_ON_RATIO * nul) ||
    !(episode.outsideRate * GOES_ON_RATIO <= alt)
  )
    return null;
  const events = state.events;
  const trials = state.trials;
  if (!(trials > 0)) return null;
  const logLr =
    events * Math.log(alt / nul) +
    (trials - events) * Math.log1p(-alt) -
    (trials - events) * Math.log1p(-nul);
  if (!(logLr >= state.logThreshold)) return null;
  const minutes = Math.round((watch.deployAt - episode.startT) / 60_000);
  return `but the incident under way since ${minutes} min before the deploy (${showRate(alt)}) goes on after it: ${show(Math.exp(Math.min(logLr, 700)))} times likelier at its rate than at ${showRate(nul)}, >= 1/alpha ${show(Math.exp(state.logThreshold))}`;
}

/**
 * Quiet cold starts (docs/statistics.md, "Cold starts the latency does not show"): a cold start
 * can fail a few percent of its first requests while its latency barely moves, and then nothing
 * but their end tells its errors from a fault's. Where the contract asks for it
 * (`holdQuietColdStartErrors`, off by default: it delays every fault present from the first
 * request by about the bound), in a bake where no cold start was recognised, an error signal's breach
 * before that bound is held ({@link heldToColdStartBound}), and at the bound its tests start
 * again on the data after it: a breach must persist past the longest cold start the contract
 * tolerates (`coldStartSeconds`). Errors a clean warm-up shows to have begun after the first
 * requests are no cold start's ({@link errorsRuleOutColdStart}): neither held nor restarted. The
 * restarted tests have their full alpha and the held breaches never confirm, so the false-rollback bound is unchanged; the price is that errors from the first request are
 * confirmed only after the bound. Latency carries the cold-start signature (its own rules hold
 * it), so only signals without it are held. The end (epoch ms) of the first interval judged after
 * the bound, or null where the rule does not apply.
 */
export function quietColdStartBound(contract: Contract, watch: WatchState, signal: Signal): number | null {
  if (!contract.holdQuietColdStartErrors) return null;
  if (watch.purpose !== 'bake' || watch.coldStart !== false) return null;
  const stepMs = contract.stepSeconds * 1000;
  if (!usesCounts(signal) || kindOf(signal).counts?.coldStartSignature !== false) return null;
  // Errors of an incident under way at the deploy (the baseline health check's ongoing episode)
  // began before it: no cold start of the release explains them, and the incident is routed.
  if (watch.baseline?.signals[signal.id]?.health?.episode?.ongoing) return null;
  // A bound no later than the warm-up holds nothing the warm-up does not.
  if (!(watch.coldStartEndsAt > watch.warmupEndsAt) || !(stepMs > 0)) return null;
  const steps = Math.ceil((watch.coldStartEndsAt - watch.deployAt) / stepMs - 1e-9);
  return watch.deployAt + (steps + 1) * stepMs;
}

/**
 * At the cold-start bound, the tests whose evidence stands above 1 (a rejection included), or
 * whose data fail above their null rate ({@link aboveNull}), are replaced by their fresh start
 * (`fresh`): a copy of `tests` with them replaced, or null when none is. A test at or below 1 on
 * data at or below its null goes on: its data before the bound show no rise, and from below 1 it
 * rejects no sooner than a fresh start would, so either way the rejection after the bound is a
 * valid test's at its full alpha (docs/statistics.md, "Cold starts the latency does not show").
 */
function restartRisen(
  tests: Readonly<Record<string, SequentialState>>,
  fresh: Readonly<Record<string, SequentialState>>,
): Record<string, SequentialState> | null {
  let out: Record<string, SequentialState> | null = null;
  for (const name in tests) {
    const state = tests[name] as SequentialState;
    const start = fresh[name];
    if (start === undefined || !(state.rejected || logEvidence(state) > 0 || aboveNull(state))) continue;
    out ??= { ...tests };
    out[name] = start;
  }
  return out;
}

/**
 * Whether a baseline test's data so far fail at more than its null rate (the baseline's rate
 * times the rule's tolerance): a rise, even where at a handful of requests the e-value is still
 * below 1 (two errors in 38 requests against 0.3%).
 */
function aboveNull(state: SequentialState): boolean {
  return state.kind === 'baseline' && state.trials > 0 && state.events / state.trials > burstRate(state);
}

/** A test's current log evidence against its null: the e-value's, or the SPRT's likelihood ratio. */
function logEvidence(state: SequentialState): number {
  return state.kind === 'sprt' ? state.logLikelihoodRatio : state.logE;
}

/**
 * Whether a segment's errors in the warm-up (so far) rule a cold start's errors out: a cold start
 * fails requests from the first ones, so errors that were at the baseline's rate through the
 * warm-up, on enough requests ({@link rulesOutColdStart}: a likelihood ratio of 20 for the baseline
 * against the smallest cold start), began later, and a breach on them is not held. Too few
 * requests to tell, or no baseline to tell against, rule nothing out: the breach is held.
 */
function errorsRuleOutColdStart(warmup: SegmentState['warmup'], base: SignalBaseline | undefined): boolean {
  if (base?.status !== 'ok' || !base.trials) return false;
  return rulesOutColdStart(warmup, ((base.events ?? 0) + 0.5) / (base.trials + 1));
}

/** A breach before the cold-start bound, held: no-data, its evidence said in the reason. */
function heldToColdStartBound(verdict: Verdict, watch: WatchState): Verdict {
  const seconds = Math.round((watch.coldStartEndsAt - watch.deployAt) / 1000);
  return {
    ...verdict,
    status: 'no-data',
    reason: `held to the cold-start bound: errors that end within ${seconds} s of the deploy may be a cold start the latency does not show; judged again on data after it (${verdict.reason})`,
  };
}

/**
 * What a count signal's tested rate is, for its reasons (`error rate`, `share slower than
 * 250 ms`): the kind's text for the exceedance threshold, which a watch fixes at its baseline,
 * so it is built once per kind and threshold, not at every step (the texts are pure functions
 * of the threshold: signals/signal-kinds.ts). Bounded like {@link slowerThan}.
 */
const RATE_WHAT = new Map<string, Map<number | null, string>>();
function rateWhat(signal: Signal, thresholdMs: number | null): string {
  const counts = kindOf(signal).counts;
  if (!counts) return 'error rate';
  // Zero is written every time: a map does not tell -0 from 0, and their texts may differ.
  if (thresholdMs === 0) return counts.rateWhat(thresholdMs);
  let byThreshold = RATE_WHAT.get(signal.kind);
  if (byThreshold === undefined) {
    byThreshold = new Map();
    RATE_WHAT.set(signal.kind, byThreshold);
  }
  let text = byThreshold.get(thresholdMs);
  if (text === undefined) {
    text = counts.rateWhat(thresholdMs);
    if (byThreshold.size >= 256) byThreshold.clear();
    byThreshold.set(thresholdMs, text);
  }
  return text;
}

/**
 * "share slower than <threshold> ms", the tail test's measure, by threshold: a watch's tail
 * threshold is fixed at the baseline, so the text is built once, not at every step. Bounded:
 * thresholds are histogram bucket bounds, a handful per fleet.
 */
const SLOWER_THAN = new Map<number, string>();
function slowerThan(thresholdMs: number): string {
  let text = SLOWER_THAN.get(thresholdMs);
  if (text === undefined) {
    text = `share slower than ${show(thresholdMs, ' ms')}`;
    if (SLOWER_THAN.size >= 256) SLOWER_THAN.clear();
    SLOWER_THAN.set(thresholdMs, text);
  }
  return text;
}

/**
 * A verification's burst span: the restored artifact's breach must stand without its worst
 * stretch of this many seconds (at least one step).
 */
export const VERIFY_BURST_SECONDS = 10;

/**
 * A verification judges the restored artifact on a short window right after a cutover, where
 * one burst (a host hiccup, a freshly started process warming up under load) has nothing to
 * dilute it: 15 slow requests of 610 in one busy moment read as a regression. What a
 * verification must find is a fault that persists. So a breach of a baseline test there stands
 * only when the test, run again on the judged intervals of the window without their worst
 * stretch of `VERIFY_BURST_SECONDS` (the one holding the most counted events), rejects too.
 * Both rejections are required, so the false-alarm rate stays at most alpha. Otherwise the
 * verdict is no-data "waiting for evidence beyond one burst", marked `insufficient`, so the
 * verification window extends (up to `verification.maxWindowSeconds`) instead of failing
 * recovery. A bake keeps the first crossing: there a rollback must be fast.
 */
function beyondOneBurst(
  tick: SignalTick,
  verdict: Verdict,
  rule: Rule,
  index: number,
  key: string,
  segment: SegmentState,
  isTail: boolean,
): Verdict {
  const { watch, signal, contract } = tick;
  if (watch.purpose !== 'verify' || verdict.status !== 'breach' || rule.type !== 'sequential') return verdict;
  if (rule.test !== 'baseline') return verdict;
  const state = segment.tests[isTail ? tailKey(index) : String(index)];
  if (state?.kind !== 'baseline') return verdict;
  const stepMs = contract.stepSeconds * 1000;
  const from = judgedFrom(watch);
  const judged = segment.recent.filter((i) => i.t - stepMs >= from - 1 && i.trials > 0);
  const counted = judged.map((i) => {
    const cap = burstCap(i, burstRate(state), 0, state.dispersion);
    const events = Math.min(isTail ? (i.tail ?? 0) : i.events, cap);
    return { t: i.t, trials: i.trials, events, ...(cap === 1 ? { atMostOne: true } : {}) };
  });
  const span = Math.max(1, Math.round((VERIFY_BURST_SECONDS * 1000) / stepMs));
  let worst = 0;
  let worstEvents = -1;
  for (let k = 0; k < counted.length; k++) {
    let sum = 0;
    for (let j = k; j < Math.min(counted.length, k + span); j++)
      sum += (counted[j] as { events: number }).events;
    if (sum > worstEvents) {
      worstEvents = sum;
      worst = k;
    }
  }
  const rest = counted.filter((_, k) => k < worst || k >= worst + span);
  const baseline = watch.baseline?.signals[signal.id];
  const base = key === AGGREGATE ? baseline : segmentBaseline(baseline, key);
  const tailBase =
    isTail && baseline?.status === 'ok' && baseline.tail
      ? {
          status: 'ok',
          events: baseline.tail.events,
          trials: baseline.trials,
          dispersion: baseline.tail.dispersion,
        }
      : null;
  const alpha = tick.alphaFor(signal, index, key);
  const hasTail = key === AGGREGATE && baseline?.status === 'ok' && baseline.tail !== undefined;
  let again = startSequential(
    rule,
    isTail ? tailBase : (base ?? null),
    isTail ? alpha * TAIL_ALPHA_SHARE : hasTail ? alpha * (1 - TAIL_ALPHA_SHARE) : alpha,
  );
  if (again === null) return verdict;
  for (const interval of rest) again = stepSequential(again, interval, null);
  if (again.rejected) return verdict;
  const restTrials = rest.reduce((n, i) => n + i.trials, 0);
  const minSamples = key === AGGREGATE ? signal.minSamples : (signal.segments?.minSamples ?? 0);
  const without = `without its worst ${VERIFY_BURST_SECONDS} s (${show(worstEvents)} counted events) the test does not reject on ${show(restTrials)} requests`;
  if (restTrials >= minSamples && restTrials > 0) {
    return {
      ...verdict,
      status: 'pass',
      burstHeld: true,
      reason: `one burst, not a persisting fault: ${verdict.reason}; ${without}`,
    };
  }
  return {
    ...verdict,
    status: 'no-data',
    burstHeld: true,
    reason: `waiting for evidence beyond one burst: ${verdict.reason}; ${without}`,
    insufficient: { samples: restTrials, needed: minSamples },
  };
}

/** A trend verdict with the samples held out for a load surge, said in the reason too. */
function withHeldPoints(verdict: Verdict, held: number, stepMs: number): Verdict {
  if (held === 0) return verdict;
  const seconds = Math.round((held * stepMs) / 1000);
  // A pass built when read stays so (rules/lazy-gauge-verdict.ts): the same keys, the same text.
  if (isLazyGaugeVerdict(verdict)) return LazyGaugeVerdict.withHeld(verdict, held, seconds) as Verdict;
  return {
    ...verdict,
    surgeHeldSteps: held,
    reason: withHeldReason(verdict.reason, seconds),
  };
}

/**
 * The no-data verdict while a signal cannot be judged yet: during the warm-up (breaches there
 * wait for the cold-start decision), and for count signals during a recognised cold start.
 */
function heldVerdict(tick: SignalTick): Verdict | null {
  const { watch, now, signal } = tick;
  const stepMs = tick.contract.stepSeconds * 1000;
  // Most evaluations hold nothing: the verdict and its text are built only when one is held.
  const heldNow = now <= watch.warmupEndsAt;
  if (!heldNow && !(watch.coldStart === true && now < watch.coldStartEndsAt + stepMs)) return null;
  const what = watch.purpose === 'bake' ? 'deploy' : 'cutover';
  const base = { status: 'no-data' as const, signal: signal.id, value: null, threshold: null, samples: 0 };
  // A cold start ruled out early releases the count signals that do not carry its signature
  // (errors): latency is what would still show a late cold start, or host load, before the
  // warm-up ends (the evaluator checks the whole warm-up again then); gauges and probes still
  // skip the warm-up (pods starting, heaps growing to their working size).
  // Decided on the whole warm-up (its last interval read), every count signal is released.
  const released =
    watch.coldStart === false &&
    usesCounts(signal) &&
    (watch.coldStartEarly !== true || kindOf(signal).counts?.coldStartSignature !== true);
  if (now <= watch.warmupEndsAt && !released) {
    return {
      ...base,
      rule: 'warm-up',
      window: { start: watch.deployAt, end: now },
      reason: `warming up: the first ${Math.round((watch.warmupEndsAt - watch.deployAt) / 1000)} s after the ${what} are held to tell a cold start from a regression`,
    };
  }
  if (usesCounts(signal) && watch.coldStart === true && now < watch.coldStartEndsAt + stepMs) {
    return {
      ...base,
      rule: 'cold-start',
      window: { start: watch.deployAt, end: now },
      reason: `held: ${watch.coldStartReason ?? 'cold start'}; judged on data from ${Math.round((watch.coldStartEndsAt - watch.deployAt) / 1000)} s after the ${what}`,
    };
  }
  return null;
}

/**
 * A segment's baseline. A segment that had no traffic before the deploy (a new endpoint) is
 * compared with the aggregate baseline rate, the best prior available.
 */
function segmentBaseline(baseline: SignalBaseline | undefined, key: string): SignalBaseline | undefined {
  if (baseline?.status !== 'ok') return baseline;
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
  windowStart: number,
  failure: ReadResult | null | undefined,
): Verdict {
  const { signal, now } = tick;
  const segmentField = key === AGGREGATE ? {} : { segment: key };
  const window = { start: windowStart, end: now };
  if (failure && key === AGGREGATE) return countFailure(signal, rule, window, failure);
  const inWindow = segment.recent.filter((i) => i.t > windowStart);
  const sums = totals(inWindow);
  const quality = windowQuality(tick, rule, window, {
    ...segmentField,
    samples: sums.trials,
    newestT: inWindow.at(-1)?.t ?? null,
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
    domain: valueDomain(signal),
  };
  if (rule.type === 'static') return evaluateStaticRange(rule, value);
  if (rule.type === 'baseline-ratio') {
    const base = key === AGGREGATE ? baseline : segmentBaseline(baseline, key);
    return evaluateBaselineRatio(rule, value, base?.status === 'ok' ? base.value : null);
  }
  return noData(signal, rule.type, window, `rule ${rule.type} does not apply to an error-rate signal`);
}

/** The reads of a rule judged on its window: its value, and a health rule's restarts. */
class ValueReads {
  constructor(
    readonly main: SignalRead,
    readonly restarts: SignalRead | null,
  ) {}
}

/**
 * What a rule judged on a gauge or quantile read over the window reads ({@link ValueReads}), or
 * its verdict when it reads nothing (no value to judge, no complete step in the window yet).
 */
function valueReads(tick: SignalTick, rule: Rule, windowStart: number, stepMs: number): ValueReads | Verdict {
  const { signal, now, watch } = tick;
  const query = valueQuery(signal);
  if (query === null)
    return noData(signal, rule.type, { start: windowStart, end: now }, 'the signal has no value to judge');
  const end = gridFloor(watch.deployAt, now, stepMs);
  if (kindOf(signal).value === 'window-quantile') {
    // The quantile over the whole window, judged with the window's request count as samples.
    const span = end - windowStart;
    if (span <= 0)
      return noData(
        signal,
        rule.type,
        { start: windowStart, end: now },
        'no complete step in the window yet',
      );
    return new ValueReads({ query, start: end, end, stepMs: span }, null);
  }
  const start = gridCeil(watch.deployAt, windowStart, stepMs);
  if (end < start)
    return noData(signal, rule.type, { start: windowStart, end: now }, 'no complete step in the window yet');
  return new ValueReads(
    { query, start, end, stepMs },
    kindOf(signal).restarts && rule.type === 'health'
      ? { query: restartsQuery(signal), start, end, stepMs }
      : null,
  );
}

/**
 * Rules judged on a gauge or quantile read over the window (latency value, resource, health),
 * once {@link valueReads}' reads are in: `read` the value's, `restarts` a health rule's restarts
 * (null when not read).
 */
function judgeValueRule(
  tick: SignalTick,
  rule: Rule,
  baseline: SignalBaseline | undefined,
  windowStart: number,
  counts: SegmentState | undefined,
  stepMs: number,
  read: ReadResult,
  restarts: ReadResult | null,
): Verdict {
  const { signal, now, watch } = tick;
  const window: TimeWindow = { start: windowStart, end: now };
  const unit = unitOf(signal);
  const baseValue = baseline?.status === 'ok' ? baseline.value : null;
  const domain = valueDomain(signal);

  if (kindOf(signal).value === 'window-quantile') {
    if (read.status !== 'ok') return fromRead(signal, rule, window, read);
    const inWindow = (counts?.recent ?? []).filter((i) => i.t > windowStart);
    const sums = totals(inWindow);
    const quality = windowQuality(tick, rule, window, {
      samples: sums.trials,
      newestT: inWindow.at(-1)?.t ?? null,
    });
    if (quality) return quality;
    const v = newestSample(read);
    if (v === null) return noData(signal, rule.type, window, 'no quantile value in the window');
    const input = { signal: signal.id, value: v.v, samples: sums.trials, window, unit, domain };
    if (rule.type === 'static') return evaluateStaticRange(rule, input);
    if (rule.type === 'baseline-ratio') return evaluateBaselineRatio(rule, input, baseValue);
    return noData(signal, rule.type, window, `rule ${rule.type} does not apply to a latency value`);
  }

  if (read.status === 'error') return fromRead(signal, rule, window, read);
  // A failed restarts read is not "no restarts": the health verdict cannot be a pass. Only a
  // source that cannot express restarts at all (SOURCE_BAD_QUERY for the built-in measure, as
  // New Relic's) leaves readiness to judge alone, as a source without restart data does.
  if (restarts?.status === 'error' && restarts.error.code !== 'SOURCE_BAD_QUERY')
    return fromRead(signal, rule, window, restarts);
  const all = read.status === 'ok' ? samplesFrom(read.series, windowStart - 1) : [];
  // A resource trend is judged on the load the baseline knows: samples under a load surge, or
  // while the resource settles after one, are held out (load-surge.ts, docs/statistics.md).
  const trend = rule.type === 'rate-of-change';
  const points =
    trend && watch.loadSurges !== undefined && watch.loadSurges.length > 0
      ? all.filter((p) => !underSurge(watch.loadSurges, p.t, stepMs, now))
      : all;
  const heldPoints = all.length - points.length;
  const restartCount = restarts && restarts.status === 'ok' ? sumOfSamples(restarts.series) : null;
  if (rule.type === 'health' && restartCount !== null && restartCount > rule.maxRestarts) {
    return evaluateHealth(rule, { signal: signal.id, ready: points, restarts: restartCount, window });
  }
  const quality = windowQuality(tick, rule, window, {
    samples: points.length,
    newestT: points.at(-1)?.t ?? null,
  });
  if (quality && trend && heldPoints > 0 && points.length < all.length)
    return {
      ...quality,
      reason: `held: ${heldPoints} of ${all.length} samples taken under a load surge or within ${SURGE_SETTLE_SECONDS} s after it, ${points.length} left (${quality.reason})`,
      surgeHeldSteps: heldPoints,
      // More in-range samples would settle it: a verification waits for them, as for traffic.
      insufficient: { samples: points.length, needed: signal.minSamples },
    };
  if (quality)
    return read.status === 'no-data' ? { ...quality, reason: `${quality.reason} (${read.reason})` } : quality;
  const newest = points.at(-1) as { t: number; v: number };
  const input = { signal: signal.id, value: newest.v, samples: points.length, window, unit, domain };
  switch (rule.type) {
    case 'static':
      return evaluateStaticRange(rule, input);
    case 'baseline-ratio':
      return evaluateBaselineRatio(rule, input, baseValue);
    case 'rate-of-change':
      return withHeldPoints(
        evaluateRateOfChange(rule, {
          signal: signal.id,
          points,
          window,
          baseline: baseValue,
          envelope: baseline?.status === 'ok' ? (baseline.envelope ?? null) : null,
          windowSeconds: signal.windowSeconds,
          unit,
          domain,
          // A surge marked in the window, held out or not (a short one that ended holds no
          // sample, but what it filled can still be there): the level alone is then no leak.
          ...(heldPoints > 0 || watch.loadSurges?.some((s) => s.to > windowStart) === true
            ? { surgeHeld: true }
            : {}),
        }),
        heldPoints,
        stepMs,
      );
    case 'health':
      return evaluateHealth(rule, { signal: signal.id, ready: points, restarts: restartCount, window });
    default:
      return noData(signal, rule.type, window, `rule ${rule.type} does not apply to a ${signal.kind} signal`);
  }
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

/**
 * The samples of every series after `after`, in series order: the one series' own array when
 * it needs no cut (a tick reads every gauge signal's whole window; samples are never mutated).
 */
function samplesFrom(series: readonly Series[], after: number): readonly Sample[] {
  const only = series.length === 1 ? (series[0] as Series).samples : null;
  if (only !== null && (only.length === 0 || (only[0] as Sample).t > after)) return only;
  const out: Sample[] = [];
  for (const s of series) for (const p of s.samples) if (p.t > after) out.push(p);
  return out;
}

/** The sum of every sample's value, in series order then time order (as flattening, then adding). */
function sumOfSamples(series: readonly Series[]): number {
  let sum = 0;
  for (const s of series) for (const p of s.samples) sum += p.v;
  return sum;
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
  return noData(signal, rule.type, window, 'no complete step since the deploy yet');
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

/**
 * The data-quality check (rules/data-quality.ts) of a rule judged on a window: samples, their
 * newest time, the signal's staleness limit and sample floor (or a segment's floor).
 */
function windowQuality(
  tick: SignalTick,
  rule: Rule,
  window: TimeWindow,
  data: {
    readonly segment?: string;
    readonly samples: number;
    readonly newestT: number | null;
    readonly minSamples?: number;
  },
): Verdict | null {
  const { signal, now } = tick;
  return checkDataQuality({
    signal: signal.id,
    rule: rule.type,
    ...(data.segment === undefined ? {} : { segment: data.segment }),
    window,
    samples: data.samples,
    newestT: data.newestT,
    now,
    maxLagMs: signal.maxLagSeconds * 1000,
    minSamples: data.minSamples ?? signal.minSamples,
  });
}
