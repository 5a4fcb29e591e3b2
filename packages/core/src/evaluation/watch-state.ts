import type { Contract } from '../contract/contract-schema';
import type { SequentialState } from '../rules/sequential-count';
import type { TimeWindow, Verdict, VerdictStatus } from '../rules/verdict';
import type { IncidentSeen } from './baseline-incident';

/** Events and trials of one step interval `(t - step, t]`: errors of requests, slow of all. */
export interface CountInterval {
  readonly t: number;
  readonly events: number;
  readonly trials: number;
  /** Latency, aggregate only: requests slower than the tail threshold (see SignalBaseline.tail). */
  readonly tail?: number;
  /**
   * Latency, aggregate, warm-up (and a recognised cold start's window) only: requests slower
   * than the cold-start bound (see SignalBaseline.coldStartBound).
   */
  readonly dense?: number;
}

/** Pre-deploy facts of one segment of a signal. */
export interface SegmentBaseline {
  readonly events: number | null;
  readonly trials: number | null;
  readonly value: number | null;
}

/** Pre-deploy facts of one signal. Taken once before the deploy; never updated afterwards. */
export interface SignalBaseline {
  readonly status: 'ok' | 'no-data' | 'error';
  readonly reason: string;
  /** Count totals over the baseline window (errors/requests, or exceedances/requests). */
  readonly events: number | null;
  readonly trials: number | null;
  /** The comparable value: rate, latency quantile (ms), resource level, ready fraction. */
  readonly value: number | null;
  /** Latency: the exceedance threshold L fixed before the deploy (a bucket bound, ms). */
  readonly exceedanceThresholdMs: number | null;
  /**
   * How much more the pre-deploy per-step counts varied than a binomial would (>= 1): bursty
   * services get sequential tests that do not read a burst as evidence.
   */
  readonly dispersion: number;
  /**
   * Count signals whose window drifts (its 5-min blocks vary beyond binomial noise): the relative
   * spread of its level, which the baseline test adds to the baseline's uncertainty, and what
   * showed it (baseline-drift.ts). Absent when the window shows no drift.
   */
  readonly drift?: {
    readonly spread: number;
    readonly blocks: number;
    readonly lowRate: number;
    readonly highRate: number;
    readonly pValue: number;
    /**
     * The counts of the window's last 5 minutes (up to the deploy, the health check's episode
     * included): the level a step at the deploy is judged against (stats/drift.ts
     * `stepAtDeployP`). Absent in baselines taken before it existed.
     */
    readonly end?: { readonly events: number; readonly trials: number };
  };
  readonly segments: Readonly<Record<string, SegmentBaseline>>;
  /**
   * Resources: the lowest and highest pre-deploy sample (a GC sawtooth's own range) and the
   * largest fall between two consecutive samples (a collection's drop; noise without one).
   */
  readonly envelope?: { readonly low: number; readonly high: number; readonly drop?: number };
  /**
   * Count signals: the traffic the baseline saw, in requests per step: the mean and the highest
   * one-minute mean. Steps far above it are a load the baseline never saw (see load-surge.ts).
   */
  readonly load?: {
    readonly meanPerStep: number;
    readonly highPerStep: number;
    readonly batchSteps?: number;
  };
  /**
   * Latency: the log-spread of the baseline's latency, `ln(p99 / p50) / 2.326` (a log-normal's
   * sigma), which says how much load may raise the share of slow requests (load-surge.ts).
   */
  readonly latencySpread?: number;
  /**
   * Latency: a second threshold deep in the tail (the next bucket bound at least 4/3 of
   * `exceedanceThresholdMs`, where one is twice as high: `tailThreshold`) and the baseline's requests slower than it. A slow tail (a few
   * percent of requests many times slower) shows there against an almost empty baseline, where
   * the first threshold's own baseline exceedances would hide it.
   */
  readonly tail?: { readonly thresholdMs: number; readonly events: number; readonly dispersion: number };
  /**
   * Latency: the bucket bound the cold-start recognition reads the warm-up at, when the
   * exceedance threshold lies far above the p99 (the bound just below it, where the baseline's
   * share is still near 1%), and the baseline's requests slower than it, over `trials`.
   */
  readonly coldStartBound?: { readonly thresholdMs: number; readonly events: number };
  /**
   * Count signals: the baseline health check. `unhealthy` when the window holds an elevated
   * stretch (an incident, a previous bad release): `events`/`trials` then count the rest of the
   * window only, and `episode` says when (epoch ms: from `startT`, exclusive, to `endT`).
   */
  readonly health?: {
    readonly status: 'healthy' | 'unhealthy';
    readonly reason: string;
    readonly episode?: {
      readonly startT: number;
      readonly endT: number;
      /** Still elevated at the deploy. */
      readonly ongoing: boolean;
      readonly events: number;
      readonly trials: number;
      readonly rate: number;
      readonly outsideRate: number;
    };
    /**
     * No episode, but the window's last minutes stand out (stats/episode.ts `findElevatedTail`,
     * at `BASELINE_TAIL_ALPHA`): an incident under way at the deploy that the scan is too weak to
     * see at low traffic. It changes nothing of the tests (the window stays `healthy`); a passing
     * bake that starts at its rate routes it (evaluation/baseline-incident.ts). Epoch ms, as
     * `episode`.
     */
    readonly tail?: {
      readonly startT: number;
      readonly endT: number;
      readonly events: number;
      readonly trials: number;
      readonly rate: number;
      readonly outsideRate: number;
      readonly pValue: number;
    };
  };
  /**
   * Latency: a load surge still under way at the deploy (load-surge.ts `surgeAtEnd`): its steps'
   * requests slower than the exceedance threshold (`events` of `trials`), which the counts above
   * leave out, slower than the cold-start bound (`dense`, with one), and the end of its first
   * step (epoch ms). The cold-start recognition measures the warm-up against it, as against an
   * incident under way (evaluation/signal-evaluation.ts `underWay`). Absent without one.
   */
  readonly surge?: {
    readonly startT: number;
    readonly events: number;
    readonly trials: number;
    readonly dense?: number;
  };
  /**
   * The pre-deploy window in at most 60 points, for charts: `rate` (events/trials per bin, count
   * signals) or `level` (gauge means). Absent in snapshots taken by older versions.
   */
  readonly series?: BaselineSeries;
}

/** One point of a signal's pre-deploy series: epoch ms and a value (null: no data in its bin). */
export interface BaselinePoint {
  readonly t: number;
  readonly v: number | null;
}

/**
 * A signal's pre-deploy series for charts, as two columns of one length: `t[i]` (epoch ms) and
 * `v[i]` (null: no data in that bin). Columns rather than one `{ t, v }` object per point: every
 * watch keeps up to 60 per signal in memory for its whole life, and a column of times is one
 * unboxed double each (docs/benchmarks.md, "the evaluation's allocations").
 */
export interface BaselineSeries {
  readonly kind: 'rate' | 'level';
  readonly t: readonly number[];
  readonly v: readonly (number | null)[];
}

/** The series of `points` as columns (see {@link BaselineSeries}). */
export function baselineSeries(kind: 'rate' | 'level', points: readonly BaselinePoint[]): BaselineSeries {
  const t: number[] = [];
  const v: (number | null)[] = [];
  for (const p of points) {
    t.push(p.t);
    v.push(p.v);
  }
  // Kept for the watch's whole life: exact-length copies, where arrays grown by `push` hold 82
  // slots for 60 points (docs/benchmarks.md, `heap11-issue-13`); `slice` keeps them packed.
  return { kind, t: t.slice(), v: v.slice() };
}

/**
 * `baseline` with the signals whose chart series are at the same times sharing one `t` column
 * (the first signal's), or `baseline` itself when none do. A watch keeps its baseline for its
 * whole life, and the series of its signals are binned on a grid of the pre-deploy window
 * (the count signals' rates on one, the gauges' levels on another), so their time columns are
 * often equal: one column of 60 doubles per grid, not one per signal (docs/benchmarks.md,
 * "gauge13-issue-13"). Columns are never mutated; each signal's
 * series still reads, and saves, as its own.
 */
export function shareTimeColumns(baseline: BaselineSnapshot): BaselineSnapshot {
  const columns: (readonly number[])[] = [];
  let signals: Record<string, SignalBaseline> | null = null;
  for (const id in baseline.signals) {
    const b = baseline.signals[id] as SignalBaseline;
    const series = b.series;
    if (series === undefined) continue;
    const same = columns.find((t) => sameNumbers(t, series.t));
    if (same === undefined) {
      columns.push(series.t);
      continue;
    }
    if (same === series.t) continue;
    signals ??= { ...baseline.signals };
    signals[id] = { ...b, series: { kind: series.kind, t: same, v: series.v } };
  }
  return signals === null ? baseline : { ...baseline, signals };
}

function sameNumbers(a: readonly number[], b: readonly number[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The pre-deploy snapshot of every signal. */
export interface BaselineSnapshot {
  readonly takenAt: number;
  readonly window: TimeWindow;
  readonly signals: Readonly<Record<string, SignalBaseline>>;
}

/** Per-segment evaluation state ('' is the aggregate over all traffic). */
export interface SegmentState {
  /** Count intervals inside the rule window, oldest first (bounded by the window). */
  readonly recent: readonly CountInterval[];
  /** Sequential test state per rule index. O(1) in size. */
  readonly tests: Readonly<Record<string, SequentialState>>;
  readonly newestT: number | null;
  /** Post-warm-up totals. */
  readonly events: number;
  readonly trials: number;
  /** Counts during the warm-up, which is the window in which a cold start is recognised. */
  readonly warmup: {
    readonly events: number;
    readonly trials: number;
    /** Aggregate latency: the warm-up's requests slower than the cold-start bound. */
    readonly dense?: number;
  };
  /**
   * Intervals read before the cold-start decision (at most the warm-up's worth): fed to the
   * tests, or dropped, once it is made; after a recognised cold start's warm-up, those read until
   * its end is shown or its window ends (at most the window's worth: signal-evaluation.ts
   * `coldStartOver`).
   */
  readonly pending: readonly PendingInterval[];
  /** Intervals kept from a test because of a load surge (its rules' `loadSurge: hold`). */
  readonly surgeHeld?: number;
}

/** An interval held until the cold-start decision, with the stable fleet's at the same time. */
export interface PendingInterval {
  readonly interval: CountInterval;
  readonly stable: CountInterval | null;
  /** The service's traffic in this interval was above anything the baseline saw (a surge). */
  readonly surge?: boolean;
  /** The service's smoothed traffic at this interval over the baseline's mean (load-surge.ts). */
  readonly load?: number;
}

/** How one signal stands after an evaluation. */
export interface SignalSummary {
  readonly signal: string;
  readonly kind: Contract['signals'][number]['kind'];
  readonly status: VerdictStatus;
  /** The confirmation policy counts this signal's breach (sustained long enough). */
  readonly confirmed: boolean;
  readonly authoritative: boolean;
  /** Aggregate verdicts first, then per-segment ones. */
  readonly verdicts: readonly Verdict[];
  readonly consecutiveBreaches: number;
  readonly consecutiveErrors: number;
}

/** Per-signal state carried from one evaluation to the next. */
export interface SignalState {
  readonly consecutiveBreaches: number;
  readonly breachSince: number | null;
  readonly consecutiveErrors: number;
  /** End of the newest count interval consumed. */
  readonly lastCountT: number | null;
  readonly segments: Readonly<Record<string, SegmentState>>;
  readonly last: SignalSummary | null;
  /**
   * A bake after an episode the baseline health check saw still going at the deploy: the peak,
   * over the looks so far, of the bake's likelihood ratio at the episode's rate against the
   * healthy one (evaluation/baseline-incident.ts). Absent otherwise.
   */
  readonly incidentSeen?: IncidentSeen;
}

/**
 * Everything the evaluator remembers about one watch, as plain JSON: persisted in the rollback
 * machine's snapshot after every step, so a restarted controller resumes the same tests.
 * Bounded in size: count windows hold at most window/step intervals, tests are O(1).
 */
export interface WatchState {
  readonly schema: 'rollgate.watch/v1';
  /** `bake`: judging a new version; `verify`: checking the restored one after a rollback. */
  readonly purpose: 'bake' | 'verify';
  /** Epoch ms the watched version started serving (the deploy, or the cutover). */
  readonly deployAt: number;
  /** End of the cold-start recognition window: breaches before it are held. */
  readonly warmupEndsAt: number;
  /** During a recognised cold start, count signals are judged only on data after this. */
  readonly coldStartEndsAt: number;
  /** Decided once the warm-up is over (null before): whether the deploy is in a cold start. */
  readonly coldStart: boolean | null;
  readonly coldStartReason: string | null;
  /**
   * Set while a "no cold start" decided before the warm-up ended (the latency seen so far ruled
   * one out) waits for the end of the warm-up: latency elevated over the whole warm-up then still
   * makes it a cold start. Absent otherwise.
   */
  readonly coldStartEarly?: true;
  readonly bakeEndsAt: number;
  readonly baseline: BaselineSnapshot | null;
  readonly signals: Readonly<Record<string, SignalState>>;
  readonly evaluations: number;
  readonly lastEvaluatedAt: number | null;
  /**
   * The service's load surges seen so far (step ends, epoch ms), shared by every signal of the
   * watch: classified on the count signals' request counts, applied to the resource trends too
   * (a service holding sessions holds more memory at 3x traffic). Absent: none seen.
   */
  readonly loadSurges?: readonly { readonly from: number; readonly to: number }[];
}

/** The aggregate segment key. */
export const AGGREGATE = '';

/**
 * Whether the evaluation at `now`, the first since `lastEvaluatedAt` (null: the watch's first),
 * is the first at or after `at`: how a look at a time fixed before the deploy is taken once.
 */
export function crossesTime(at: number, lastEvaluatedAt: number | null, now: number): boolean {
  return now >= at && (lastEvaluatedAt === null || lastEvaluatedAt < at);
}

/** A fresh segment state. */
export function emptySegment(): SegmentState {
  return {
    recent: [],
    tests: {},
    newestT: null,
    events: 0,
    trials: 0,
    warmup: { events: 0, trials: 0 },
    pending: [],
  };
}

/**
 * A fresh watch of a version that started serving at `deployAt`. `baseline` is passed for a
 * verification watch, which reuses the snapshot taken before the failed deploy.
 */
export function createWatchState(
  contract: Contract,
  deployAt: number,
  options: { purpose?: 'bake' | 'verify'; durationSeconds?: number; baseline?: BaselineSnapshot | null } = {},
): WatchState {
  const purpose = options.purpose ?? 'bake';
  const duration =
    options.durationSeconds ??
    (purpose === 'bake' ? contract.bakeSeconds : contract.verification.windowSeconds);
  const signals: Record<string, SignalState> = {};
  for (const signal of contract.signals) {
    signals[signal.id] = {
      consecutiveBreaches: 0,
      breachSince: null,
      consecutiveErrors: 0,
      lastCountT: null,
      segments: {},
      last: null,
    };
  }
  const warmup = Math.min(contract.warmupSeconds, duration / 2);
  return {
    schema: 'rollgate.watch/v1',
    purpose,
    deployAt,
    warmupEndsAt: deployAt + warmup * 1000,
    coldStartEndsAt: deployAt + Math.max(warmup, Math.min(contract.coldStartSeconds, duration / 2)) * 1000,
    coldStart: null,
    coldStartReason: null,
    bakeEndsAt: deployAt + duration * 1000,
    baseline: options.baseline ?? null,
    signals,
    evaluations: 0,
    lastEvaluatedAt: null,
  };
}
