import type { Contract, Rule, Signal } from '../contract/contract-schema';
import type { SerializedRollgateError } from '../errors/rollgate-error';
import type { PortContext } from '../ports/abort';
import type { MetricQuery, ReadResult } from '../ports/metric-source';
import { evaluateBaselineRatio } from '../rules/baseline-ratio';
import { evaluateRateOfChange } from '../rules/rate-of-change';
import { evaluateStaticRange } from '../rules/static-range';
import { kindOf } from '../signals/signal-kinds';
import { estimateOnset } from '../stats';
import { estimateDrift, fitRateTrend, stepOnTrend } from '../stats/drift';
import { compareRampOnsets, type RampFit, type RampOnsetComparison } from '../stats/onset';
import { binomialUpperTail } from '../stats/special-functions';
import { DRIFT_BLOCK_MS, DRIFT_EPISODE_RATIO } from './baseline-drift';
import { SHIFT_QUANTILE } from './baseline-snapshot';
import { joinCounts } from './count-intervals';
import { SURGE_DRAIN_SECONDS, withoutSurges } from './load-surge';
import {
  extendPoints,
  firstSampleT,
  lookHistory,
  type OnsetHistories,
  type OnsetHistory,
  overlapSteps,
  tailFrom,
} from './onset-history';
import { eventsQuery, trialsQuery, unitOf, valueDomain, valueQuery } from './signal-queries';
import type { SignalReader } from './signal-reader';
import { AGGREGATE, type CountInterval, type SignalBaseline, type WatchState } from './watch-state';

/** The validation gate's answer: when the confirmed breach began, relative to the deploy. */
export interface OnsetFinding {
  /** `unknown` when the history could not be read: the gate cannot decide. */
  readonly status: 'ok' | 'unknown';
  /** The breach was already there before the deploy: route an incident, do not roll back. */
  readonly preexisting: boolean;
  /**
   * The onset could not be placed before or after the deploy; `preexisting` then follows the
   * contract's `validation.ambiguousOnset` policy.
   */
  readonly ambiguous?: boolean;
  /** Epoch ms of the estimated onset; null when no onset was located. */
  readonly onsetAt: number | null;
  readonly deployAt: number;
  /** `change-point` (count signals), `run-length` (health), `pre-deploy-window` (gauges). */
  readonly method: 'change-point' | 'run-length' | 'pre-deploy-window';
  readonly reason: string;
  readonly error?: SerializedRollgateError;
  /**
   * The trend explains the breach (docs/statistics.md, "Climbs routed as incidents"): the window
   * drifts or climbs, the rise is one a drift can make, and the bake stands within the trend
   * carried forward. Neither a rollback nor an incident yet: the machine keeps baking and asks
   * again at the next confirmed breach, passing this back; `preexisting` is false.
   */
  readonly explained?: TrendLook;
}

/**
 * One look of the gate at a breach the trend explains, and what the next look needs: the rise
 * and window the trend is fitted on, fixed at the first look so every look tests the same trend,
 * and the level this look spent ({@link trendLookLevel}).
 */
export interface TrendLook {
  readonly signal: string;
  readonly segment?: string;
  /** 1 at the first look (the breach's first confirmation), then one more at each. */
  readonly look: number;
  /** The level of this look's step test. */
  readonly level: number;
  /** The rise the trend is fitted on runs from here (exclusive) to the deploy. */
  readonly fromT: number;
  /** The whole window's trend from here, where the window drifts (always set on an explained look). */
  readonly windowFrom: number;
}

interface OnsetInput {
  readonly contract: Contract;
  readonly signal: Signal;
  readonly segment: string;
  /** The type of the rule that breached, as the machine kept it; absent: the signal's first rule. */
  readonly rule?: string;
  readonly watch: WatchState;
  readonly now: number;
  readonly reader: SignalReader;
  readonly ctx: PortContext;
  /** The previous look, when the trend explained this signal's breach before: this is a repeated look. */
  readonly trend?: TrendLook;
  /** The histories of previous looks this process kept: a repeated look reads only what is new. */
  readonly histories?: OnsetHistories;
}

/** A baseline episode, as the health check found it. */
type Episode = NonNullable<NonNullable<SignalBaseline['health']>['episode']>;

/** How far before the deploy the gate looks for the start of a breach. */
const MAX_LOOKBACK_MS = 30 * 60_000;

/**
 * Locates the onset of a confirmed breach with the method that fits the breaching rule: a
 * single change point in the event rate for count signals, the start of the failing run for
 * health, and the same rule applied to the window just before the deploy for gauges.
 */
export async function findOnset(input: OnsetInput): Promise<OnsetFinding> {
  const { signal } = input;
  const rule = signal.rules.find((r) => r.type === input.rule) ?? signal.rules[0];
  switch (kindOf(signal).onset(rule)) {
    case 'change-point':
      return changePoint(input);
    case 'run-length':
      return runLength(input);
    case 'pre-deploy-window':
      return preDeployWindow(input, rule as Rule);
  }
}

async function changePoint(input: OnsetInput): Promise<OnsetFinding> {
  const { contract, signal, watch, now, segment } = input;
  const stepMs = contract.stepSeconds * 1000;
  const lookback = Math.min(contract.baselineSeconds * 1000, MAX_LOOKBACK_MS);
  const end = watch.deployAt + Math.floor((now - watch.deployAt) / stepMs) * stepMs;
  const health = segment === AGGREGATE ? watch.baseline?.signals[signal.id]?.health : undefined;
  const episode = health?.status === 'unhealthy' ? health.episode : undefined;
  // An episode that ended before the deploy (a previous bad release, rolled back) is over: the
  // onset of this breach is sought after it, or its start would pass for this breach's.
  const after = episode && !episode.ongoing ? episode.endT + stepMs : Number.NEGATIVE_INFINITY;
  const start = Math.max(watch.deployAt - Math.floor(lookback / stepMs) * stepMs + stepMs, after);
  // The threshold of the test that breached: the tail test counts above a higher one.
  const breached = watch.signals[signal.id]?.last?.verdicts.find(
    (v) => v.status === 'breach' && v.exceedanceThresholdMs !== undefined,
  );
  const threshold =
    breached?.exceedanceThresholdMs ?? watch.baseline?.signals[signal.id]?.exceedanceThresholdMs ?? null;
  const events = eventsQuery(signal, threshold);
  if (events === null)
    return unknown(input, 'change-point', 'no events query: the baseline threshold is unknown');
  const segmentBy = segment === AGGREGATE ? undefined : signal.segments?.by;
  const read = await readHistory(input, events, start, end, stepMs, segmentBy);
  if ('failure' in read) return unknown(input, 'change-point', read.failure.reason, read.failure.error);
  // The steps the gate judges, read once for its answer and the error-climb look.
  const usable = usablePoints(input, read.points, stepMs);
  const judged = judgeHistory(input, usable, start, end, stepMs, episode, health);
  // A latency climb under way at the deploy reaches the tail the test counts late: its onset
  // there can lie after the deploy. Where the gate would roll back on an onset it could not
  // place before the deploy, the same counts one bucket lower say whether the climb began
  // before it ({@link climbBelow}).
  const below =
    UNPLACED.has(judged) && segment === AGGREGATE && threshold !== null
      ? ((await climbBelow(input, judged, threshold, start, end, stepMs)) ?? judged)
      : judged;
  // An error climb under way at the deploy goes on rising in the bake: the gate's step tests
  // (a second change over an ongoing episode, a step over a log-linear trend) can read that rise
  // as a step at or after the deploy. Where the gate would roll back, the ramp comparison on the
  // breach's own counts says whether a climb began before the deploy ({@link errorClimbUnderWay}).
  const finding =
    rollsBack(below) &&
    !STEPPED.has(below) &&
    segment === AGGREGATE &&
    kindOf(signal).counts?.events === 'errors'
      ? (errorClimbUnderWay(input, below, usable, stepMs) ?? below)
      : below;
  // Kept for the next look only where there will be one: at the end of the bake the machine
  // routes a breach the trend still explains, and the watch ends.
  const next = now < watch.bakeEndsAt ? finding.explained : undefined;
  input.histories?.settle(input.trend, next, read.history);
  return finding;
}

/**
 * The counts of the breach's signal from `start` to `end` across the deploy, joined for the
 * look's segment: read in full, or, at a repeated look whose previous look's history this process
 * kept ({@link OnsetHistories}), only from the steps the previous look read last on
 * ({@link tailFrom}: its newest steps a source may still revise, then the new ones), joined onto
 * the history before them. The same points as the full read where the source answers a step the
 * same whatever the range asked (as the chunked reads of a long history already assume) and does
 * not revise a step older than the signal's `maxLagSeconds` (docs/architecture.md, "The onset
 * gate's repeated looks").
 */
async function readHistory(
  input: OnsetInput,
  events: MetricQuery,
  start: number,
  end: number,
  stepMs: number,
  segmentBy: string | undefined,
): Promise<
  | { readonly points: CountInterval[]; readonly history: () => OnsetHistory }
  | { failure: { reason: string; error?: SerializedRollgateError } }
> {
  const { signal, reader, ctx, segment } = input;
  const trials = trialsQuery(signal);
  const key = JSON.stringify([signal.id, segment, events, trials, start, stepMs, segmentBy ?? null]);
  const previous = input.histories?.of(input.trend);
  const extend = previous !== undefined && previous.key === key && previous.end <= end;
  const from = extend
    ? tailFrom(previous, start, stepMs, overlapSteps(signal.maxLagSeconds * 1000, stepMs))
    : start;
  const range = { start: from, end, stepMs, ...(segmentBy === undefined ? {} : { segmentBy }) };
  const [ev, tr] = await Promise.all([
    reader(signal, { query: events, ...range }, ctx),
    reader(signal, { query: trials, ...range }, ctx),
  ]);
  const failure = firstFailure(ev, tr);
  // A tail without requests, of a history with requests before it, is no failure: the full
  // read's trials would have had them.
  const held = extend && ev.status !== 'error' && tr.status === 'no-data' && previous.firstTrialsT < from;
  if (failure !== null && !held) return { failure };
  const joined = joinCounts(ev, tr, segmentBy, null).get(segmentBy === undefined ? AGGREGATE : segment) ?? [];
  const points = extend ? extendPoints(previous, from, joined) : joined;
  const firstTrialsT = extend && previous.firstTrialsT < from ? previous.firstTrialsT : firstSampleT(tr);
  return { points, history: () => lookHistory(key, end, firstTrialsT, points) };
}

/** The steps the gate judges: without a recognised cold start, and, for latency, without load surges. */
function usablePoints(input: OnsetInput, points: readonly CountInterval[], stepMs: number): CountInterval[] {
  const { contract, signal, watch } = input;
  // A recognised cold start is excluded, as in the evaluation: a cold start is no onset.
  const skipUntil = watch.coldStart === true ? watch.coldStartEndsAt : watch.deployAt;
  const judged = points.filter((p) => p.t <= watch.deployAt || p.t - stepMs >= skipUntil);
  // A surge is no onset of slow requests either: a latency signal's surge steps are left out as
  // its test holds them (load-surge.ts). Otherwise a surge that began minutes before the deploy,
  // and slowed requests as surges do, read as the start of a latency fault that began at the
  // deploy, which was routed as an incident (docs/statistics.md, "Surges that straddle the
  // deploy"). Error signals keep every step, as their test and the baseline health check do.
  return kindOf(signal).counts?.loadConditioned
    ? withoutSurges(
        judged,
        watch.baseline?.signals[signal.id]?.load,
        Math.round(SURGE_DRAIN_SECONDS / contract.stepSeconds),
      )
    : judged;
}

/** The gate's answer on the look's usable steps ({@link usablePoints} of {@link readHistory}'s counts). */
function judgeHistory(
  input: OnsetInput,
  usable: CountInterval[],
  start: number,
  end: number,
  stepMs: number,
  episode: Episode | undefined,
  health: SignalBaseline['health'],
): OnsetFinding {
  const { contract, signal, watch, segment } = input;
  const previous = input.trend;
  if (
    previous !== undefined &&
    previous.signal === signal.id &&
    (previous.segment ?? AGGREGATE) === segment
  ) {
    return lookAgain(input, usable, previous);
  }
  const estimate = estimateOnset(usable);
  const onsetAt = estimate.onsetT;
  const support = estimate.onsetRange;
  // Pre-existing only when every onset the data supports (the likelihood support set, not just
  // the best estimate) lies before the deploy: at low traffic a change point is uncertain by
  // several intervals, and that uncertainty must not turn a deploy fault into an incident.
  const supportBefore = estimate.significant && support !== null && support.latestT <= watch.deployAt;
  const supportAfter = estimate.significant && support !== null && support.earliestT > watch.deployAt;
  const rel = onsetAt === null ? '' : describeOffset(onsetAt, watch.deployAt);
  const found = estimate.significant
    ? `${signal.id}${segment ? ` [${segment}]` : ''}: rate rose from ${pct(estimate.rateBefore)} to ${pct(estimate.rateAfter)} ${rel}`
    : `${signal.id}: no significant change point in the ${Math.round((end - start) / 60_000)} min around the deploy`;
  const base = { status: 'ok' as const, onsetAt, deployAt: watch.deployAt, method: 'change-point' as const };
  // An episode still going at the deploy explains the breach only up to its own rate: a rate
  // since the deploy far above it is a second change, at the deploy (a fault on top of an
  // incident or of a load surge that began before it), and a rollback can undo that part.
  const worse = episode?.ongoing === true ? worseSinceDeploy(usable, episode.startT, watch.deployAt) : null;
  if (worse !== null) {
    return { ...base, preexisting: false, reason: `${found}; ${worse}` };
  }
  // A drift's rise (a slow trend) reads to the health check as an episode still going at the
  // deploy, or to the change point as an onset before it; a fault that arrives with the deploy
  // is a step at the deploy on top of that trend. Where the gate would route the breach (or call
  // its onset ambiguous) and the pre-deploy rise is one a drift can make, the rate since the
  // deploy must stay within what that rise reaches by then ({@link stepOverTrend}).
  const ambiguity = ambiguousOnset(usable, estimate, watch.deployAt);
  const routes = !supportAfter && (supportBefore || episode?.ongoing === true || ambiguity !== null);
  const drifting = routes ? driftingRise(usable, estimate, episode, watch, stepMs, signal.id) : null;
  const step =
    drifting === null
      ? null
      : stepOverClimb(usable, drifting.fromT, drifting.windowFrom, watch.deployAt, drifting.dispersion);
  if (step !== null) {
    const stepped: OnsetFinding = { ...base, preexisting: false, reason: `${found}; ${step}` };
    STEPPED.add(stepped);
    return stepped;
  }
  // The baseline health check saw the rate elevated up to the deploy, on pre-deploy data alone:
  // the breach is that incident, unless the data place this onset after the deploy.
  const ongoing = episode?.ongoing === true && !supportAfter;
  // The support set is drawn with the rate after the onset estimated from the same data, the
  // pre-deploy requests included: at low traffic two failures in the last two steps before the
  // deploy (a few requests) place a deploy fault's onset "before" it. The placement stands only
  // when the pre-deploy data alone show the rise: a scan of every onset with the rest of the
  // window to the deploy ({@link preDeployRise}); otherwise the onset lies within its own
  // uncertainty of the deploy, and it is ambiguous.
  const uncertain = supportBefore && !ongoing ? preDeployRise(usable, watch.deployAt) : null;
  const route = contract.validation.ambiguousOnset === 'route-incident';
  // Where the gate would route and the window drifts or climbs, the bake standing within the
  // trend carried forward (no step above) is what the trend explains: keep baking and look again
  // (docs/statistics.md, "Climbs routed as incidents"). A fault that begins later must show as a
  // step over the same trend at a later look; the policy's roll-back answer is left as it was.
  const wouldRoute = (supportBefore && uncertain === null) || ongoing || route;
  const climbFrom =
    wouldRoute && drifting !== null ? climbingWindow(usable, drifting, watch.deployAt, stepMs) : null;
  if (drifting !== null && climbFrom !== null) {
    return explainedFinding(input, base, found, drifting.fromT, climbFrom, 1);
  }
  if ((supportBefore && uncertain === null) || ongoing) {
    return {
      ...base,
      preexisting: true,
      reason: ongoing && !supportBefore && health ? `${health.reason}; ${found}` : found,
    };
  }
  const policy = `policy: ${route ? 'route an incident, do not roll back' : 'roll back'}`;
  if (uncertain !== null) {
    return {
      ...base,
      preexisting: route,
      ambiguous: true,
      reason: `onset ambiguous: ${found}, but the data before the deploy alone do not show the rise (${uncertain}): the onset lies within its own uncertainty of the deploy; ${policy}`,
    };
  }
  if (ambiguity !== null) {
    return {
      ...base,
      preexisting: route,
      ambiguous: true,
      reason: `onset ambiguous: ${found}, but the onsets the data support run from ${describeOffset(ambiguity.earliestT, watch.deployAt)} to ${describeOffset(ambiguity.latestT, watch.deployAt)}, and the rate was already up before the deploy (${ambiguity.detail}); ${policy}`,
    };
  }
  const unplaced: OnsetFinding = { ...base, preexisting: false, reason: found };
  UNPLACED.add(unplaced);
  return unplaced;
}

/**
 * A latency breach whose onset the gate could not place before the deploy, read again at a
 * lower threshold: the highest bucket bound at or below the pre-deploy window's p90
 * (SHIFT_QUANTILE) and below the breach's threshold. A latency incident that climbs (a
 * dependency degrading) slows the whole distribution from its start, but the share of requests
 * over the p99 bucket moves only once the climb is well under way, often minutes after the
 * deploy: there the change point lands in the climb's middle, after the deploy, and the breach
 * was rolled back (docs/statistics.md, "Incidents that climb through the deploy"). At the p90
 * bucket the share moves from ~10% as soon as the climb begins, with ten times the events. The
 * breach is routed as an incident when, at that bound, (1) the change point is significant and
 * its whole support set lies before the deploy (as the gate's own placement), (2) the counts up
 * to the deploy alone show the rise ({@link preDeployRise}), and (3) the rate since the deploy
 * shows no step over the rise's trend carried forward ({@link stepOverTrend}, dispersion 1): a
 * fault that arrives with the deploy on top of a slow rise is a step there. Each check is at
 * 0.01 on the lower bound's counts, so a fault at the deploy on a clean window passes (1) and
 * (2) together at most 0.01 of the time. Null when the look does not apply or does not place
 * the onset before the deploy; otherwise the finding that routes.
 */
async function climbBelow(
  input: OnsetInput,
  judged: OnsetFinding,
  threshold: number,
  start: number,
  end: number,
  stepMs: number,
): Promise<OnsetFinding | null> {
  const { contract, signal, watch, reader, ctx } = input;
  if (signal.queries?.events || kindOf(signal).counts?.events !== 'latency-exceedances') return null;
  const baselineMs = contract.baselineSeconds * 1000;
  const quantile = await reader(
    signal,
    {
      query: { measure: 'latency-quantile', selector: signal.selector, quantile: SHIFT_QUANTILE },
      start: watch.deployAt,
      end: watch.deployAt,
      stepMs: baselineMs,
    },
    ctx,
  );
  const p90 =
    quantile.status === 'ok'
      ? (quantile.series
          .flatMap((x) => x.samples)
          .sort((a, b) => a.t - b.t)
          .at(-1)?.v ?? null)
      : null;
  if (p90 === null || !(p90 > 0)) return null;
  let bound: number | null = null;
  for (const b of contract.latencyBucketsMs) {
    if (b > 0 && b <= p90 && b < threshold && (bound === null || b > bound)) bound = b;
  }
  const events = bound === null ? null : eventsQuery(signal, bound);
  if (bound === null || events === null) return null;
  const range = { start, end, stepMs };
  const [ev, tr] = await Promise.all([
    reader(signal, { query: events, ...range }, ctx),
    reader(signal, { query: trialsQuery(signal), ...range }, ctx),
  ]);
  if (firstFailure(ev, tr) !== null) return null;
  const points = usablePoints(input, joinCounts(ev, tr, undefined, null).get(AGGREGATE) ?? [], stepMs);
  const deployAt = watch.deployAt;
  // Both readings below need the data across the deploy: steps left out (a load surge's, a cold
  // start's) leave a gap that a placement before the deploy or a ramp can bridge to any level, so
  // "it goes on along that rise" holds only where the steps around the deploy were judged.
  if (!seenAroundDeploy(points, deployAt, stepMs)) return null;
  const estimate = estimateOnset(points);
  const support = estimate.onsetRange;
  // (a) The gate's own placement at this bound: a step whose whole support set lies before the
  // deploy, a rise the pre-deploy counts alone show, and no step at the deploy over its trend.
  const stepPlaced =
    estimate.significant &&
    estimate.onsetT !== null &&
    support !== null &&
    support.latestT <= deployAt &&
    preDeployRise(points, deployAt) === null &&
    stepOverTrend(points, estimate.onsetT - stepMs, deployAt, 1) === null;
  // (b) A climb, continuous at the deploy, likelier by CLIMB_RATIO than every onset at or after
  // it (a step or a climb from the base rate there), and no step at the deploy over its trend.
  const ramp = stepPlaced ? null : placedClimb(points, deployAt, stepMs);
  const climbPlaced = ramp !== null;
  if (!stepPlaced && !climbPlaced) return null;
  const since = points.filter((q) => q.t > deployAt);
  const e = since.reduce((a, q) => a + q.events, 0);
  const n = since.reduce((a, q) => a + q.trials, 0);
  const where =
    stepPlaced && support !== null
      ? `the rate rose from ${pct(estimate.rateBefore)} to ${pct(estimate.rateAfter)} ${describeOffset(estimate.onsetT as number, deployAt)} (every onset the data support from ${describeOffset(support.earliestT, deployAt)} to ${describeOffset(support.latestT, deployAt)})`
      : `the rate climbs from ${pct(ramp?.before?.rateBefore ?? 0)} since ${describeOffset(ramp?.before?.startT ?? deployAt, deployAt)}, ${Number(Math.exp(ramp?.logLikelihoodRatio ?? 0).toPrecision(3))} times likelier than a step or a climb from the deploy on`;
  return {
    ...judged,
    preexisting: true,
    onsetAt: stepPlaced ? estimate.onsetT : (ramp?.before?.startT ?? null),
    reason: `${judged.reason}; but slower than ${bound} ms (the window's p90 bucket) ${where}, and since the deploy (${pct(n > 0 ? e / n : 0)} of ${Math.round(n)}) it goes on along that rise with no step at the deploy: a latency climb under way at the deploy, which reaches the breach's threshold later`,
  };
}

/**
 * A climb under way at the deploy, placed by the ramp comparison ({@link compareRampOnsets}): the
 * best ramp whose climb began before the deploy is at least CLIMB_RATIO times likelier than every
 * step or climb from the deploy on, the rate since the deploy shows no step over the rise's trend
 * carried forward ({@link stepOverTrend}, dispersion 1) and no stretch of the bake stands above
 * the fitted climb ({@link stepOverRamp}). Null otherwise; else the comparison.
 */
export function placedClimb(
  points: readonly Counts[],
  deployAt: number,
  stepMs: number,
): (RampOnsetComparison & { readonly before: RampFit }) | null {
  const ramp = compareRampOnsets(points, { stepMs, referenceT: deployAt });
  const before = ramp.before;
  if (
    before === null ||
    !(ramp.logLikelihoodRatio >= Math.log(CLIMB_RATIO)) ||
    stepOverTrend(points, before.startT, deployAt, 1) !== null ||
    stepOverRamp(points, before, deployAt, stepMs)
  ) {
    return null;
  }
  return { ...ramp, before };
}

/**
 * Whether at least half the steps within CLIMB_GAP_MS of the deploy, on either side, are judged:
 * steps the gate leaves out (a load surge's, a cold start's) leave a gap that a ramp bridges to
 * any level.
 */
function seenAroundDeploy(points: readonly Counts[], deployAt: number, stepMs: number): boolean {
  const around = points.filter((q) => Math.abs(q.t - deployAt) < CLIMB_GAP_MS).length;
  return around >= CLIMB_GAP_MS / stepMs;
}

/** The gate's answer rolls the release back (no incident, no trend explaining it, no ambiguity). */
function rollsBack(finding: OnsetFinding): boolean {
  return (
    finding.status === 'ok' &&
    !finding.preexisting &&
    finding.explained === undefined &&
    finding.ambiguous !== true
  );
}

/**
 * An error-rate breach the gate would roll back, whose own counts show a climb under way at the
 * deploy (issue 12 class 6, round 23; docs/statistics.md, "An error climb read as a step"): the
 * ramp comparison places it ({@link placedClimb}: a climb that began before the deploy at least
 * CLIMB_RATIO times likelier than every step or climb from the deploy on, no step over the rise's
 * trend at the deploy, no stretch of the bake above the fitted climb), on the data around the
 * deploy seen, and the climb began at least CLIMB_GAP_MS before the deploy. An error climb (a
 * dependency degrading) goes on rising through the bake, linearly, and the gate's step tests
 * read that rise as a step: twice an ongoing episode's rate since the
 * deploy ({@link worseSinceDeploy}; the episode's rate is the climb's average before the deploy),
 * or a step over a log-linear trend fitted through the bake (a linear climb is concave in log
 * rate, {@link lookAgain}). A fault that arrives with the deploy is a step there or a climb from
 * the base rate at it, which the comparison favours. Null when it does not route; else the finding
 * that routes.
 */
function errorClimbUnderWay(
  input: OnsetInput,
  finding: OnsetFinding,
  points: readonly Counts[],
  stepMs: number,
): OnsetFinding | null {
  const deployAt = input.watch.deployAt;
  if (!seenAroundDeploy(points, deployAt, stepMs)) return null;
  const ramp = placedClimb(points, deployAt, stepMs);
  // A climb placed only by the last minute before the deploy lies within the onset's own
  // uncertainty of it (a deploy fault's first failures, a blip just before it), and its trend
  // before the deploy is too short to test a step at the deploy against.
  if (ramp === null || ramp.before.startT > deployAt - CLIMB_GAP_MS) return null;
  const since = points.filter((q) => q.t > deployAt);
  const e = since.reduce((a, q) => a + q.events, 0);
  const n = since.reduce((a, q) => a + q.trials, 0);
  return {
    ...finding,
    preexisting: true,
    onsetAt: ramp.before.startT,
    reason: `${finding.reason}; but the rate climbs from ${pct(ramp.before.rateBefore)} since ${describeOffset(ramp.before.startT, deployAt)}, ${Number(Math.exp(ramp.logLikelihoodRatio).toPrecision(3))} times likelier than a step or a climb from the deploy on, and since the deploy (${pct(n > 0 ? e / n : 0)} of ${Math.round(n)}) it goes on along that climb with no step over it: an error climb under way at the deploy, not a change the deploy made`,
  };
}

/**
 * Whether the bake holds a step over the fitted climb (`fit`, from {@link compareRampOnsets}):
 * for each stretch from a step after the deploy to the newest, its events against the climb's
 * expected ones (its requests times the ramp's rate at each step), a one-sided exact binomial
 * test at the expected share, times the number of stretches (Bonferroni), at STEP_LEVEL. A load
 * surge's slow requests before the deploy fit as a short climb to a plateau; a fault that
 * arrives minutes into the bake is then a step over that plateau, which the trend carried
 * forward from the rise (steep: a surge's) can still explain.
 */
export function stepOverRamp(
  points: readonly Counts[],
  fit: RampFit,
  deployAt: number,
  stepMs: number,
): boolean {
  const after = points.filter((q) => q.t > deployAt && q.trials > 0);
  const s = Math.round((fit.startT - deployAt) / stepMs);
  let events = 0;
  let trials = 0;
  let expected = 0;
  for (let i = after.length - 1; i >= 0; i--) {
    const q = after[i] as Counts;
    const k = Math.round((q.t - deployAt) / stepMs);
    const w = Math.min(1, Math.max(0, (k - s) / fit.steps));
    events += q.events;
    trials += q.trials;
    expected += q.trials * (fit.rateBefore + (fit.rateAfter - fit.rateBefore) * w);
    if (!(events > 0) || !(expected < trials)) continue;
    if (binomialUpperTail(events, trials, expected / trials) * after.length <= STEP_LEVEL) return true;
  }
  return false;
}

/**
 * The look below the tail applies only where at least half the steps within this much of the
 * deploy, on either side, are judged.
 */
const CLIMB_GAP_MS = 60_000;

/** How much likelier a climb under way at the deploy must be than every onset at or after it (as the support set's 1/alpha). */
export const CLIMB_RATIO = 100;

/** The gate's rollbacks on an onset it did not place before the deploy (no second change, no trend, no ambiguity). */
const UNPLACED = new WeakSet<OnsetFinding>();

/**
 * The gate's rollbacks on a step at the deploy over a drifting window's trend ({@link
 * stepOverClimb}): the test made for a fault on a drifting baseline has placed a step there, and
 * a ramp fitted from further back, which carries the step in its slope, does not undo it
 * ({@link errorClimbUnderWay}; found on `drift-bad`: a 2x fault 10 s into the bake on an error
 * rate rising with its drift, p = 0.0084 over the trend, was routed as a climb under way).
 */
const STEPPED = new WeakSet<OnsetFinding>();

/** Level of the check that the data before the deploy alone show the rise. */
const PLACEMENT_LEVEL = 0.01;

/**
 * Whether the counts up to the deploy alone show a rise that runs to the deploy: the single
 * change point of {@link estimateOnset} on them (every onset scanned, its exact conditional
 * p-value times their number), at PLACEMENT_LEVEL. Returns null when they do, else the reason
 * they do not (the scan's p-value and the requests since its best onset).
 */
export function preDeployRise(
  points: readonly { readonly t: number; readonly events: number; readonly trials: number }[],
  deployAt: number,
): string | null {
  const before = points.filter((q) => q.t <= deployAt);
  const scan = estimateOnset(before, { alpha: PLACEMENT_LEVEL });
  if (scan.significant) return null;
  const since = scan.onsetT === null ? [] : before.filter((q) => q.t >= (scan.onsetT as number));
  const events = since.reduce((a, q) => a + q.events, 0);
  const trials = since.reduce((a, q) => a + q.trials, 0);
  const where =
    scan.onsetT === null
      ? 'no rise'
      : `${Math.round(events)} of ${Math.round(trials)} requests since ${describeOffset(scan.onsetT, deployAt)}`;
  return `${where}, p = ${scan.pValue.toPrecision(2)} over ${Math.max(0, before.length - 1)} onsets scanned`;
}

/** One step's counts, at its time `t` (epoch ms). */
type Counts = { readonly t: number; readonly events: number; readonly trials: number };

/** How many times the ongoing episode's rate the rate since the deploy must exceed... */
export const WORSE_RATIO = 2;
/** ...beyond chance, at this level, to be a second change at the deploy. */
const WORSE_LEVEL = 0.001;

/**
 * Whether the rate since some step after the deploy is more than {@link WORSE_RATIO} times the
 * rate of a baseline episode still going at the deploy (from `episodeStartT`, exclusive, to the
 * deploy), beyond chance. For each stretch from a step after the deploy to the newest one: given
 * the events of the episode and of the stretch, those of the stretch are (Poisson counts)
 * Binomial(total, R n_stretch / (R n_stretch + n_episode)) when its rate is R times the
 * episode's; the one-sided exact test's p-value, times the number of stretches scanned
 * (Bonferroni: the stretch is chosen from the data), must be at most {@link WORSE_LEVEL}. An
 * incident that simply persists keeps its rate and passes at most WORSE_LEVEL of the time; one
 * that recovers lowers it. A fault that starts minutes into the bake shows in the stretch from
 * its start, not diluted by the quiet minutes before it. Returns the reason text, or null.
 */
export function worseSinceDeploy(
  points: readonly Counts[],
  episodeStartT: number,
  deployAt: number,
): string | null {
  let episodeEvents = 0;
  let episodeTrials = 0;
  const after: Counts[] = [];
  for (const q of points) {
    if (q.t > episodeStartT && q.t <= deployAt) {
      episodeEvents += q.events;
      episodeTrials += q.trials;
    } else if (q.t > deployAt && q.trials > 0) after.push(q);
  }
  if (!(episodeTrials > 0) || after.length === 0) return null;
  // A stretch at R times the episode's rate: its requests weigh R each against the episode's.
  const best = mostElevatedStretch(
    after,
    deployAt,
    episodeEvents,
    episodeTrials,
    (q) => WORSE_RATIO * q.trials,
  );
  if (best === null || !(best.p <= WORSE_LEVEL)) return null;
  return `but the rate since ${describeOffset(best.fromT, deployAt)} (${pct(best.events / best.trials)} of ${Math.round(best.trials)}) is more than ${WORSE_RATIO}x the rate of the episode still going at the deploy (${pct(episodeEvents / episodeTrials)} of ${Math.round(episodeTrials)}), p = ${best.p.toPrecision(2)} over ${after.length} stretches: the deploy made it worse`;
}

/** A stretch from a step after the deploy to the newest: its counts, its weight, where it starts. */
type Stretch = {
  readonly p: number;
  readonly events: number;
  readonly trials: number;
  readonly weight: number;
  readonly fromT: number;
};

/**
 * The stretch from some step after the deploy to the newest whose events stand most above their
 * share, for {@link worseSinceDeploy} and {@link stepOverTrend}: given the `priorEvents` before
 * the deploy and a stretch's, the stretch's are Binomial(total, w / (w + priorWeight)) under the
 * null, w its requests weighed by `weigh`, the counts divided by the dispersion `phi`; its
 * one-sided exact p-value times the number of stretches (Bonferroni: the stretch is chosen from
 * the data). `after` holds the steps after the deploy with requests, oldest first. Null when no
 * stretch has events.
 */
function mostElevatedStretch(
  after: readonly Counts[],
  deployAt: number,
  priorEvents: number,
  priorWeight: number,
  weigh: (q: Counts) => number,
  phi = 1,
): Stretch | null {
  let events = 0;
  let trials = 0;
  let weight = 0;
  let best: Stretch | null = null;
  for (let i = after.length - 1; i >= 0; i--) {
    const q = after[i] as Counts;
    events += q.events;
    trials += q.trials;
    weight += weigh(q);
    if (!(events > 0)) continue;
    const share = weight / (weight + priorWeight);
    const p = binomialUpperTail(events / phi, (events + priorEvents) / phi, share) * after.length;
    // The stretch starts where the step before it ended (the deploy for the first).
    const fromT = i > 0 ? (after[i - 1] as Counts).t : deployAt;
    if (best === null || p < best.p) best = { p, events, trials, weight, fromT };
  }
  return best;
}

/** The rate since the deploy must exceed the pre-deploy trend's beyond chance at this level (Bonferroni over the stretches scanned) to be a step at the deploy. */
export const STEP_LEVEL = 0.01;
/** Where the data place no onset before the deploy, the trend is fitted on this much before it. */
const TREND_FALLBACK_MS = 5 * 60_000;

/**
 * The rise a breach the gate would route is judged on, where it is one a drift can make: from
 * the ongoing episode's start, else from the change point's onset when it lies before the
 * deploy, else over the last {@link TREND_FALLBACK_MS}; only a rise of at most
 * DRIFT_EPISODE_RATIO times the rate before it (what a drift's high reaches against its low;
 * incidents and previous releases are steps of 4x and more). `windowFrom` is set where the
 * baseline's drift estimate says the whole window drifts or climbs. Null when it does not apply.
 */
function driftingRise(
  points: readonly Counts[],
  estimate: ReturnType<typeof estimateOnset>,
  episode:
    | {
        readonly ongoing: boolean;
        readonly startT: number;
        readonly rate: number;
        readonly outsideRate: number;
      }
    | undefined,
  watch: WatchState,
  stepMs: number,
  signalId: string,
): { fromT: number; windowFrom: number | null; dispersion: number } | null {
  const deployAt = watch.deployAt;
  const onsetAt = estimate.onsetT;
  const fromT =
    episode?.ongoing === true
      ? episode.startT
      : estimate.significant && onsetAt !== null && onsetAt <= deployAt
        ? onsetAt - stepMs
        : deployAt - TREND_FALLBACK_MS;
  const rise =
    episode?.ongoing === true ? episode.rate / episode.outsideRate : ratioOfRise(points, fromT, deployAt);
  if (!(rise <= DRIFT_EPISODE_RATIO)) return null;
  const baseline = watch.baseline?.signals[signalId];
  const windowFrom = baseline?.drift === undefined ? null : (points[0]?.t ?? deployAt) - stepMs;
  return { fromT, windowFrom, dispersion: baseline?.dispersion ?? 1 };
}

/**
 * Where the whole window drifts or climbs, the start of its trend (exclusive); null where it
 * does not. The baseline's drift estimate says so (baseline-drift.ts), but it is measured on the
 * window's healthy part, and a climb whose newest minutes the health check calls an episode
 * still going at the deploy is cut off there: the whole window up to the deploy, the rise
 * included, is then read by the same estimate ({@link estimateDrift}: the blocks' homogeneity,
 * or a rising trend across them, stats/drift.ts). Split at the change point, a climb's pieces
 * are too short to show their own slope (drift-trend-bad-dev-route14-34: z 0.6 and 1.2, the
 * whole window 4.5), so the window is read whole. A step of at most DRIFT_EPISODE_RATIO in an
 * otherwise flat window passes too; it is then judged through the bake and routed at its end.
 */
function climbingWindow(
  points: readonly Counts[],
  drifting: { readonly windowFrom: number | null; readonly dispersion: number },
  deployAt: number,
  stepMs: number,
): number | null {
  if (drifting.windowFrom !== null) return drifting.windowFrom;
  const before = points.filter((q) => q.t <= deployAt);
  const first = before[0];
  if (first === undefined) return null;
  const blocks = Math.floor((before.length * stepMs) / DRIFT_BLOCK_MS);
  return estimateDrift(before, blocks, drifting.dispersion).spread > 0 ? first.t - stepMs : null;
}

/**
 * The level of the step test at the gate's `look`-th look at one breach the trend explains: the
 * first look at STEP_LEVEL (as every gate answer before the repeated looks), the k-th after it at
 * STEP_LEVEL / (k (k - 1)). These sum to STEP_LEVEL over any number of looks (1/(k(k-1)) =
 * 1/(k-1) - 1/k telescopes), so a healthy climb looked at every step until the bake ends spends
 * at most 2 x STEP_LEVEL on false steps in all, however long the bake (with the slope
 * allowance's 0.005 on the repeated looks).
 */
export function trendLookLevel(look: number): number {
  return look <= 1 ? STEP_LEVEL : STEP_LEVEL / (look * (look - 1));
}

/** The answer "the trend explains the breach: keep baking", at look `look`. */
function explainedFinding(
  input: OnsetInput,
  base: Pick<OnsetFinding, 'status' | 'onsetAt' | 'deployAt' | 'method'>,
  found: string,
  fromT: number,
  windowFrom: number,
  look: number,
): OnsetFinding {
  const level = trendLookLevel(look);
  const segment = input.segment === AGGREGATE ? {} : { segment: input.segment };
  const deployAt = input.watch.deployAt;
  return {
    ...base,
    preexisting: false,
    explained: { signal: input.signal.id, ...segment, look, level, fromT, windowFrom },
    reason: `the trend explains the breach: ${found}; the window climbs, and the rate since the deploy shows no step over its trend from ${describeOffset(fromT, deployAt)} or over the window's climb (at ${Number(level.toPrecision(2))}, look ${look}): keep baking`,
  };
}

/**
 * A repeated look at a breach the trend explained at the previous look: the same rise (from
 * `previous.fromT`) and window, their trends now fitted through the bake
 * ({@link stepOverFittedClimb}), at this look's level ({@link trendLookLevel}). A step over both
 * is the deploy's (a fault that began later in the bake): roll back; otherwise the trend still
 * explains the breach.
 */
function lookAgain(input: OnsetInput, points: readonly Counts[], previous: TrendLook): OnsetFinding {
  const { watch, signal } = input;
  const look = previous.look + 1;
  const level = trendLookLevel(look);
  const dispersion = watch.baseline?.signals[signal.id]?.dispersion ?? 1;
  const step = stepOverFittedClimb(
    points,
    previous.fromT,
    previous.windowFrom,
    watch.deployAt,
    dispersion,
    level,
  );
  const base = {
    status: 'ok' as const,
    onsetAt: null,
    deployAt: watch.deployAt,
    method: 'change-point' as const,
  };
  const found = `${signal.id}${input.segment === AGGREGATE ? '' : ` [${input.segment}]`}: the breach the trend explained at ${previous.look === 1 ? 'look 1' : `looks 1-${previous.look}`}`;
  if (step !== null) {
    return {
      ...base,
      preexisting: false,
      reason: `${found}, ${step} (look ${look}, level ${Number(level.toPrecision(2))})`,
    };
  }
  return explainedFinding(input, base, found, previous.fromT, previous.windowFrom, look);
}

/**
 * {@link stepOverTrend} on the rise from `fromT`, and, where the window drifts or climbs
 * (`windowFrom` set: the baseline's drift estimate, baseline-drift.ts), on the whole window's
 * trend from `windowFrom` as well: a step only when the bake stands above both carried forward
 * (docs/statistics.md, "Climbs routed as incidents"). The rise a change point finds inside a
 * climbing window is a piece of that climb; fitted alone it can be flatter than the climb (a
 * plateau, a noisy few minutes), and the climb's continuation into the bake then reads as a
 * step at the deploy, a false rollback where the gate would have routed. Returns the step
 * test's reason on the rise, or null.
 */
export function stepOverClimb(
  points: readonly Counts[],
  fromT: number,
  windowFrom: number | null,
  deployAt: number,
  dispersion = 1,
): string | null {
  const step = stepOverTrend(points, fromT, deployAt, dispersion);
  if (step === null || windowFrom === null || !(windowFrom < fromT)) return step;
  return stepOverTrend(points, windowFrom, deployAt, dispersion) === null ? null : step;
}

/**
 * The repeated looks' step test (docs/statistics.md, "Climbs routed as incidents"): a step up
 * after the deploy on top of the trend fitted through the bake ({@link stepOnTrend}), at `level`,
 * on the rise from `fromT` and on the whole window's climb from `windowFrom`; a step only where
 * both find one (the rise alone can be flatter than the climb, the climb than a recent rise, as
 * at the first look). The trend's slope is estimated with the bake's data, so it is not carried
 * forward with an error that grows with the bake, as {@link stepOverTrend}'s is. Returns the
 * reason text on the rise, or null.
 */
export function stepOverFittedClimb(
  points: readonly Counts[],
  fromT: number,
  windowFrom: number,
  deployAt: number,
  dispersion: number,
  level: number,
): string | null {
  const rise = stepOnTrend(
    points.filter((q) => q.t > fromT),
    deployAt,
    dispersion,
    level,
  );
  if (rise === null || !(rise.p <= level)) return null;
  if (windowFrom < fromT) {
    const climb = stepOnTrend(
      points.filter((q) => q.t > windowFrom),
      deployAt,
      dispersion,
      level,
    );
    if (climb === null || !(climb.p <= level)) return null;
  }
  const since = rise.fromT === deployAt ? 'the deploy' : describeOffset(rise.fromT, deployAt);
  return `but the rate since ${since} (${pct(rise.events / rise.trials)} of ${Math.round(rise.trials)}) stands above the trend fitted from ${describeOffset(fromT, deployAt)} through the bake (${pct(rise.expected / rise.trials)}, rising ${Number((rise.perMinute * 100).toPrecision(2))}% a minute), p = ${rise.p.toPrecision(2)}: a step after the deploy on top of the trend`;
}

/**
 * How far the level rose: the rate from `fromT` (exclusive) to the deploy over the rate up to
 * `fromT`. Infinite when there is nothing before `fromT` to compare with or it held no events
 * (a step from nothing is no drift).
 */
export function ratioOfRise(points: readonly Counts[], fromT: number, deployAt: number): number {
  let e0 = 0;
  let n0 = 0;
  let e1 = 0;
  let n1 = 0;
  for (const q of points) {
    if (q.t <= fromT) {
      e0 += q.events;
      n0 += q.trials;
    } else if (q.t <= deployAt) {
      e1 += q.events;
      n1 += q.trials;
    }
  }
  if (!(n0 > 0 && n1 > 0 && e0 > 0)) return Number.POSITIVE_INFINITY;
  return e1 / n1 / (e0 / n0);
}

/**
 * Whether the rate since some step after the deploy is above what the pre-deploy rise reaches by
 * then (docs/statistics.md, "A step at the deploy on a drifting baseline"): a log-linear trend
 * fitted on the counts from `fromT` (exclusive) to the deploy, rising or flat, never falling
 * ({@link fitRateTrend} with a floor of 0 on the slope), extrapolated over the bake. Given the
 * events of the rise and of a stretch from a step after the deploy to the newest, those of the
 * stretch are Binomial(total, S_stretch / (S_stretch + S_rise)) if it continues the trend, with S
 * the requests weighed by the trend's shape (its level cancels) and the counts divided by the
 * window's dispersion `phi`; the one-sided exact p-value times the number of stretches
 * (Bonferroni: the stretch is chosen from the data), at STEP_LEVEL. A drift continues its rise
 * into the bake and passes; a fault that arrives with the deploy is a step at it. Returns the
 * reason text, or null.
 */
export function stepOverTrend(
  points: readonly Counts[],
  fromT: number,
  deployAt: number,
  dispersion = 1,
): string | null {
  const rise = points.filter((q) => q.t > fromT && q.t <= deployAt && q.trials > 0);
  const after = points.filter((q) => q.t > deployAt && q.trials > 0);
  if (rise.length < 2 || after.length === 0) return null;
  const trend = fitRateTrend(rise, deployAt, 0);
  if (trend === null) return null;
  const weigh = (q: Counts) => q.trials * Math.exp(trend.slope * (q.t - deployAt));
  let riseEvents = 0;
  let riseTrials = 0;
  let riseWeight = 0;
  for (const q of rise) {
    riseEvents += q.events;
    riseTrials += q.trials;
    riseWeight += weigh(q);
  }
  const best = mostElevatedStretch(after, deployAt, riseEvents, riseWeight, weigh, Math.max(1, dispersion));
  if (best === null || !(best.p <= STEP_LEVEL)) return null;
  const reached = (riseEvents / riseWeight) * (best.weight / best.trials);
  const perMinute = Math.expm1(trend.slope * 60_000);
  const since = best.fromT === deployAt ? 'the deploy' : describeOffset(best.fromT, deployAt);
  return `but the rate since ${since} (${pct(best.events / best.trials)} of ${Math.round(best.trials)}) is above what the rise before the deploy reaches by then (${pct(reached)}; ${pct(riseEvents / riseTrials)} of ${Math.round(riseTrials)} since ${describeOffset(fromT, deployAt)}, rising ${Number((perMinute * 100).toPrecision(2))}% a minute), p = ${best.p.toPrecision(2)} over ${after.length} stretches: a step at the deploy on top of the trend`;
}

/** Level of the check that the rate was already up before the deploy, for ambiguity. */
const AMBIGUITY_LEVEL = 0.01;
/**
 * The stretches before the deploy that the check reads (1, 2 and 5 minutes): an incident that
 * began that long before the deploy fills one of them.
 */
const AMBIGUITY_WINDOWS_MS = [60_000, 120_000, 300_000] as const;

/**
 * An onset the data cannot place: the support set spans the deploy, the last 1, 2 or 5 minutes
 * before the deploy already hold more events than the rate before them allows (one-sided exact
 * binomial tests, Bonferroni over the three, at AMBIGUITY_LEVEL), and they are not clearly below the rate
 * after the deploy (the same test, the other way). A fault that starts at the deploy passes the
 * first test only by chance (at most AMBIGUITY_LEVEL of the time), and a small pre-deploy blip
 * under a much larger breach fails the second (against the rate after the most likely onset);
 * an incident that began just before the deploy,
 * at a traffic too low to locate it, passes both: its rate before the deploy is its rate after.
 */
function ambiguousOnset(
  points: readonly { readonly t: number; readonly events: number; readonly trials: number }[],
  estimate: ReturnType<typeof estimateOnset>,
  deployAt: number,
): { earliestT: number; latestT: number; detail: string } | null {
  const range = estimate.onsetRange;
  if (!estimate.significant || range === null || range.earliestT > deployAt || range.latestT <= deployAt) {
    return null;
  }
  // Fixed stretches before the deploy, not one the data chose (a stretch ending at the most
  // likely onset would hold a chance excess by construction); the best of them, Bonferroni.
  const after = Math.min(1, Math.max(0, estimate.rateAfter));
  let best: { p: number; events: number; trials: number; rate: number; minutes: number } | null = null;
  for (const windowMs of AMBIGUITY_WINDOWS_MS) {
    const from = deployAt - windowMs;
    let events = 0;
    let trials = 0;
    let beforeEvents = 0;
    let beforeTrials = 0;
    for (const q of points) {
      if (q.t > from && q.t <= deployAt) {
        events += q.events;
        trials += q.trials;
      } else if (q.t <= from) {
        beforeEvents += q.events;
        beforeTrials += q.trials;
      }
    }
    if (!(trials > 0) || !(beforeTrials > 0) || !(events > 0)) continue;
    // The rate before the stretch, with half an event so a clean history is not a zero rate.
    const rate = Math.min(1, (beforeEvents + 0.5) / (beforeTrials + 1));
    const p = Math.min(1, binomialUpperTail(events, trials, rate) * AMBIGUITY_WINDOWS_MS.length);
    if (!(p <= AMBIGUITY_LEVEL)) continue;
    // Was the breach's own rate (after the most likely onset) already there? If the stretch is
    // clearly below it, the regime that breached began after the deploy.
    if (after > 0 && 1 - binomialUpperTail(events + 1, trials, after) <= AMBIGUITY_LEVEL) continue;
    if (best === null || p < best.p) best = { p, events, trials, rate, minutes: windowMs / 60_000 };
  }
  if (best === null) return null;
  return {
    earliestT: range.earliestT,
    latestT: range.latestT,
    detail: `${Math.round(best.events)} of ${Math.round(best.trials)} requests in the last ${best.minutes} min against ${pct(best.rate)} earlier, p = ${best.p.toPrecision(2)}`,
  };
}

async function runLength(input: OnsetInput): Promise<OnsetFinding> {
  const { contract, signal, watch, reader, ctx, now } = input;
  const stepMs = contract.stepSeconds * 1000;
  const query = valueQuery(signal);
  const rule = signal.rules.find((r) => r.type === 'health');
  const minReady = rule?.type === 'health' ? rule.minReady : 1;
  if (query === null) return unknown(input, 'run-length', 'the signal has no readiness query');
  const end = watch.deployAt + Math.floor((now - watch.deployAt) / stepMs) * stepMs;
  const start =
    watch.deployAt - Math.floor(Math.min(contract.baselineSeconds * 1000, 600_000) / stepMs) * stepMs;
  const read = await reader(signal, { query, start, end, stepMs }, ctx);
  if (read.status === 'error') return unknown(input, 'run-length', read.error.message, read.error.toJSON());
  const points = read.status === 'ok' ? read.series.flatMap((s) => s.samples).sort((a, b) => a.t - b.t) : [];
  let onsetAt: number | null = null;
  for (let i = points.length - 1; i >= 0; i--) {
    const p = points[i] as { t: number; v: number };
    if (p.v < minReady) onsetAt = p.t;
    else if (onsetAt !== null) break;
  }
  const preexisting = onsetAt !== null && onsetAt <= watch.deployAt;
  return {
    status: 'ok',
    preexisting,
    onsetAt,
    deployAt: watch.deployAt,
    method: 'run-length',
    reason:
      onsetAt === null
        ? `${signal.id}: readiness is not below ${minReady} in the history read`
        : `${signal.id}: readiness below ${minReady} since ${describeOffset(onsetAt, watch.deployAt)}`,
  };
}

async function preDeployWindow(input: OnsetInput, rule: Rule): Promise<OnsetFinding> {
  const { contract, signal, watch, reader, ctx } = input;
  const stepMs = contract.stepSeconds * 1000;
  const query = valueQuery(signal);
  if (query === null) return unknown(input, 'pre-deploy-window', 'the signal has no value query');
  const windowMs = signal.windowSeconds * 1000;
  const window = { start: watch.deployAt - windowMs, end: watch.deployAt };
  const read =
    kindOf(signal).value === 'window-quantile'
      ? await reader(signal, { query, start: watch.deployAt, end: watch.deployAt, stepMs: windowMs }, ctx)
      : await reader(signal, { query, start: window.start + stepMs, end: window.end, stepMs }, ctx);
  if (read.status === 'error')
    return unknown(input, 'pre-deploy-window', read.error.message, read.error.toJSON());
  const points = read.status === 'ok' ? read.series.flatMap((s) => s.samples).sort((a, b) => a.t - b.t) : [];
  const newest = points.at(-1);
  const baseValue = watch.baseline?.signals[signal.id]?.value ?? null;
  let breached = false;
  if (newest) {
    const value = {
      signal: signal.id,
      value: newest.v,
      samples: points.length,
      window,
      unit: unitOf(signal),
      domain: valueDomain(signal),
    };
    if (rule.type === 'static') breached = evaluateStaticRange(rule, value).status === 'breach';
    else if (rule.type === 'baseline-ratio')
      breached = evaluateBaselineRatio(rule, value, baseValue).status === 'breach';
    else if (rule.type === 'rate-of-change') {
      breached =
        evaluateRateOfChange(rule, {
          signal: signal.id,
          points,
          window,
          baseline: baseValue,
          unit: unitOf(signal),
          domain: valueDomain(signal),
        }).status === 'breach';
    }
  }
  return {
    status: 'ok',
    preexisting: breached,
    onsetAt: breached ? window.start : null,
    deployAt: watch.deployAt,
    method: 'pre-deploy-window',
    reason: breached
      ? `${signal.id}: the same ${rule.type} rule already breached in the ${Math.round(windowMs / 1000)} s before the deploy`
      : `${signal.id}: the ${rule.type} rule held in the ${Math.round(windowMs / 1000)} s before the deploy`,
  };
}

function firstFailure(...reads: ReadResult[]): { reason: string; error?: SerializedRollgateError } | null {
  for (const read of reads) {
    if (read.status === 'error') return { reason: read.error.message, error: read.error.toJSON() };
  }
  const trials = reads.at(-1);
  if (trials && trials.status === 'no-data') return { reason: `no request history: ${trials.reason}` };
  return null;
}

function unknown(
  input: OnsetInput,
  method: OnsetFinding['method'],
  reason: string,
  error?: SerializedRollgateError,
): OnsetFinding {
  return {
    status: 'unknown',
    preexisting: false,
    onsetAt: null,
    deployAt: input.watch.deployAt,
    method,
    reason: `cannot locate the breach onset of ${input.signal.id}: ${reason}`,
    ...(error === undefined ? {} : { error }),
  };
}

function describeOffset(t: number, deployAt: number): string {
  const s = Math.round((t - deployAt) / 1000);
  return s < 0 ? `${-s} s before the deploy` : s === 0 ? 'at the deploy' : `${s} s after the deploy`;
}

function pct(rate: number): string {
  return `${Number((rate * 100).toPrecision(3))}%`;
}
