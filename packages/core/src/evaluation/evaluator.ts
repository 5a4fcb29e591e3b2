import type { Contract, Signal } from '../contract/contract-schema';
import { RollgateError, type SerializedRollgateError } from '../errors/rollgate-error';
import { SafeEmitter } from '../events/safe-emitter';
import type { PortContext } from '../ports/abort';
import type { MetricSource } from '../ports/metric-source';
import { jsonSafeVerdict, type Verdict } from '../rules/verdict';
import type { Clock } from '../time/clock';
import { incidentAtPassingBake, incidentSeenAfter } from './baseline-incident';
import { takeBaseline } from './baseline-snapshot';
import { type Decision, decide, isAuthoritative, isConfirmed, updateCounters } from './confirmation';
import { isLazyVerdict, lazyVerdictJsonSafe } from './lazy-verdict';
import { addSurges, SURGE_SETTLE_SECONDS } from './load-surge';
import { findOnset, type OnsetFinding, type TrendLook } from './onset';
import { OnsetHistories } from './onset-history';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './read-with-retry';
import {
  type CountRead,
  coldStartOver,
  judgeSignalNow,
  readSignalCounts,
  recognizeColdStart,
  restartCountTests,
  type SignalOutcome,
  type SignalTick,
  settlePending,
  warmupSeen,
} from './signal-evaluation';
import { usesCounts } from './signal-queries';
import {
  createSignalReader,
  createSignalSender,
  type SignalReader,
  type SignalSender,
} from './signal-reader';
import {
  AGGREGATE,
  type BaselineSnapshot,
  createWatchState,
  type SignalState,
  type SignalSummary,
  shareTimeColumns,
  type WatchState,
} from './watch-state';

/** The result of one evaluation of every signal. */
export interface Evaluation {
  /** Epoch ms of the evaluation. */
  readonly at: number;
  readonly purpose: WatchState['purpose'];
  readonly deployAt: number;
  readonly elapsedSeconds: number;
  /** Until the end of the bake (or verification window); 0 once past it. */
  readonly remainingSeconds: number;
  readonly warmingUp: boolean;
  readonly signals: readonly SignalSummary[];
  readonly decision: Decision;
}

/** Events the evaluator emits. Listeners cannot break it: a throwing listener is isolated. */
export interface EvaluatorEvents extends Record<string, unknown> {
  baseline: BaselineSnapshot;
  verdict: Verdict;
  'source-error': { readonly signal: string; readonly error: SerializedRollgateError };
  evaluation: Evaluation;
  decision: Decision;
}

/** Options of {@link Evaluator}. */
export interface EvaluatorOptions {
  readonly contract: Contract;
  /** Sources by name; a signal reads from `sources[signal.source]` (default `default`). */
  readonly sources: Readonly<Record<string, MetricSource>>;
  readonly clock: Clock;
  readonly retry?: RetryPolicy;
  /** Told about listeners that threw; the evaluation goes on regardless. */
  readonly onListenerError?: (error: unknown, event: string) => void;
}

/**
 * Judges a watched version from its signals. Each `evaluate` reads the data that arrived
 * since the previous one through the `MetricSource` ports, applies every rule, updates the
 * confirmation counters and returns a decision. All state lives in the `WatchState` it returns
 * (plain JSON), so the caller persists it and can resume after a crash.
 *
 * Evaluation never throws on what sources return: broken replies become `error` verdicts.
 */
export class Evaluator {
  readonly events: SafeEmitter<EvaluatorEvents>;
  readonly contract: Contract;
  readonly #clock: Clock;
  readonly #reader: SignalReader;
  readonly #sender: SignalSender;
  readonly #sequentialRules: number;
  /** The onset gate's looks' histories, for the next look of a breach the trend explains. */
  readonly #histories = new OnsetHistories();
  /** {@link alphaFor} bound once: every signal's tick of every evaluation carries it. */
  readonly #alphaFor: (signal: Signal, ruleIndex: number, segment: string) => number;

  constructor(options: EvaluatorOptions) {
    this.contract = options.contract;
    this.#clock = options.clock;
    this.events = new SafeEmitter<EvaluatorEvents>(options.onListenerError);
    const retry = options.retry ?? DEFAULT_RETRY_POLICY;
    this.#reader = createSignalReader(options.sources, options.clock, retry);
    this.#sender = createSignalSender(options.sources, options.clock, retry, this.#reader);
    this.#sequentialRules = options.contract.signals.reduce(
      (n, s) => n + s.rules.filter((r) => r.type === 'sequential').length,
      0,
    );
    this.#alphaFor = (s, index, segment) => this.alphaFor(s, index, segment);
  }

  /** A new watch of a version that started serving at `deployAt` (epoch ms). */
  start(
    deployAt: number,
    options: {
      purpose?: 'bake' | 'verify';
      durationSeconds?: number;
      baseline?: BaselineSnapshot | null;
    } = {},
  ): WatchState {
    return createWatchState(this.contract, deployAt, options);
  }

  /**
   * Takes the pre-deploy baseline snapshot (reads ending at the deploy time) for signals that
   * do not have one yet or whose earlier read failed.
   */
  async takeBaseline(state: WatchState, ctx: PortContext): Promise<WatchState> {
    // Kept for the watch's life: its signals' chart series share one time column where equal.
    const snapshot = shareTimeColumns(
      await takeBaseline(this.contract, state.deployAt, this.#reader, ctx, this.#clock.now(), state.baseline),
    );
    this.events.emit('baseline', snapshot);
    return { ...state, baseline: snapshot };
  }

  /** Evaluates every signal once. Throws only `ABORTED` when `ctx.signal` fired. */
  async evaluate(
    state: WatchState,
    ctx: PortContext,
  ): Promise<{ state: WatchState; evaluation: Evaluation }> {
    let current = state;
    const needsBaseline = current.baseline === null || anyBaselineFailed(current.baseline.signals);
    if (needsBaseline && current.purpose === 'bake') current = await this.takeBaseline(current, ctx);
    const now = this.#clock.now();
    // The ticks and their count reads in one loop, without a closure per evaluation: a fleet
    // evaluates every watch at every step (docs/benchmarks.md, "floor10-issue-13").
    const signalList = this.contract.signals;
    const n = signalList.length;
    // The step's arrays sized to the signals: an array grown by `push` from empty gets room for
    // 17 elements at its first (docs/benchmarks.md, `alloc15-issue-13`). Each is filled at every
    // index before it is read, so none is read with a hole.
    const ticks = new Array<SignalTick>(n);
    const reads = new Array<Promise<CountRead | null> | CountRead | null>(n);
    for (let i = 0; i < n; i++) {
      const signal = signalList[i] as Signal;
      const tick: SignalTick = {
        contract: this.contract,
        signal,
        state: current.signals[signal.id] as SignalState,
        watch: current,
        now,
        alphaFor: this.#alphaFor,
        reader: this.#reader,
        sender: this.#sender,
        ctx,
      };
      ticks[i] = tick;
      // Gauge signals read no counts (null): they get no async frame and no Promise.
      reads[i] = usesCounts(signal) ? readSignalCounts(tick) : null;
    }
    // Awaited one after another in this frame, not by `Promise.all` (see markLaterHandled).
    markLaterHandled(reads);
    for (let i = 0; i < n; i++) {
      const read = reads[i];
      if (read instanceof Promise) reads[i] = await read;
    }
    let counts = reads as (CountRead | null)[];
    if (current.coldStart === null) {
      const bySignal = new Map(this.contract.signals.map((s, i) => [s.id, counts[i] ?? null]));
      const recognized = recognizeColdStart(this.contract, current, bySignal, now);
      if (recognized) {
        const decided: WatchState = {
          ...current,
          coldStart: recognized.coldStart,
          coldStartReason: recognized.reason,
          ...(recognized.early ? { coldStartEarly: true as const } : {}),
        };
        counts = counts.map((c, i) =>
          c
            ? {
                ...c,
                segments: settlePending(
                  c.segments,
                  decided,
                  this.contract,
                  this.contract.signals[i] as Signal,
                ),
              }
            : c,
        );
        current = decided;
      }
    }
    if (
      current.coldStartEarly &&
      (now > current.warmupEndsAt ||
        warmupSeen(
          this.contract,
          current,
          new Map(this.contract.signals.map((s, i) => [s.id, counts[i] ?? null])),
        ))
    ) {
      // The early "no cold start" meets the whole warm-up: latency elevated over it (a cold
      // start that showed late, or host load in its last seconds) still makes it one, and the
      // count tests start again at the end of the cold-start window, as if it had been
      // recognised at the end of the warm-up. A breach confirmed meanwhile has ended the watch.
      const { coldStartEarly: _, ...rest } = current;
      const bySignal = new Map(this.contract.signals.map((s, i) => [s.id, counts[i] ?? null]));
      const recognized = recognizeColdStart(this.contract, { ...rest, coldStart: null }, bySignal, now);
      if (recognized?.coldStart) {
        const seconds = Math.round((rest.warmupEndsAt - rest.deployAt) / 1000);
        current = {
          ...rest,
          coldStart: true,
          coldStartReason: `${recognized.reason}, over the whole ${seconds} s warm-up (${rest.coldStartReason ?? 'ruled out early'})`,
        };
        counts = counts.map((c) => (c ? { ...c, segments: restartCountTests(c.segments) } : c));
      } else {
        current = rest;
      }
    }
    if (current.coldStart === true && current.purpose === 'bake' && now < current.coldStartEndsAt) {
      // A recognised cold start whose latency shows it over: the count tests are judged from
      // where it ended, not from the end of the whole window, on the data held since the warm-up.
      const bySignal = new Map(this.contract.signals.map((s, i) => [s.id, counts[i] ?? null]));
      const over = coldStartOver(this.contract, current, bySignal);
      if (over && over.at < current.coldStartEndsAt) {
        const ended: WatchState = {
          ...current,
          coldStartEndsAt: over.at,
          coldStartReason: `${current.coldStartReason ?? 'cold start'}; ${over.reason}`,
        };
        counts = counts.map((c, i) =>
          c
            ? {
                ...c,
                segments: settlePending(
                  c.segments,
                  ended,
                  this.contract,
                  this.contract.signals[i] as Signal,
                  false,
                ),
              }
            : c,
        );
        current = ended;
      }
    }
    // Almost every step has no surge: the list is built only when a signal saw one.
    const surgeSteps = anySurge(counts) ? counts.flatMap((c) => c?.surgeSteps ?? []) : [];
    if (surgeSteps.length > 0 || current.loadSurges) {
      // The service's load is one fact shared by every signal: the count signals see it, the
      // resource trends hold their judgement by it.
      const longest = Math.max(0, ...this.contract.signals.map((s) => s.windowSeconds));
      const loadSurges = addSurges(
        current.loadSurges ?? [],
        surgeSteps,
        this.contract.stepSeconds * 1000,
        now,
        (longest + SURGE_SETTLE_SECONDS) * 1000,
      );
      current = { ...current, loadSurges };
    }
    const watch = current;
    // A tick is copied only when the watch state changed since it was built (a cold start
    // decided, a surge recorded): most steps judge with the ticks as they are. Count signals
    // are judged at once (judgeSignalNow); only the signals that read their window are awaited.
    const judged = new Array<SignalOutcome | Promise<SignalOutcome>>(n);
    let waits = false;
    for (let i = 0; i < n; i++) {
      const tick = ticks[i] as SignalTick;
      const outcome = judgeSignalNow(tick.watch === watch ? tick : { ...tick, watch }, counts[i] ?? null);
      if (isPromise(outcome)) waits = true;
      judged[i] = outcome;
    }
    if (waits) {
      markLaterHandled(judged);
      for (let i = 0; i < n; i++) {
        const outcome = judged[i];
        if (outcome instanceof Promise) judged[i] = await outcome;
      }
    }
    const outcomes = judged as SignalOutcome[];
    if (ctx.signal.aborted) {
      throw new RollgateError('ABORTED', 'The evaluation was aborted.', {
        component: 'evaluator',
        cause: ctx.signal.reason,
      });
    }
    const signals: Record<string, SignalState> = {};
    const summaries = new Array<SignalSummary>(n);
    for (let i = 0; i < n; i++) {
      const signal = signalList[i] as Signal;
      const outcome = outcomes[i] as (typeof outcomes)[number];
      const previous = current.signals[signal.id] as SignalState;
      const counters = updateCounters(previous, outcome.status, now);
      // This signal's next state, copied once: `last` is written into it below while it is
      // still this function's own, where a second copy used to carry it (same keys, same order).
      const next: { -readonly [K in keyof SignalState]: SignalState[K] } = {
        ...previous,
        ...counters,
        segments: outcome.segments,
        lastCountT: outcome.lastCountT,
        last: null,
      };
      const seen = incidentSeenAfter(
        previous.incidentSeen,
        current,
        current.baseline?.signals[signal.id],
        outcome.segments[AGGREGATE]?.tests[String(signal.rules.findIndex((r) => r.type === 'sequential'))],
        now,
      );
      if (seen !== undefined) next.incidentSeen = seen;
      const summary: SignalSummary = {
        signal: signal.id,
        kind: signal.kind,
        status: outcome.status,
        confirmed: isConfirmed(signal, next, outcome.status, now),
        authoritative: isAuthoritative(signal),
        verdicts: outcome.verdicts,
        consecutiveBreaches: counters.consecutiveBreaches,
        consecutiveErrors: counters.consecutiveErrors,
      };
      // The stored copy is JSON-safe: the state is persisted in snapshots. Its verdicts almost
      // always are already: the summary itself is then stored (both are immutable), not a copy.
      const safe = jsonSafeVerdicts(summary.verdicts);
      next.last = safe === summary.verdicts ? summary : { ...summary, verdicts: safe };
      signals[signal.id] = next;
      summaries[i] = summary;
    }
    const nextState: WatchState = {
      ...current,
      signals,
      evaluations: current.evaluations + 1,
      lastEvaluatedAt: now,
    };
    const decided = decide(this.contract, nextState, summaries, now);
    const incident =
      decided.type === 'promote'
        ? incidentAtPassingBake(
            nextState,
            this.contract.signals.map((s) => s.id),
          )
        : null;
    const decision: Decision =
      decided.type === 'promote' && incident !== null
        ? {
            ...decided,
            reason: `${decided.reason}; but ${incident.reason}`,
            incident: { signal: incident.signal, reason: incident.reason },
          }
        : decided;
    const evaluation: Evaluation = {
      at: now,
      purpose: nextState.purpose,
      deployAt: nextState.deployAt,
      elapsedSeconds: Math.max(0, (now - nextState.deployAt) / 1000),
      remainingSeconds: Math.max(0, (nextState.bakeEndsAt - now) / 1000),
      warmingUp: now <= nextState.warmupEndsAt,
      signals: summaries,
      decision,
    };
    // The per-verdict events are walked only when someone listens (a tick emits every
    // signal's verdicts; most controllers listen to the evaluation alone).
    const verdictEvents =
      this.events.listenerCount('verdict') > 0 || this.events.listenerCount('source-error') > 0;
    for (const summary of verdictEvents ? summaries : []) {
      for (const verdict of summary.verdicts) {
        this.events.emit('verdict', verdict);
        if (verdict.status === 'error' && verdict.error) {
          this.events.emit('source-error', { signal: verdict.signal, error: verdict.error });
        }
      }
    }
    this.events.emit('evaluation', evaluation);
    this.events.emit('decision', decision);
    return { state: nextState, evaluation };
  }

  /**
   * The validation gate's question: did the confirmed breach of `signalId` begin before the
   * deploy? Reads the signal's history across the deploy and locates the onset with the method
   * of the breaching `rule` (its type; absent: the signal's first rule).
   */
  async findOnset(
    state: WatchState,
    signalId: string,
    segment: string | undefined,
    ctx: PortContext,
    rule?: string,
    trend?: TrendLook,
  ): Promise<OnsetFinding> {
    const signal = this.contract.signals.find((s) => s.id === signalId);
    if (!signal) {
      throw new RollgateError('CONFIG_INVALID', `no signal "${signalId}" in the contract`, {
        component: 'evaluator',
      });
    }
    return findOnset({
      contract: this.contract,
      signal,
      segment: segment ?? AGGREGATE,
      ...(rule === undefined ? {} : { rule }),
      ...(trend === undefined ? {} : { trend }),
      watch: state,
      now: this.#clock.now(),
      reader: this.#reader,
      histories: this.#histories,
      ctx,
    });
  }

  /**
   * Alpha for one sequential test: the contract's alpha split evenly (Bonferroni) across its
   * sequential rules; a segmented rule gives half to the aggregate and splits the other half
   * across at most `maxSegments` segments.
   */
  alphaFor(signal: Signal, _ruleIndex: number, segment: string): number {
    const perRule = this.contract.alpha / Math.max(1, this.#sequentialRules);
    if (!signal.segments) return perRule;
    return segment === AGGREGATE ? perRule / 2 : perRule / 2 / signal.segments.maxSegments;
  }
}

/** Whether a signal's count read saw a load surge. */
function anySurge(counts: readonly (CountRead | null)[]): boolean {
  for (const c of counts) if ((c?.surgeSteps?.length ?? 0) > 0) return true;
  return false;
}

/**
 * Marks every Promise of `items` but the first handled, for a caller that awaits them one after
 * another in its own frame instead of by `Promise.all` (its result Promise, a resolve function
 * and reaction per element, and a Promise made for every element that is not one: about 300 B an
 * element more than an await; docs/benchmarks.md, `frame16-issue-13`). One that rejects while an
 * earlier one is awaited is then no unhandled rejection; it still rejects the caller when its turn
 * comes (the first rejection in order, where `Promise.all` took the first in time: these Promises
 * reject only on a bug, never on what a source answers).
 */
function markLaterHandled(items: readonly unknown[]): void {
  let first = true;
  for (const item of items) {
    if (!(item instanceof Promise)) continue;
    if (first) first = false;
    else item.catch(ignore);
  }
}

function ignore(): void {}

function isPromise<T>(value: T | Promise<T>): value is Promise<T> {
  return value instanceof Promise;
}

/** Whether a signal's pre-deploy baseline read failed (the evaluation then reads it again). */
function anyBaselineFailed(signals: Readonly<Record<string, { readonly status: string }>>): boolean {
  for (const id in signals) if (signals[id]?.status === 'error') return true;
  return false;
}

/** The verdicts JSON-safe: the same array when every verdict already is (almost always). */
function jsonSafeVerdicts(verdicts: readonly Verdict[]): readonly Verdict[] {
  for (let i = 0; i < verdicts.length; i++) {
    const v = verdicts[i] as Verdict;
    if (safeVerdict(v) !== v) return verdicts.map(safeVerdict);
  }
  return verdicts;
}

/**
 * `jsonSafeVerdict`, without building a lazy verdict's text and interval to ask (its interval
 * is JSON-safe as built, lazy-verdict.ts): one with a non-finite number is built and copied.
 */
function safeVerdict(v: Verdict): Verdict {
  if (isLazyVerdict(v)) return lazyVerdictJsonSafe(v) ? v : jsonSafeVerdict({ ...v });
  return jsonSafeVerdict(v);
}
