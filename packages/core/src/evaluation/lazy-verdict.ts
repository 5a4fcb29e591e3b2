import { dataQualityHolds } from '../rules/data-quality';
import {
  jointCrossing,
  judgeSequential,
  type SequentialJudgement,
  type SequentialState,
} from '../rules/sequential-count';
import {
  finiteOrNull,
  jsonSafeVerdict,
  type TestStatistic,
  type TimeWindow,
  type Verdict,
} from '../rules/verdict';
import { type RateTestFigures, rateTestFigures } from '../stats/rate-test';
import { describeDrift, describeDriftStep, driftStepOf } from './baseline-drift';
import type { SignalBaseline } from './watch-state';

/**
 * A sequential test's pass or breach verdict whose reason sentence and ratio interval (the
 * test's confidence sequence) are built when something reads them: a breach's decision, the
 * audit, `status`, an event listener, a JSON text. A fleet judges every count signal at every
 * step and almost every verdict is read by nobody but the decision, which needs its status and
 * numbers only (docs/benchmarks.md, "verdict13-issue-13"; docs/architecture.md, "Verdicts built when read").
 *
 * Read as a {@link Verdict}, it is the verdict the eager code builds, field for field, key for
 * key (test/evaluation/lazy-verdict.property.test.ts compares both, JSON text included): the
 * numbers are own data properties; `reason` (on the verdict) and `ratioInterval` (on its
 * statistic) are own enumerable accessors, so a spread, `JSON.stringify`, `structuredClone` and
 * `toEqual` all see the built value. The accessors are shared functions (one map for every
 * verdict); what they build from is a private field.
 *
 * The interval is JSON-safe (an unbounded upper end is null, as `jsonSafeVerdict` stores it and
 * `TestStatistic` allows): the verdict is stored as the signal's `last` without a copy.
 */
export class LazyCountVerdict {
  declare readonly signal: string;
  declare readonly rule: string;
  declare readonly segment?: string;
  declare readonly window: TimeWindow;
  declare readonly samples: number;
  declare readonly status: 'pass' | 'breach';
  declare readonly value: number;
  declare readonly threshold: number;
  declare readonly statistic: TestStatistic;
  declare readonly reason: string;
  declare readonly exceedanceThresholdMs?: number;
  declare readonly surgeHeldSteps?: number;
  // What the text is built from, as private fields rather than the judgement's input object and
  // a recipe object (a signal keeps its `last` verdicts until the next step: docs/benchmarks.md,
  // "verdict13-issue-13"). The rest of the input is the verdict's own fields.
  readonly #state: SequentialState;
  readonly #inputSamples: number;
  readonly #newestT: number | null;
  readonly #maxLagMs: number;
  readonly #minSamples: number;
  readonly #what: string;
  readonly #drift: SignalBaseline['drift'] | undefined;
  readonly #stepSeconds: number;
  #built: Verdict | undefined;

  constructor(recipe: CountVerdictRecipe, figures: RateTestFigures) {
    const input = recipe.input;
    this.signal = input.signal;
    this.rule = 'sequential';
    if (input.segment !== undefined) this.segment = input.segment;
    this.window = input.window;
    this.samples = figures.trials;
    this.status = figures.rejected ? 'breach' : 'pass';
    this.value = figures.rate;
    this.threshold = figures.baselineRate;
    this.statistic = new LazyStatistic(this, figures);
    Object.defineProperty(this, 'reason', REASON);
    // The keys the eager code appends after the reason, in its order (`finishCountVerdict`):
    // the exceedance threshold, then the surge steps held out.
    if (recipe.exceedanceThresholdMs !== undefined) this.exceedanceThresholdMs = recipe.exceedanceThresholdMs;
    if (recipe.surgeHeld > 0) this.surgeHeldSteps = recipe.surgeHeld;
    this.#state = recipe.state;
    this.#inputSamples = input.samples;
    this.#newestT = input.newestT;
    this.#maxLagMs = input.maxLagMs;
    this.#minSamples = input.minSamples;
    this.#what = input.what;
    this.#drift = recipe.drift;
    this.#stepSeconds = recipe.stepSeconds;
  }

  /**
   * What `verdict` is built from, besides its test state and the baseline's drift: the judgement's
   * fields and the evaluation's additions, as a save writes them ({@link storedRecipeOf}) and as
   * both a read and a load build the text from ({@link buildFrom}).
   */
  static builtFrom(verdict: LazyCountVerdict): BuiltFrom {
    const from: { -readonly [K in keyof BuiltFrom]: BuiltFrom[K] } = {
      window: verdict.window,
      samples: verdict.#inputSamples,
      newestT: verdict.#newestT,
      maxLagMs: verdict.#maxLagMs,
      minSamples: verdict.#minSamples,
      what: verdict.#what,
      surgeHeld: verdict.surgeHeldSteps ?? 0,
      stepSeconds: verdict.#stepSeconds,
    };
    if (verdict.segment !== undefined) from.segment = verdict.segment;
    if (verdict.#drift !== undefined) from.drift = true;
    if (verdict.exceedanceThresholdMs !== undefined)
      from.exceedanceThresholdMs = verdict.exceedanceThresholdMs;
    return from;
  }

  /**
   * {@link builtFrom} with `test` first, as a `rollgate.machine/v7` record saves it: each field a
   * load rebuilds left out when it equals what the load rebuilds (`window` the watch's
   * `[start, end]`, `samples` the test's trials, `newestT` the segment's, `surgeHeld` 0). One
   * object, where the recipe and its copy without those fields were two (docs/benchmarks.md,
   * `fleet19-issue-13`); the same keys in the same order.
   */
  static storedWithout(
    verdict: LazyCountVerdict,
    test: string,
    start: number,
    end: number | null,
    newestT: number | null | undefined,
  ): Record<string, unknown> {
    const out: Record<string, unknown> = { test };
    const w = verdict.window as TimeWindow & Record<string, unknown>;
    if (w.start !== start || w.end !== end || !onlyStartAndEnd(w)) out.window = w;
    const samples = verdict.#inputSamples;
    if (samples !== (verdict.#state as unknown as { trials?: unknown }).trials) out.samples = samples;
    if (verdict.#newestT !== newestT) out.newestT = verdict.#newestT;
    out.maxLagMs = verdict.#maxLagMs;
    out.minSamples = verdict.#minSamples;
    out.what = verdict.#what;
    const surgeHeld = verdict.surgeHeldSteps ?? 0;
    if (surgeHeld !== 0) out.surgeHeld = surgeHeld;
    out.stepSeconds = verdict.#stepSeconds;
    if (verdict.segment !== undefined) out.segment = verdict.segment;
    if (verdict.#drift !== undefined) out.drift = true;
    if (verdict.exceedanceThresholdMs !== undefined)
      out.exceedanceThresholdMs = verdict.exceedanceThresholdMs;
    return out;
  }

  /** `verdict` built, once: as a load builds it ({@link buildFrom}), the eager path's verdict. */
  static built(verdict: LazyCountVerdict): Verdict {
    if (verdict.#built === undefined) {
      verdict.#built = buildFrom(
        verdict.signal,
        LazyCountVerdict.builtFrom(verdict),
        verdict.#state,
        verdict.#drift,
      );
    }
    return verdict.#built;
  }

  /** The test state `verdict` judges (its segment holds it). */
  static stateOf(verdict: LazyCountVerdict): SequentialState {
    return verdict.#state;
  }
}

/** A lazy verdict's statistic: the numbers as data, the ratio's interval built when read. */
class LazyStatistic {
  declare readonly name: string;
  declare readonly value: number;
  declare readonly threshold: number;
  declare readonly alpha: number;
  declare readonly ratioEstimate: number | null;
  declare readonly ratioInterval: NonNullable<TestStatistic['ratioInterval']> | null;
  readonly #verdict: LazyCountVerdict;

  constructor(verdict: LazyCountVerdict, figures: RateTestFigures) {
    this.name = figures.kind === 'sprt' ? 'log-likelihood-ratio' : 'log-e-value';
    this.value = figures.logE;
    this.threshold = figures.logThreshold;
    this.alpha = figures.alpha;
    this.ratioEstimate = figures.ratioEstimate;
    Object.defineProperty(this, 'ratioInterval', INTERVAL);
    this.#verdict = verdict;
  }

  static verdictOf(statistic: LazyStatistic): LazyCountVerdict {
    return statistic.#verdict;
  }
}

const REASON: PropertyDescriptor = {
  get(this: LazyCountVerdict): string {
    return LazyCountVerdict.built(this).reason;
  },
  enumerable: true,
  configurable: false,
};

const INTERVAL: PropertyDescriptor = {
  get(this: LazyStatistic): NonNullable<TestStatistic['ratioInterval']> | null {
    const interval = LazyCountVerdict.built(LazyStatistic.verdictOf(this)).statistic?.ratioInterval;
    if (!interval) return interval ?? null;
    return {
      lower: finiteOrNull(interval.lower),
      upper: finiteOrNull(interval.upper),
      level: interval.level,
    };
  },
  enumerable: true,
  configurable: false,
};

/**
 * The fields of a judgement that a verdict built on read keeps and a save writes: all but its
 * signal (the verdict's own), `unavailable` and `partner`.
 */
type JudgementFields = Pick<
  SequentialJudgement,
  'segment' | 'window' | 'samples' | 'newestT' | 'maxLagMs' | 'minSamples' | 'what'
>;

/**
 * What a count verdict is built from: the test's state and the judgement's input, as
 * `judgeSequential` takes them, and what the evaluation adds to its verdict afterwards (the
 * baseline's drift said in the reason, the exceedance threshold, the surge steps held out).
 * The state is the one the signal keeps (immutable), so holding it costs nothing more.
 */
export interface CountVerdictRecipe {
  readonly state: SequentialState;
  readonly input: SequentialJudgement;
  /** A baseline test's drifting baseline, said at the end of a pass or breach reason. */
  readonly drift: SignalBaseline['drift'] | undefined;
  readonly exceedanceThresholdMs: number | undefined;
  /** Steps held out for a load surge (0: none), said in the reason. */
  readonly surgeHeld: number;
  readonly stepSeconds: number;
}

/**
 * What the evaluation adds to a sequential test's verdict, the eager path's and the lazy one's
 * alike (so both read the same): the drifting baseline's tolerance said, the exceedance
 * threshold, the steps held out for a load surge.
 */
export function finishCountVerdict(
  verdict: Verdict,
  extra: CountVerdictExtra,
  state?: SequentialState | null,
): Verdict {
  let out = verdict;
  if (extra.drift && (out.status === 'pass' || out.status === 'breach'))
    out = { ...out, reason: `${out.reason}; ${describeDrift(extra.drift)}` };
  // A step look's rejection (baseline-drift.ts `takeDriftStepLook`) is said where it acts.
  const step = out.status === 'breach' ? driftStepOf(state) : null;
  if (step !== null) out = { ...out, reason: `${out.reason}; ${describeDriftStep(step)}` };
  if (extra.exceedanceThresholdMs !== undefined)
    out = { ...out, exceedanceThresholdMs: extra.exceedanceThresholdMs };
  if (extra.surgeHeld > 0)
    out = {
      ...out,
      surgeHeldSteps: extra.surgeHeld,
      reason: `${out.reason}; ${Math.round(extra.surgeHeld * extra.stepSeconds)} s under a load surge held out`,
    };
  return out;
}

/** Whether `verdict` is a lazy count verdict. */
export function isLazyVerdict(verdict: unknown): verdict is LazyCountVerdict {
  return verdict instanceof LazyCountVerdict;
}

/** The numbers of a lazy verdict all finite: it is stored as it is (see {@link LazyCountVerdict}). */
export function lazyVerdictJsonSafe(verdict: LazyCountVerdict): boolean {
  const st = verdict.statistic;
  return (
    Number.isFinite(verdict.value) &&
    Number.isFinite(verdict.threshold) &&
    Number.isFinite(verdict.samples) &&
    Number.isFinite(st.value as number) &&
    Number.isFinite(st.threshold as number) &&
    (st.ratioEstimate === null || st.ratioEstimate === undefined || Number.isFinite(st.ratioEstimate))
  );
}

/** What the evaluation adds to a count verdict: see {@link finishCountVerdict}. */
export type CountVerdictExtra = Pick<
  CountVerdictRecipe,
  'drift' | 'exceedanceThresholdMs' | 'surgeHeld' | 'stepSeconds'
>;

/**
 * A sequential test's pass or breach verdict with its reason and ratio interval built when read,
 * or null where the caller builds the verdict at once as before (`judgeSequential`, then
 * {@link finishCountVerdict}): no test yet, a source failure, a data-quality problem (the
 * verdict says which), or a verification's breach (checked beyond one burst first,
 * signal-evaluation.ts `beyondOneBurst`). The status is the one `judgeSequential` gives: a
 * rejection is a breach; otherwise a pass when the data-quality checks hold.
 */
export function countVerdictOnRead(
  state: SequentialState | null,
  input: SequentialJudgement,
  extra: CountVerdictExtra,
  verifying: boolean,
): Verdict | null {
  if (state === null) return null;
  const figures = rateTestFigures(state);
  if (figures.rejected) {
    if (verifying) return null;
  } else if (
    // A crossing of the rule's two thresholds together (rules/sequential-count.ts
    // `jointCrossing`) is a breach neither test's figures show: built at once.
    jointCrossing(state, input.partner) !== null ||
    input.unavailable?.status === 'error' ||
    !dataQualityHolds(figures.trials, input.newestT, input.now, input.maxLagMs, input.minSamples)
  ) {
    return null;
  }
  const recipe: CountVerdictRecipe = {
    state,
    input,
    drift: extra.drift,
    exceedanceThresholdMs: extra.exceedanceThresholdMs,
    surgeHeld: extra.surgeHeld,
    stepSeconds: extra.stepSeconds,
  };
  return new LazyCountVerdict(recipe, figures) as Verdict;
}

/**
 * How a lazy verdict is saved in the per-step record (`rollgate.machine/v5`, v6 without `now`,
 * machine/stored-watch-state.ts): what its text is built from, the test named by its key in the
 * signal's segment (the record holds that test), not the text. `drift`: the watch baseline's
 * drift is said in the reason.
 */
export interface StoredVerdictRecipe extends BuiltFrom {
  readonly test: string;
  /**
   * `rollgate.machine/v5` only: the judgement's time, always its window's end (the save wrote
   * `window.end`); v6 no longer writes it. Read when present, so a v5 record builds as it did.
   */
  readonly now?: number;
}

/** A {@link StoredVerdictRecipe} without its test's key: see `LazyCountVerdict.builtFrom`. */
export interface BuiltFrom extends JudgementFields {
  readonly drift?: true;
  readonly exceedanceThresholdMs?: number;
  readonly surgeHeld: number;
  readonly stepSeconds: number;
}

/**
 * The stored recipe of `verdict` if it is a lazy verdict whose test is among `tests` (the
 * tests of its segment, as the record saves them), else null (the verdict is saved as it is).
 */
export function storedRecipeOf(
  verdict: Verdict,
  tests: Readonly<Record<string, SequentialState>> | undefined,
): StoredVerdictRecipe | null {
  if (!isLazyVerdict(verdict) || tests === undefined) return null;
  const state = LazyCountVerdict.stateOf(verdict);
  let test: string | undefined;
  for (const key in tests) {
    if (tests[key] === state) {
      test = key;
      break;
    }
  }
  return test === undefined ? null : { test, ...LazyCountVerdict.builtFrom(verdict) };
}

/**
 * {@link storedRecipeOf} without the fields a `rollgate.machine/v7` load rebuilds (see
 * `LazyCountVerdict.storedWithout`): `start` and `end` the watch's window, `newestT` the
 * segment's. Null as {@link storedRecipeOf} is.
 */
export function storedRecipeWithout(
  verdict: Verdict,
  tests: Readonly<Record<string, SequentialState>> | undefined,
  start: number,
  end: number | null,
  newestT: number | null | undefined,
): Record<string, unknown> | null {
  if (!isLazyVerdict(verdict) || tests === undefined) return null;
  const state = LazyCountVerdict.stateOf(verdict);
  for (const key in tests) {
    if (tests[key] === state) return LazyCountVerdict.storedWithout(verdict, key, start, end, newestT);
  }
  return null;
}

/** Whether a window holds its `start` and `end` and nothing else. */
function onlyStartAndEnd(w: Readonly<Record<string, unknown>>): boolean {
  let n = 0;
  for (const _ in w) n++;
  return n === 2;
}

/**
 * The verdict a stored recipe was saved from, built (a loaded watch is read once): the same
 * {@link buildFrom} as a read in memory, made JSON-safe as a signal's `last` keeps it.
 */
export function verdictOfRecipe(
  signal: string,
  stored: StoredVerdictRecipe,
  state: SequentialState,
  drift: SignalBaseline['drift'] | undefined,
): Verdict {
  return jsonSafeVerdict(buildFrom(signal, stored, state, drift));
}

/**
 * A verdict built on read, from what it was built from: `judgeSequential` on its test and
 * {@link finishCountVerdict}, as the eager path builds it. The judgement's `unavailable` is null
 * and it has no partner: a verdict is built on read only as a pass or a breach of its own test
 * ({@link countVerdictOnRead}), which neither changes. `drift`: the watch baseline's, said in the
 * reason when `from.drift` is set.
 */
function buildFrom(
  signal: string,
  from: BuiltFrom & { readonly now?: number },
  state: SequentialState,
  drift: SignalBaseline['drift'] | undefined,
): Verdict {
  const input: SequentialJudgement = {
    signal,
    ...(from.segment === undefined ? {} : { segment: from.segment }),
    window: from.window,
    samples: from.samples,
    newestT: from.newestT,
    now: from.now ?? from.window.end,
    maxLagMs: from.maxLagMs,
    minSamples: from.minSamples,
    what: from.what,
    unavailable: null,
  };
  return finishCountVerdict(
    judgeSequential(state, input),
    {
      drift: from.drift ? drift : undefined,
      exceedanceThresholdMs: from.exceedanceThresholdMs,
      surgeHeld: from.surgeHeld,
      stepSeconds: from.stepSeconds,
    },
    state,
  );
}
