import { show, type TestStatistic, type TimeWindow, type Verdict } from './verdict';

/**
 * A gauge signal's pass verdict whose reason sentence is built when something reads it: a
 * resource trend's (rules/rate-of-change.ts), a static range's or a baseline ratio's value rule
 * (rules/static-range.ts, rules/baseline-ratio.ts). A health probe's pass is built at once with a
 * remembered text (rules/health-check.ts `healthPassReason`): cheaper than an own accessor.
 * Every gauge signal of every watch is judged at every step and its verdict kept as the signal's
 * `last` until the next; almost none of those reasons is ever read (docs/benchmarks.md,
 * "gauge13-issue-13"; docs/architecture.md, "Verdicts built when read"). A breach, a no-data or
 * an error verdict is built at once, as before: a decision or the audit reads it.
 *
 * Read as a {@link Verdict}, it is the verdict the eager code built, key for key and in its
 * order (test/rules/lazy-gauge-verdict.property.test.ts compares both, JSON text included): the
 * numbers are own data properties, `reason` an own enumerable accessor (one shared getter), so a
 * spread, `JSON.stringify`, `structuredClone` and `toEqual` see the built text. Built only with
 * finite numbers (the rules check), so it is JSON-safe as it is and stored without a copy.
 *
 * What the text is built from besides the verdict's own fields is kept in private fields, named
 * per kind by {@link GaugeRecipe} (the saved form, machine/stored-watch-state.ts).
 */
export class LazyGaugeVerdict {
  declare readonly signal: string;
  declare readonly rule: string;
  declare readonly segment?: string;
  declare readonly window: TimeWindow;
  declare readonly samples: number;
  declare readonly status: 'pass';
  declare readonly value: number;
  declare readonly threshold: number | null;
  declare readonly statistic?: TestStatistic;
  declare readonly reason: string;
  declare readonly surgeHeldSteps?: number;
  readonly #kind: GaugeKind;
  readonly #unit: string;
  // trend: the limit and the seconds to it (null: never); static: the minimum and maximum
  // (null: none); ratio: the pre-deploy value.
  readonly #a: number | null;
  readonly #b: number | null;
  /** trend: the seconds held out for a load surge, said in the reason (0: none). */
  readonly #heldSeconds: number;

  constructor(head: GaugeHead, text: GaugeText) {
    this.signal = head.signal;
    this.rule = RULE_OF[text.kind];
    if (head.segment !== undefined) this.segment = head.segment;
    this.window = head.window;
    this.samples = head.samples;
    // The eager static rule spreads `{ ...frame, value }` before its status: the same order here.
    if (text.kind === 'static') {
      this.value = head.value;
      this.status = 'pass';
    } else {
      this.status = 'pass';
      this.value = head.value;
    }
    this.threshold = head.threshold;
    if (head.statistic !== undefined) this.statistic = head.statistic;
    Object.defineProperty(this, 'reason', REASON);
    if (head.surgeHeldSteps !== undefined && head.surgeHeldSteps > 0)
      this.surgeHeldSteps = head.surgeHeldSteps;
    this.#kind = text.kind;
    this.#unit = text.unit;
    this.#a = text.a;
    this.#b = text.b;
    this.#heldSeconds = text.heldSeconds;
  }

  /** The verdict's reason: what {@link GaugeText} says, as the eager rule wrote it. */
  static reasonOf(v: LazyGaugeVerdict): string {
    return reasonOfText(v.value, v.threshold, LazyGaugeVerdict.textOf(v));
  }

  /** What `v`'s reason is built from. */
  static textOf(v: LazyGaugeVerdict): GaugeText {
    return { kind: v.#kind, unit: v.#unit, a: v.#a, b: v.#b, heldSeconds: v.#heldSeconds };
  }

  /**
   * `v` with `held` samples held out for a load surge (`seconds` of them), as signal-evaluation.ts
   * `withHeldPoints` adds them to an eager trend verdict: `surgeHeldSteps` after the reason, and
   * the reason saying so.
   */
  static withHeld(v: LazyGaugeVerdict, held: number, seconds: number): LazyGaugeVerdict {
    return new LazyGaugeVerdict(
      { ...headOf(v), surgeHeldSteps: held },
      { ...LazyGaugeVerdict.textOf(v), heldSeconds: seconds },
    );
  }
}

/** The gauge rules whose pass verdicts are built when read. */
export type GaugeKind = 'trend' | 'static' | 'ratio';

const RULE_OF: Readonly<Record<GaugeKind, string>> = {
  trend: 'rate-of-change',
  static: 'static',
  ratio: 'baseline-ratio',
};

/** A lazy gauge verdict's own fields (its status is `pass`, its rule its kind's). */
export interface GaugeHead {
  readonly signal: string;
  readonly segment?: string;
  readonly window: TimeWindow;
  readonly samples: number;
  readonly value: number;
  readonly threshold: number | null;
  readonly statistic?: TestStatistic;
  readonly surgeHeldSteps?: number;
}

/** What a lazy gauge verdict's reason is built from besides its value and threshold: see the class's private fields. */
export interface GaugeText {
  readonly kind: GaugeKind;
  readonly unit: string;
  readonly a: number | null;
  readonly b: number | null;
  readonly heldSeconds: number;
}

const REASON: PropertyDescriptor = {
  get(this: LazyGaugeVerdict): string {
    return LazyGaugeVerdict.reasonOf(this);
  },
  enumerable: true,
  configurable: false,
};

function headOf(v: LazyGaugeVerdict): GaugeHead {
  return {
    signal: v.signal,
    ...(v.segment === undefined ? {} : { segment: v.segment }),
    window: v.window,
    samples: v.samples,
    value: v.value,
    threshold: v.threshold,
    ...(v.statistic === undefined ? {} : { statistic: v.statistic }),
    ...(v.surgeHeldSteps === undefined ? {} : { surgeHeldSteps: v.surgeHeldSteps }),
  };
}

function reasonOfText(value: number, threshold: number | null, text: GaugeText): string {
  switch (text.kind) {
    case 'trend': {
      const reason = trendPassReason(value, text.a as number, text.b, text.unit);
      return text.heldSeconds > 0 ? withHeldReason(reason, text.heldSeconds) : reason;
    }
    case 'static':
      return staticPassReason(value, text.a, text.b, text.unit);
    case 'ratio':
      return ratioReason(value, text.a as number, threshold as number, text.unit);
  }
}

/**
 * The reason of a resource trend within the limit's pace: `away` the whole seconds to the
 * limit at this rate (null: never).
 */
export function trendPassReason(slope: number, limit: number, away: number | null, unit: string): string {
  return `slope ${show(slope, `${unit}/s`)}: the limit ${show(limit, unit)} is ${away === null ? 'never' : `~${away} s`} away at this rate`;
}

/** A trend verdict's reason with `seconds` of samples held out for a load surge. */
export function withHeldReason(reason: string, seconds: number): string {
  return `${reason}; ${seconds} s under a load surge (or settling after it) held out`;
}

/**
 * The seconds to the limit as a trend's pass reason says them: whole seconds, or null for
 * never (a slope that does not rise).
 */
export function awaySeconds(secondsToLimit: number): number | null {
  return Number.isFinite(secondsToLimit) ? Math.round(secondsToLimit) : null;
}

/** The reason of a static range's pass: the value and the bounds it is within. */
export function staticPassReason(
  value: number,
  min: number | null,
  max: number | null,
  unit: string,
): string {
  const bounds = [
    min === null ? null : `>= ${show(min, unit)}`,
    max === null ? null : `<= ${show(max, unit)}`,
  ].filter((b) => b !== null);
  return `${show(value, unit)} is within ${bounds.join(' and ')}`;
}

/** The reason of a baseline ratio (pass or breach): the value against the pre-deploy one and the bound. */
export function ratioReason(value: number, baseline: number, threshold: number, unit: string): string {
  const ratio = baseline > 0 ? value / baseline : value > 0 ? Number.POSITIVE_INFINITY : 1;
  return `${show(value, unit)} is ${show(ratio)}x the pre-deploy ${show(baseline, unit)} (allowed up to ${show(threshold, unit)})`;
}

/** Whether `verdict` is a lazy gauge verdict. */
export function isLazyGaugeVerdict(verdict: unknown): verdict is LazyGaugeVerdict {
  return verdict instanceof LazyGaugeVerdict;
}

const finite = (n: number | null | undefined): boolean => n === null || n === undefined || Number.isFinite(n);

/**
 * Whether every number of the verdict and of what its text is built from is finite (or null):
 * a verdict is built on read only then, so it is JSON-safe as it is and its recipe round-trips.
 */
function allFinite(head: GaugeHead, text: GaugeText): boolean {
  return (
    Number.isFinite(head.value) &&
    Number.isFinite(head.samples) &&
    finite(head.threshold) &&
    finite(head.statistic?.value) &&
    finite(head.statistic?.threshold) &&
    finite(text.a) &&
    finite(text.b)
  );
}

/**
 * A gauge's pass verdict: built when read ({@link LazyGaugeVerdict}) when its numbers are all
 * finite, else at once ({@link eagerGaugeVerdict}, the same keys in the same order), typed as
 * the {@link Verdict} it reads as.
 */
export function gaugePass(head: GaugeHead, text: GaugeText): Verdict {
  return allFinite(head, text)
    ? (new LazyGaugeVerdict(head, text) as Verdict)
    : eagerGaugeVerdict(head, text);
}

/**
 * The verdict {@link LazyGaugeVerdict} reads as, built at once as a plain object: a spread of
 * the lazy verdict reads its own fields in their order and builds its reason, so the field order
 * the eager rules wrote (the static rule's value before its status, a trend's held-out samples
 * after its reason) is written in one place, the class's constructor.
 */
export function eagerGaugeVerdict(head: GaugeHead, text: GaugeText): Verdict {
  return { ...new LazyGaugeVerdict(head, text) } as unknown as Verdict;
}

/**
 * How a lazy gauge verdict is saved in the per-step record (`rollgate.machine/v6`,
 * machine/stored-watch-state.ts `encodeLast`): its own fields but the signal (the record's key),
 * rule and status, and what its reason is built from, named per kind; not the reason.
 */
export type GaugeRecipe = Omit<GaugeHead, 'signal'> & {
  readonly gauge: GaugeKind;
  readonly heldSeconds?: number;
  readonly unit: string;
} & Readonly<Record<string, unknown>>;

/** The names a {@link GaugeRecipe} gives the private fields `a` and `b`, per kind. */
const FIELD_NAMES: Readonly<Record<GaugeKind, readonly [string, string | null]>> = {
  trend: ['limit', 'away'],
  static: ['min', 'max'],
  ratio: ['baseline', null],
};

/**
 * The saved form of a lazy gauge verdict (see {@link GaugeRecipe}). Given the watch's window
 * `[start, end]` (a `rollgate.machine/v7` record's), the verdict's window is left out when it is
 * that window (a load puts it back): no copy of the recipe is made to leave it out.
 */
export function gaugeRecipeOf(v: LazyGaugeVerdict, start?: number, end?: number | null): GaugeRecipe {
  const text = LazyGaugeVerdict.textOf(v);
  const [aName, bName] = FIELD_NAMES[text.kind];
  const recipe: Record<string, unknown> = { gauge: text.kind };
  if (v.segment !== undefined) recipe.segment = v.segment;
  const w = v.window as TimeWindow & Record<string, unknown>;
  if (start === undefined || w.start !== start || w.end !== end || !onlyStartAndEnd(w)) recipe.window = w;
  recipe.samples = v.samples;
  recipe.value = v.value;
  recipe.threshold = v.threshold;
  if (v.statistic !== undefined) recipe.statistic = v.statistic;
  if (v.surgeHeldSteps !== undefined) recipe.surgeHeldSteps = v.surgeHeldSteps;
  if (text.heldSeconds > 0) recipe.heldSeconds = text.heldSeconds;
  recipe.unit = text.unit;
  recipe[aName] = text.a;
  if (bName !== null) recipe[bName] = text.b;
  return recipe as GaugeRecipe;
}

/** Whether a window holds its `start` and `end` and nothing else. */
function onlyStartAndEnd(w: Readonly<Record<string, unknown>>): boolean {
  let n = 0;
  for (const _ in w) n++;
  return n === 2;
}

const isNumberOrNull = (x: unknown): x is number | null => x === null || typeof x === 'number';

/**
 * The lazy verdict a {@link GaugeRecipe} was saved from, or null when the recipe is not one
 * (a damaged record: the caller names it).
 */
export function gaugeVerdictOfRecipe(signal: string, recipe: Record<string, unknown>): Verdict | null {
  const kind = recipe.gauge;
  if (typeof kind !== 'string' || !Object.hasOwn(FIELD_NAMES, kind)) return null;
  const [aName, bName] = FIELD_NAMES[kind as GaugeKind];
  const a = recipe[aName];
  const b = bName === null ? null : recipe[bName];
  const w = recipe.window as TimeWindow | undefined;
  if (
    typeof w !== 'object' ||
    w === null ||
    typeof w.start !== 'number' ||
    typeof w.end !== 'number' ||
    typeof recipe.samples !== 'number' ||
    typeof recipe.value !== 'number' ||
    !isNumberOrNull(recipe.threshold) ||
    !isNumberOrNull(a) ||
    !isNumberOrNull(b) ||
    typeof recipe.unit !== 'string'
  ) {
    return null;
  }
  const head: GaugeHead = {
    signal,
    ...(typeof recipe.segment === 'string' ? { segment: recipe.segment } : {}),
    window: w,
    samples: recipe.samples,
    value: recipe.value,
    threshold: recipe.threshold,
    ...(typeof recipe.statistic === 'object' && recipe.statistic !== null
      ? { statistic: recipe.statistic as TestStatistic }
      : {}),
    ...(typeof recipe.surgeHeldSteps === 'number' ? { surgeHeldSteps: recipe.surgeHeldSteps } : {}),
  };
  return gaugePass(head, {
    kind: kind as GaugeKind,
    unit: recipe.unit,
    a,
    b,
    heldSeconds: typeof recipe.heldSeconds === 'number' ? recipe.heldSeconds : 0,
  });
}
