import type { Contract, Signal } from '../contract/contract-schema';
import type { PortContext } from '../ports/abort';
import type { ReadResult } from '../ports/metric-source';
import { warmupCanShowColdStart } from '../rules/cold-start';
import { steadyEnvelope } from '../rules/rate-of-change';
import { show, showMinutes, showRate } from '../rules/verdict';
import { kindOf } from '../signals/signal-kinds';
import {
  estimateDispersion,
  estimateLocalDispersion,
  findElevatedEpisode,
  findElevatedTail,
  findRecentEnd,
} from '../stats';
import { median } from '../stats/order-statistics';
import { binomialUpperTail } from '../stats/special-functions';
import { baselineDrift, describeDrift, driftWindow } from './baseline-drift';
import { UNHEALTHY_RATIO } from './baseline-incident';
import { levelSeries, rateSeries } from './baseline-series';
import { joinCounts, totals } from './count-intervals';
import { type LoadProfile, loadProfile, SURGE_DRAIN_SECONDS, surgeAtEnd, withoutSurges } from './load-surge';
import { eventsQuery, exceedanceThreshold, tailThreshold, trialsQuery, valueQuery } from './signal-queries';
import type { SignalReader } from './signal-reader';
import {
  AGGREGATE,
  type BaselineSnapshot,
  baselineSeries,
  type CountInterval,
  type SegmentBaseline,
  type SignalBaseline,
} from './watch-state';

/** Gauge baselines (resource level, readiness) use the last few minutes before the deploy. */
const GAUGE_BASELINE_MS = 300_000;
/**
 * A resource's pre-deploy oscillation (a GC sawtooth's low and high) is read over a longer
 * window, so that slow cycles are seen whole.
 */
const ENVELOPE_MS = 1_800_000;

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
  const how = kindOf(signal).baseline;
  switch (how.method) {
    case 'counts':
      return countBaseline(signal, null, null, perStep, reader, ctx);
    case 'latency-threshold': {
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
      let threshold = exceedanceThreshold(contract.latencyBucketsMs, p99);
      const thresholdCounts = await readBaselineCounts(signal, threshold, perStep, reader, ctx);
      let counted = baselineOfCounts(signal, threshold, value, perStep, thresholdCounts);
      let shiftHint: ShiftHint | undefined;
      if (counted.status === 'ok' && !counted.health?.episode) {
        // A latency incident in the window's last minutes lifts the window's p99 with it: the
        // bucket at or above it can lie above the incident's own tail, where neither part of the
        // window has a slow request and no episode can show. The same check at the bucket of
        // the older half's p99 sees it (a healthy window passes it as it passes the first).
        const early = await earlyThreshold(contract, signal, deployAt, baselineMs, reader, ctx);
        if (early !== null && early < threshold) {
          const recounted = await countBaseline(signal, early, value, perStep, reader, ctx);
          if (recounted.status === 'ok' && recounted.health?.episode?.ongoing) {
            threshold = early;
            counted = recounted;
          }
        }
      }
      if (counted.status === 'ok' && !counted.health?.episode) {
        // A latency shift of the whole distribution (a previous release 1.6-3x slower for a few
        // minutes, an incident) lifts the window's p99 with it, and at 1-3 req/s the bucket at
        // or above that p99 holds too few requests for either part to stand out. The share above
        // the window's p90 bucket moves from ~10% to a third or more inside such a stretch: the
        // check runs there too, and an episode it finds (over or ongoing) sets the healthy part
        // the test judges against. The test keeps its own threshold (docs/statistics.md, "Dirty
        // baselines and ambiguous onsets"); the three looks together call a healthy window
        // unhealthy at most three times BASELINE_HEALTH_ALPHA.
        // No episode here, so the threshold is still the window's p99 bucket: its counts as read.
        shiftHint = (await shiftLook(contract, signal, threshold, whole, perStep, reader, ctx)) ?? undefined;
        if (shiftHint !== undefined) {
          const recounted = baselineOfCounts(signal, threshold, value, perStep, thresholdCounts, shiftHint);
          if (recounted.status === 'ok') counted = recounted;
        }
      }
      const episode = counted.health?.episode;
      // An episode the p90 look found leaves the threshold where it is: its stretch is left out
      // of the baseline's counts, and the threshold is not moved to the healthy part's p99 bucket
      // either, where a share of one or two per mille is left: more threshold moves mean more
      // bakes judged where a slow healthy drift is decisive (docs/statistics.md).
      if (counted.status === 'ok' && episode && shiftHint === undefined) {
        // The p99 of an unhealthy window is the incident's: fix the threshold on the longest
        // healthy stretch instead, and count again there.
        const clean = await cleanP99(signal, perStep, episode, reader, ctx);
        const better = clean === null ? threshold : exceedanceThreshold(contract.latencyBucketsMs, clean);
        // Only down: a threshold above the one the episode was seen at (the older half's p99
        // bucket, where the healthy part's p99 lies just above a bucket bound) can lie past the
        // incident's tail, and the test then never sees the incident it was told of.
        if (better < threshold) {
          const recounted = await countBaseline(signal, better, value, perStep, reader, ctx);
          if (recounted.status === 'ok') {
            threshold = better;
            // At the new threshold the incident may not stand out; the gate still needs its times.
            const health = recounted.health?.episode ? recounted.health : counted.health;
            counted = health ? { ...recounted, health } : recounted;
          }
        }
      }
      if (counted.status === 'ok') {
        const p50 = lastValue(
          await reader(signal, { query: { ...latencyP99(signal), quantile: 0.5 }, ...whole }, ctx),
        );
        if (p50 !== null && p50 > 0 && p99 > p50) {
          counted = { ...counted, latencySpread: Math.log(p99 / p50) / 2.326 };
        }
      }
      if (counted.status !== 'ok') return counted;
      const dense = await denseBound(
        signal,
        contract.latencyBucketsMs,
        threshold,
        counted,
        perStep,
        contract.warmupSeconds,
        reader,
        ctx,
      );
      if (dense) {
        const { surgeDense, ...bound } = dense;
        counted = { ...counted, coldStartBound: bound };
        if (surgeDense !== undefined && counted.surge)
          counted = { ...counted, surge: { ...counted.surge, dense: surgeDense } };
      }
      const tail = tailThreshold(contract.latencyBucketsMs, threshold);
      if (tail === null) return counted;
      return {
        ...counted,
        ...(await tailBaseline(signal, tail, perStep, counted.health?.episode, reader, ctx)),
      };
    }
    case 'level': {
      const query = valueQuery(signal);
      if (query === null) return noData('the signal has no value query');
      const levelStart = deployAt - Math.min(baselineMs, GAUGE_BASELINE_MS);
      const read = await reader(
        signal,
        {
          query,
          start: how.envelope ? deployAt - Math.min(baselineMs, ENVELOPE_MS) : levelStart,
          end: deployAt,
          stepMs: contract.stepSeconds * 1000,
        },
        ctx,
      );
      if (read.status !== 'ok') return fromFailure(read, 'baseline level');
      const samples = read.series.flatMap((s) => s.samples).filter((p) => Number.isFinite(p.v));
      // The level is the last few minutes' (what the new version starts from); the envelope the
      // whole read's (how far the process oscillates on its own).
      // Without the memory of a one-off fall (a previous surge's, a restart's) inside the window,
      // in the envelope and in the level: the level is where the settled process is.
      const steady = how.envelope ? envelopeOf(read.series) : null;
      const recent = samples.filter((p) => p.t >= levelStart).map((p) => p.v);
      const settled = steady ? recent.filter((v) => v <= steady.cap) : recent;
      const values = settled.length > 0 ? settled : recent;
      if (values.length === 0) return noData('no finite samples before the deploy');
      const value = how.statistic === 'median' ? median(values) : mean(values);
      const envelope = steady ? { low: steady.low, high: steady.high, drop: steady.drop } : null;
      return {
        status: 'ok',
        reason: `${how.statistic} of ${values.length} samples before the deploy${
          steady
            ? `; ranged ${show(steady.low)}-${show(steady.high)} over ${samples.length}${
                steady.heldOut > 0
                  ? ` (${steady.heldOut} above the steady oscillation held out: a one-off fall, up to ${show(steady.whole.high)})`
                  : ''
              }`
            : ''
        }`,
        events: null,
        trials: null,
        value,
        exceedanceThresholdMs: null,
        dispersion: 1,
        segments: {},
        ...(envelope ? { envelope } : {}),
        series: baselineSeries(
          'level',
          levelSeries(samples, deployAt - Math.min(baselineMs, GAUGE_BASELINE_MS), deployAt),
        ),
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
  const reads = await readBaselineCounts(signal, thresholdMs, whole, reader, ctx);
  return baselineOfCounts(signal, thresholdMs, value, whole, reads);
}

/** The per-step counts a count baseline is made of, as read: events (over `thresholdMs`), requests, by segment too. */
interface BaselineCounts {
  readonly ev: ReadResult | null;
  readonly tr: ReadResult;
  readonly segEv: ReadResult | null;
  readonly segTr: ReadResult | null;
}

async function readBaselineCounts(
  signal: Signal,
  thresholdMs: number | null,
  whole: { start: number; end: number; stepMs: number },
  reader: SignalReader,
  ctx: PortContext,
): Promise<BaselineCounts> {
  const events = eventsQuery(signal, thresholdMs);
  const trials = trialsQuery(signal);
  const segmentBy = signal.segments?.by;
  const [ev, tr, segEv, segTr] = await Promise.all([
    events ? reader(signal, { query: events, ...whole }, ctx) : Promise.resolve(null),
    reader(signal, { query: trials, ...whole }, ctx),
    events && segmentBy ? reader(signal, { query: events, ...whole, segmentBy }, ctx) : Promise.resolve(null),
    segmentBy ? reader(signal, { query: trials, ...whole, segmentBy }, ctx) : Promise.resolve(null),
  ]);
  return { ev, tr, segEv, segTr };
}

/**
 * A count baseline from its counts as read ({@link readBaselineCounts}): the baseline health
 * check, the healthy part's totals, the segments, dispersion and drift.
 */
function baselineOfCounts(
  signal: Signal,
  thresholdMs: number | null,
  value: number | null,
  whole: { start: number; end: number; stepMs: number },
  { ev, tr, segEv, segTr }: BaselineCounts,
  /** An episode another look found (the p90 bucket's, {@link shiftLook}), used when this one finds none. */
  hint?: ShiftHint,
): SignalBaseline {
  const segmentBy = signal.segments?.by;
  if (tr.status !== 'ok') return fromFailure(tr, 'baseline requests');
  if (ev && ev.status === 'error') return fromFailure(ev, 'baseline events');
  const joined = joinCounts(ev ?? { status: 'no-data', reason: 'none' }, tr, undefined, null);
  const intervals = joined.get(AGGREGATE) ?? [];
  if (totals(intervals).trials <= 0) return noData('no requests in the baseline window');
  const what = thresholdMs === null ? 'failed' : `slower than ${thresholdMs} ms`;
  // Load is a confounder of latency inside the window too: a surge's slow requests (one that
  // began minutes before the deploy and runs into the bake) are neither an episode nor the
  // baseline, whose test holds surge steps (load-surge.ts). Error signals keep every step: a
  // failing service can cause its own surge (retries), and its errors must still show.
  const loadConditioned = kindOf(signal).counts?.loadConditioned === true;
  const profile = loadConditioned ? loadProfile(intervals, whole.stepMs / 1000) : null;
  const drainSteps = Math.round((SURGE_DRAIN_SECONDS * 1000) / whole.stepMs);
  const scanned = loadConditioned ? withoutSurges(intervals, profile, drainSteps) : intervals;
  // The surge those steps are, when it runs into the bake: how slow the service is under it.
  const surge = loadConditioned ? surgeAtEnd(intervals, profile, drainSteps) : null;
  const checked = checkBaselineHealth(scanned.length > 0 ? scanned : intervals, whole.stepMs, what);
  const hinted =
    checked.health.episode || hint === undefined
      ? null
      : hintedHealth(scanned.length > 0 ? scanned : intervals, hint, what);
  const { clean, health } = hinted ?? checked;
  const outside = (i: CountInterval) =>
    !health.episode || i.t < health.episode.startT || i.t > health.episode.endT;
  const agg = totals(clean);
  if (agg.trials <= 0) return noData('no requests in the healthy part of the baseline window');
  const segments: Record<string, SegmentBaseline> = {};
  if (segmentBy && segTr && segTr.status === 'ok' && !(segEv && segEv.status === 'error')) {
    const bySegment = joinCounts(segEv ?? { status: 'no-data', reason: 'none' }, segTr, segmentBy, null);
    const ranked = [...bySegment]
      .map(([key, intervals]) => [key, totals(intervals.filter(outside))] as const)
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
  const dispersion = estimateDispersion(clean);
  const drifting = baselineDrift(driftWindow(intervals, clean, health), whole.stepMs, dispersion, intervals);
  return {
    status: 'ok',
    reason: `${round(agg.events)} of ${round(agg.trials)} requests ${what} before the deploy${
      health.status === 'unhealthy' ? `; ${health.reason}` : ''
    }${drifting.drift ? `; ${describeDrift(drifting.drift)}` : ''}`,
    events: agg.events,
    trials: agg.trials,
    value: kindOf(signal).value === 'count-ratio' ? rate : value,
    exceedanceThresholdMs: thresholdMs,
    dispersion,
    ...drifting,
    segments,
    ...loadOf(intervals, whole.stepMs / 1000),
    health,
    ...(surge ? { surge } : {}),
    series: baselineSeries('rate', rateSeries(intervals, whole.start - whole.stepMs, whole.end)),
  };
}

/** Level of the baseline health check: a healthy window is called unhealthy this rarely. */
export const BASELINE_HEALTH_ALPHA = 0.001;
/**
 * An elevated episode that ended before the deploy counts as over only when the rest of the
 * window is below its rate at this level (exact binomial lower tail).
 */
const RECOVERY_LEVEL = 0.01;

/**
 * The baseline health check (stats/episode.ts): one elevated stretch of at least a minute
 * inside the pre-deploy window, significant at BASELINE_HEALTH_ALPHA after the scan, with
 * step-to-step burstiness discounted (local dispersion). When found, the test judges against
 * the rest of the window (`clean`), and the validation gate reads it (evaluation/onset.ts).
 */
export function checkBaselineHealth(
  intervals: readonly CountInterval[],
  stepMs: number,
  what: string,
): { clean: readonly CountInterval[]; health: NonNullable<SignalBaseline['health']> } {
  const minSteps = Math.max(1, Math.round(60_000 / stepMs));
  const dispersion = estimateLocalDispersion(intervals);
  const episode = findElevatedEpisode(intervals, { alpha: BASELINE_HEALTH_ALPHA, minSteps, dispersion });
  if (!episode) {
    const tail = tailLook(intervals, stepMs, what, dispersion);
    return {
      clean: intervals,
      health: {
        status: 'healthy',
        reason: tail
          ? `no elevated stretch in the window; ${tail.reason}`
          : 'no elevated stretch in the window',
        ...(tail ? { tail: tail.tail } : {}),
      },
    };
  }
  // An episode is over only if the stretch after it shows the rate down again, for at least as
  // long as an episode must last (a minute). The scan puts the episode's end where the rest
  // looks lowest, so a few quiet steps right before the deploy are chance, not a recovery.
  const postIntervals = intervals.filter((i) => i.t > episode.endT);
  const post = totals(postIntervals);
  const inside = episode.inside.trials > 0 ? episode.inside.events / episode.inside.trials : 0;
  const recovered =
    !episode.ongoing &&
    postIntervals.length >= minSteps &&
    post.trials > 0 &&
    1 - binomialUpperTail(post.events + 1, post.trials, Math.min(1, inside)) <= RECOVERY_LEVEL;
  // Shorter than a minute after it, an end stands only on evidence as strong as the episode's
  // own (the check's level, corrected for every end tried): a dependency that failed for a
  // minute and came back 20 s before the deploy (docs/statistics.md, "An episode that ended
  // just before the deploy").
  const outsideRate = episode.outside.trials > 0 ? episode.outside.events / episode.outside.trials : 0;
  const recent = recovered
    ? null
    : findRecentEnd(intervals, episode.startT, outsideRate, {
        level: BASELINE_HEALTH_ALPHA,
        minSteps: Math.max(1, Math.round(15_000 / stepMs)),
        maxSteps: minSteps,
        dispersion,
      });
  const ongoing = !recovered && recent === null;
  const endT = ongoing ? (intervals.at(-1)?.t ?? episode.endT) : (recent?.endT ?? episode.endT);
  const clean = intervals.filter((i) => i.t < episode.startT || i.t > endT);
  const end = intervals.at(-1)?.t ?? endT;
  const when = ongoing
    ? `since ${showMinutes(end - episode.startT + stepMs)} before the deploy, still at the deploy`
    : `from ${showMinutes(end - episode.startT + stepMs)} to ${showMinutes(end - endT)} before the deploy`;
  const rest = totals(clean);
  const outside = rest.trials > 0 ? rest.events / rest.trials : 0;
  // An end found after the scan's stretch leaves the quiet steps out of the episode's counts.
  const held =
    recent === null ? episode.inside : totals(intervals.filter((i) => i.t >= episode.startT && i.t <= endT));
  const heldRate = held.trials > 0 ? held.events / held.trials : 0;
  return {
    clean,
    health: {
      status: 'unhealthy',
      reason: `baseline unhealthy: ${round(held.events)} of ${round(held.trials)} requests ${what} ${when} (${showRate(heldRate)} against ${showRate(outside)} otherwise); judged against the rest of the window`,
      episode: {
        startT: episode.startT - stepMs,
        endT,
        ongoing,
        events: held.events,
        trials: held.trials,
        rate: heldRate,
        outsideRate: outside,
      },
    },
  };
}

/**
 * Level of the tail look: a healthy window's last minutes stand out this rarely. It only arms
 * the bake-start check (evaluation/baseline-incident.ts, at `UNHEALTHY_LEVEL`), so a healthy
 * release is routed at most this times that.
 */
export const BASELINE_TAIL_ALPHA = 0.01;
/** The tail look's stretches, in minutes before the deploy (incidents under way for 2-8 min). */
const TAIL_MINUTES = [2, 4, 8] as const;

/**
 * Where the scan finds no episode: do the window's last 2, 4 or 8 minutes stand out at least
 * `UNHEALTHY_RATIO` times the rest's rate (docs/statistics.md, "An incident the scan cannot
 * see")? The window stays healthy; the tail is what a passing bake is read against.
 */
function tailLook(intervals: readonly CountInterval[], stepMs: number, what: string, dispersion: number) {
  const tail = findElevatedTail(intervals, {
    alpha: BASELINE_TAIL_ALPHA,
    spans: TAIL_MINUTES.map((minutes) => minutes * 60_000),
    dispersion,
    minRatio: UNHEALTHY_RATIO,
  });
  if (tail === null) return null;
  const rate = tail.inside.events / tail.inside.trials;
  const outsideRate = tail.outside.trials > 0 ? tail.outside.events / tail.outside.trials : 0;
  const end = intervals.at(-1)?.t ?? tail.endT;
  return {
    reason: `but ${round(tail.inside.events)} of ${round(tail.inside.trials)} requests ${what} in the last ${showMinutes(end - tail.startT + stepMs)} before the deploy (${showRate(rate)} against ${showRate(outsideRate)} before, p = ${show(tail.pValue)} over ${TAIL_MINUTES.length} stretches): an incident may be under way`,
    tail: {
      startT: tail.startT - stepMs,
      endT: end,
      events: tail.inside.events,
      trials: tail.inside.trials,
      rate,
      outsideRate,
      pValue: tail.pValue,
    },
  };
}

/**
 * The baseline health check at the highest bucket bound at or below the window's p90, when that
 * is below the test's threshold: the episode it finds (its times, and whether it is still going
 * at the deploy) with the bound it was seen at, or null.
 */
async function shiftLook(
  contract: Contract,
  signal: Signal,
  thresholdMs: number,
  whole: { start: number; end: number; stepMs: number },
  perStep: { start: number; end: number; stepMs: number },
  reader: SignalReader,
  ctx: PortContext,
): Promise<ShiftHint | null> {
  const read = await reader(
    signal,
    { query: { ...latencyP99(signal), quantile: SHIFT_QUANTILE }, ...whole },
    ctx,
  );
  const quantile = lastValue(read);
  if (quantile === null || !(quantile > 0)) return null;
  // The highest bound at or below it (at least a tenth of the window's requests above it), so
  // a p90 just past a bound does not land on the test's own threshold.
  let bucket: number | null = null;
  for (const b of contract.latencyBucketsMs) {
    if (b > 0 && b <= quantile && b < thresholdMs && (bucket === null || b > bucket)) bucket = b;
  }
  if (bucket === null) return null;
  const counted = await countBaseline(signal, bucket, null, perStep, reader, ctx);
  const health = counted.status === 'ok' ? counted.health : undefined;
  return health?.episode ? { episode: health.episode, thresholdMs: bucket } : null;
}

/** An episode the whole-distribution look found, and the bucket it was seen at. */
interface ShiftHint {
  readonly episode: NonNullable<NonNullable<SignalBaseline['health']>['episode']>;
  readonly thresholdMs: number;
}

/** The quantile whose bucket the whole-distribution look reads ({@link shiftLook}). */
export const SHIFT_QUANTILE = 0.9;

/**
 * The health of a window at this threshold, with the episode (times, over or ongoing) another
 * look found: the rates are this threshold's, so the gate and the cold-start recognition compare
 * like with like. Null when the stretch is no slower than the rest at this threshold: a load
 * surge's queueing moves the body (the p90 bucket) and leaves the tail, and an episode the
 * threshold does not see would route a fault at that threshold after the deploy as the
 * incident's (`wide-surge-bad`: 0 of 6,303 requests slower than 250 ms in the stretch against
 * 0.0011% otherwise, a latency fault 2 min into the bake routed).
 */
function hintedHealth(
  intervals: readonly CountInterval[],
  hint: ShiftHint,
  what: string,
): { clean: readonly CountInterval[]; health: NonNullable<SignalBaseline['health']> } | null {
  const episode = hint.episode;
  const isInside = (i: CountInterval) => i.t > episode.startT && i.t <= episode.endT;
  const clean = intervals.filter((i) => !isInside(i));
  const inside = totals(intervals.filter(isInside));
  const rest = totals(clean);
  const rate = inside.trials > 0 ? inside.events / inside.trials : 0;
  const outsideRate = rest.trials > 0 ? rest.events / rest.trials : 0;
  if (!(rate > outsideRate)) return null;
  const end = intervals.at(-1)?.t ?? episode.endT;
  const when = episode.ongoing
    ? `since ${showMinutes(end - episode.startT)} before the deploy, still at the deploy`
    : `from ${showMinutes(end - episode.startT)} to ${showMinutes(end - episode.endT)} before the deploy`;
  const seenAt = `; a shift of the whole distribution, seen at ${hint.thresholdMs} ms (the window's p90 bucket)`;
  return {
    clean,
    health: {
      status: 'unhealthy',
      reason: `baseline unhealthy: ${round(inside.events)} of ${round(inside.trials)} requests ${what} ${when} (${showRate(rate)} against ${showRate(outsideRate)} otherwise${seenAt}); judged against the rest of the window`,
      episode: { ...episode, events: inside.events, trials: inside.trials, rate, outsideRate },
    },
  };
}

/**
 * The exceedance threshold of the older half of the baseline window (the bucket at or above its
 * p99), or null when unreadable.
 */
async function earlyThreshold(
  contract: Contract,
  signal: Signal,
  deployAt: number,
  baselineMs: number,
  reader: SignalReader,
  ctx: PortContext,
): Promise<number | null> {
  const stepMs = contract.stepSeconds * 1000;
  const half = Math.floor(baselineMs / 2 / stepMs) * stepMs;
  if (half < stepMs) return null;
  const end = deployAt - half;
  const read = await reader(signal, { query: latencyP99(signal), start: end, end, stepMs: half }, ctx);
  const p99 = read.status === 'ok' ? lastValue(read) : null;
  return p99 === null ? null : exceedanceThreshold(contract.latencyBucketsMs, p99);
}

/**
 * The most a baseline's share of requests slower than the cold-start bound may be: nine in ten.
 * Up to a quarter, a cold start 1.3x or more slower raises the share by half again at the spreads
 * seen (log-normal sigma up to 0.7), and up to half one 2x slower does. Above half the share has
 * too little room to rise (from 60% at most 1.67x), so a cold start is read as the requests faster
 * than the bound growing fewer (rules/cold-start.ts `showsColdStartAtBound`), which needs a tenth
 * of the baseline's requests left under the bound. It was a quarter: on a decade layout
 * (10/100/1000 ms) a service whose median lies near a bound has 25-65% of its requests slower than
 * it, the recognition read the warm-up at the threshold a decade above, where a 2x cold start puts
 * nothing, ruled it out, and judged its errors (docs/statistics.md, "Cold starts on a decade
 * histogram"). The early rule-out needs a share under a third (its smallest cold start is 3x the
 * share), so above it the warm-up runs its course.
 */
export const MAX_DENSE_SHARE = 0.9;

/**
 * The bound the cold-start recognition reads the warm-up at: the bucket bound just below the
 * exceedance threshold, when the baseline's share slower than it is nearer the p99's own 1% than
 * the threshold's (the product of the two shares under 1%², the lower share under
 * {@link MAX_DENSE_SHARE}). On a coarse histogram the bound at or above the p99 can be 2.5-10
 * times the p99, where the baseline has almost no slow request: a cold start that makes the
 * first seconds 1.3-2x slower puts nothing there, and its errors then count against the release.
 * The bound below sees it in a share near 1%. Only the cold-start recognition reads it: tried as
 * the exceedance test's own threshold, its many events made slow healthy drifts (traffic trends,
 * GC pauses) decisive (docs/statistics.md, "Cold starts the threshold cannot see"). Undefined when
 * there is no such bound. Counted on the healthy part of the window, like the threshold's counts.
 */
async function denseBound(
  signal: Signal,
  buckets: readonly number[],
  threshold: number,
  counted: SignalBaseline,
  perStep: { start: number; end: number; stepMs: number },
  warmupSeconds: number,
  reader: SignalReader,
  ctx: PortContext,
): Promise<{ thresholdMs: number; events: number; surgeDense?: number } | undefined> {
  if (!counted.trials) return undefined;
  let below: number | null = null;
  for (const b of buckets) if (b > 0 && b < threshold && (below === null || b > below)) below = b;
  if (below === null) return undefined;
  const intervals = await healthyCountsAt(signal, below, perStep, counted.health?.episode, reader, ctx);
  if (intervals === null) return undefined;
  const dense = totals(intervals).events;
  // The requests a warm-up of the baseline's traffic brings: where they cannot show a cold start
  // at the threshold, the bound is the recognition's only measure.
  const warmupTrials =
    (counted.trials * warmupSeconds * 1000) / (perStep.end - perStep.start + perStep.stepMs);
  if (!keepsColdStartBound(dense, counted.events ?? 0, counted.trials, warmupTrials)) return undefined;
  const surge = counted.surge;
  // A surge under way at the deploy, at the bound too: the recognition reads the warm-up there.
  const surgeDense = surge ? totals(intervals.filter((i) => i.t >= surge.startT)).events : undefined;
  return { thresholdMs: below, events: dense, ...(surgeDense === undefined ? {} : { surgeDense }) };
}

/**
 * A threshold share under which the warm-up cannot show a cold start at the threshold whatever
 * the bound's share: a tenth of the p99's own 1%. A warm-up of a few hundred requests expects
 * under a tenth of an event there, and a cold start 1.5-4x slower than the baseline, which moves
 * the body of the latency, hardly reaches a bound a decade above the median. The product rule
 * alone dropped the bound below such a threshold when the bound held more than a sixth of the
 * requests (5-10 slow requests of 20 000 beyond 5 s, 55-65% beyond 500 ms): the recognition read
 * the warm-up at the threshold, saw nothing, and a healthy cold start's errors were judged as the
 * release's (docs/statistics.md, "Cold starts on a decade histogram").
 */
export const SPARSE_THRESHOLD_SHARE = 1e-3;

/**
 * Whether the bound below the threshold, with `denseEvents` of the baseline's `trials` slower
 * than it (and `thresholdEvents` slower than the threshold), is the cold-start bound: its share
 * at most {@link MAX_DENSE_SHARE}, and nearer 1% than the threshold's share (the product of the
 * two under 1%²), or the threshold too sparse for the warm-up: under
 * {@link SPARSE_THRESHOLD_SHARE}, or, given `warmupTrials` (the requests a warm-up at the
 * baseline's traffic brings), too sparse for even a tripled share to show in them
 * (rules/cold-start.ts `warmupCanShowColdStart`). There the threshold would rule out every cold
 * start a low-traffic service's warm-up holds, and its errors were judged as the release's
 * (docs/statistics.md, "A threshold the warm-up's traffic cannot reach"). Half an event is added
 * to each count, so an empty count is not a zero share.
 */
export function keepsColdStartBound(
  denseEvents: number,
  thresholdEvents: number,
  trials: number,
  warmupTrials?: number,
): boolean {
  if (!(trials > 0)) return false;
  const shareBelow = (denseEvents + 0.5) / (trials + 1);
  const shareAt = (thresholdEvents + 0.5) / (trials + 1);
  if (!(shareBelow <= MAX_DENSE_SHARE)) return false;
  if (shareBelow * shareAt < 1e-4 || shareAt < SPARSE_THRESHOLD_SHARE) return true;
  return warmupTrials !== undefined && !warmupCanShowColdStart(shareAt, warmupTrials);
}

/** The p99 of the longest healthy stretch of an unhealthy window, or null when unreadable. */
async function cleanP99(
  signal: Signal,
  perStep: { start: number; end: number; stepMs: number },
  episode: NonNullable<NonNullable<SignalBaseline['health']>['episode']>,
  reader: SignalReader,
  ctx: PortContext,
): Promise<number | null> {
  const windowStart = perStep.start - perStep.stepMs;
  const before = episode.startT - windowStart;
  const after = perStep.end - episode.endT;
  const [end, span] = before >= after ? [episode.startT, before] : [perStep.end, after];
  if (span < perStep.stepMs) return null;
  const read = await reader(signal, { query: latencyP99(signal), start: end, end, stepMs: span }, ctx);
  return read.status === 'ok' ? lastValue(read) : null;
}

/**
 * The baseline's requests slower than the tail threshold. A failed read leaves the tail test
 * out (the first threshold's test still runs) rather than failing the signal's baseline.
 */
async function tailBaseline(
  signal: Signal,
  thresholdMs: number,
  perStep: { start: number; end: number; stepMs: number },
  episode: { readonly startT: number; readonly endT: number } | undefined,
  reader: SignalReader,
  ctx: PortContext,
): Promise<{ tail?: NonNullable<SignalBaseline['tail']> }> {
  const intervals = await healthyCountsAt(signal, thresholdMs, perStep, episode, reader, ctx);
  if (intervals === null) return {};
  return {
    tail: { thresholdMs, events: totals(intervals).events, dispersion: estimateDispersion(intervals) },
  };
}

/**
 * The baseline's per-step counts of requests slower than `thresholdMs`, on the same healthy part
 * of the window as the first threshold's (an episode's ends are on the step grid: its first
 * interval ends one step after `startT`). Null when the counts cannot be read.
 */
async function healthyCountsAt(
  signal: Signal,
  thresholdMs: number,
  perStep: { start: number; end: number; stepMs: number },
  episode: { readonly startT: number; readonly endT: number } | undefined,
  reader: SignalReader,
  ctx: PortContext,
): Promise<CountInterval[] | null> {
  const events = eventsQuery(signal, thresholdMs);
  if (events === null) return null;
  const [ev, tr] = await Promise.all([
    reader(signal, { query: events, ...perStep }, ctx),
    reader(signal, { query: trialsQuery(signal), ...perStep }, ctx),
  ]);
  if (ev.status === 'error' || tr.status !== 'ok') return null;
  return (joinCounts(ev, tr, undefined, null).get(AGGREGATE) ?? []).filter(
    (i) => !episode || i.t <= episode.startT || i.t > episode.endT,
  );
}

function loadOf(intervals: readonly CountInterval[], stepSeconds: number): { load?: LoadProfile } {
  const load = loadProfile(intervals, stepSeconds);
  return load ? { load } : {};
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

function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

function round(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}

/** The steady envelope (`steadyEnvelope`) of a gauge's pre-deploy series, each put in time order. */
function envelopeOf(series: readonly { readonly samples: readonly { t: number; v: number }[] }[]) {
  const each = series.map((s) => s.samples.filter((p) => Number.isFinite(p.v)).sort((a, b) => a.t - b.t));
  return steadyEnvelope(
    each.flat().sort((a, b) => a.t - b.t),
    each,
  );
}
