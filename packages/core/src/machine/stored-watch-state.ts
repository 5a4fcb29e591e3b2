import { type StoredVerdictRecipe, storedRecipeWithout, verdictOfRecipe } from '../evaluation/lazy-verdict';
import {
  AGGREGATE,
  type BaselineSeries,
  type BaselineSnapshot,
  type CountInterval,
  type SegmentState,
  type SignalBaseline,
  type SignalState,
  shareTimeColumns,
  type WatchState,
} from '../evaluation/watch-state';
import { gaugeRecipeOf, gaugeVerdictOfRecipe, isLazyGaugeVerdict } from '../rules/lazy-gauge-verdict';
import type { SequentialState } from '../rules/sequential-count';
import type { Verdict } from '../rules/verdict';
import { firstCopyLogWeight } from '../stats/restart-schedule';
import { fromDeltas, toDeltas } from './time-column';

/**
 * The stored form of a watch's evaluation state in the per-step record (`rollgate.machine/v3` and v4,
 * see `stored-snapshot.ts`), and back. Two things make the record small without changing what
 * a resume sees (the round trip is exact, field for field):
 *
 * - The sequential tests' fields fixed when a test starts (its grid, alpha, threshold, the
 *   baseline counts and the constants derived from them: {@link TEST_CONSTANT_FIELDS}) go into
 *   the `tests` part, written once and again only if one of them differs; the record keeps
 *   the fields that move with every interval. A test whose fixed fields differ from the part
 *   makes the writer save a new part generation, so no value is ever taken from a stale part.
 * - A segment's window of recent count intervals is saved as columns (`t` as differences from
 *   the one before, `events`, `trials`, `tail`, `dense`) instead of one object per interval; so are the
 *   baseline's chart points in the baseline part (`t`, `v`).
 */

/**
 * The fields of a rate test state set when the test is created and not changed by an update
 * (stats/baseline-rate-test.ts and the other rate tests). Only a selection: the writer checks
 * every one of them against the saved part at each save, so a field listed here that did move
 * would cost a part rewrite, never a wrong value.
 */
export const TEST_CONSTANT_FIELDS: readonly string[] = [
  'kind',
  'version',
  'alpha',
  'tolerance',
  'ratios',
  'dispersion',
  'baselineEvents',
  'baselineTrials',
  'anchorRate',
  'baselineInterval',
  'logThreshold',
  'restartShare',
  'restartEvery',
  'method',
  'nullRange',
  'kappa',
  'kappas',
  'boundShare',
  'baselineBound',
];

/** Fixed test fields by `signal`, segment and test key: the value of the `tests` part for one watch. */
export type TestConstants = Record<string, Record<string, Record<string, Record<string, unknown>>>>;

/** Columns of a window of count intervals: `t[0]` is the first time, each next one the difference. */
export interface StoredIntervals {
  readonly t: readonly number[];
  readonly events: readonly number[];
  readonly trials: readonly number[];
  /** Present when an interval has a tail count; null for one without. */
  readonly tail?: readonly (number | null)[];
  /**
   * Present when an interval has a count at the cold-start bound (a warm-up's, evaluation/
   * baseline-snapshot.ts `coldStartBound`); null for one without.
   */
  readonly dense?: readonly (number | null)[];
}

const CONSTANT = new Set(TEST_CONSTANT_FIELDS);

const sameValue = (a: unknown, b: unknown): boolean => {
  if (a === b) return true;
  if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
};

/** The fixed fields of one test state (those of {@link TEST_CONSTANT_FIELDS} it has). */
function constantsOf(test: object): Record<string, unknown> {
  const t = test as Record<string, unknown>;
  const keys: string[] = [];
  for (const f of TEST_CONSTANT_FIELDS) if (f in t && t[f] !== undefined) keys.push(f);
  const out = sizedObject(keys);
  for (const f of keys) out[f] = t[f];
  return out;
}

/**
 * An object of exactly `keys`, in that order, each null until set. The writer keeps the `tests`
 * part it saved for the watch's whole life (stored-snapshot.ts), to compare each step's tests
 * with it. Built key by key from `{}`, an object keeps its fields past the first four in a
 * property store with room to spare, and an object of index keys (a segment's tests: "0")
 * elements with room for 17 (152 B for one); `JSON.parse` makes an object sized to its keys, and
 * setting a key it has keeps that size (docs/benchmarks.md, `heap14-issue-13`). The same keys in
 * the same order, so the same JSON and the same comparisons.
 */
function sizedObject(keys: readonly string[]): Record<string, unknown> {
  const skeleton = `{${keys.map((k) => `${JSON.stringify(k)}:null`).join(',')}}`;
  return JSON.parse(skeleton) as Record<string, unknown>;
}

/** Whether `saved` holds exactly the fixed fields `test` has, with the same values. */
function constantsMatch(test: object, saved: Record<string, unknown> | undefined): boolean {
  if (saved === undefined) return false;
  const t = test as Record<string, unknown>;
  let n = 0;
  for (const f of TEST_CONSTANT_FIELDS) {
    const v = t[f];
    if (v === undefined) continue;
    if (!(f in saved) || !sameValue(v, saved[f])) return false;
    n++;
  }
  // A field the part holds but the test lacks would come back on load: not a match.
  for (const _ in saved) n--;
  return n === 0;
}

/** Whether every test of `watch` finds its fixed fields, unchanged, in `saved`. */
export function testConstantsMatch(watch: WatchState, saved: TestConstants): boolean {
  for (const signal in watch.signals) {
    const segments = (watch.signals[signal] as SignalState).segments;
    for (const segment in segments) {
      const tests = (segments[segment] as SegmentState).tests;
      const savedTests = saved[signal]?.[segment];
      for (const key in tests) {
        if (!constantsMatch(tests[key] as object, savedTests?.[key])) return false;
      }
    }
  }
  return true;
}

/** The fixed fields of every test of `watch`: a new `tests` part. */
export function testConstantsOf(watch: WatchState): TestConstants {
  const out: TestConstants = {};
  for (const signal in watch.signals) {
    const segments = (watch.signals[signal] as SignalState).segments;
    for (const segment in segments) {
      const tests = (segments[segment] as SegmentState).tests;
      const byKey = sizedObject(Object.keys(tests)) as Record<string, Record<string, unknown>>;
      for (const key in tests) byKey[key] = constantsOf(tests[key] as object);
      const bySegment = out[signal] ?? {};
      bySegment[segment] = byKey;
      out[signal] = bySegment;
    }
  }
  return out;
}

/** Whether `test` and `holder` have the same fixed fields: each of {@link TEST_CONSTANT_FIELDS} absent from both or equal. */
function sameConstants(test: Record<string, unknown>, holder: Record<string, unknown>): boolean {
  for (const f of TEST_CONSTANT_FIELDS) {
    const a = test[f];
    const b = holder[f];
    if (a === undefined ? b !== undefined : b === undefined || !sameValue(a, b)) return false;
  }
  return true;
}

/**
 * What a writer keeps of the `tests` part it saved, to check each later watch state against it,
 * in place of a copy of the part's fixed fields (docs/benchmarks.md, `fleet23-issue-13`): per
 * test, its path (signal, segment, key) and a holder, an object whose fixed fields are the
 * part's. A part written from a watch state holds that state's test states; a part loaded from
 * the store, its own objects. A test found to match takes its holder's place (equal fixed fields
 * are equal to the part's), so the witness refers to the tests of the state saved last, which
 * the snapshot holds anyway, and costs its paths and references, not a copy of every test's
 * constants. Test states are immutable, so a test that is its holder matches without a look at
 * its fields. The answers are those of {@link testConstantsMatch} against the part.
 */
export class TestConstantsWitness {
  /**
   * Per entry, {@link ENTRY} slots: signal, segment and key, the holder (null for an entry that
   * keeps a segment without tests or a signal without segments in the part) and what the entry
   * is (`STATE_TEST`, `LOADED_TEST`, `EMPTY_SEGMENT`, `EMPTY_SIGNAL`). One array sized to its
   * entries: a witness is kept for the watch's life, and arrays grown by push keep room to spare.
   */
  #entries: unknown[] = [];

  /** The witness of a part written from `watch`'s tests ({@link testConstantsOf}). */
  static of(watch: WatchState): TestConstantsWitness {
    const entries: unknown[] = [];
    for (const signal in watch.signals) {
      const segments = (watch.signals[signal] as SignalState).segments;
      for (const segment in segments) {
        const tests = (segments[segment] as SegmentState).tests;
        let any = false;
        for (const key in tests) {
          entries.push(signal, segment, key, tests[key], STATE_TEST);
          any = true;
        }
        if (!any) entries.push(signal, segment, '', null, EMPTY_SEGMENT);
      }
    }
    return TestConstantsWitness.#with(entries);
  }

  /** The witness of a part as saved (a loaded `tests` part's `bake` or `verify`). */
  static ofPart(part: TestConstants): TestConstantsWitness {
    const entries: unknown[] = [];
    for (const signal in part) {
      const segments = part[signal] as Record<string, Record<string, Record<string, unknown>>>;
      let anySegment = false;
      for (const segment in segments) {
        const tests = segments[segment] as Record<string, Record<string, unknown>>;
        let any = false;
        for (const key in tests) {
          entries.push(signal, segment, key, tests[key], LOADED_TEST);
          any = true;
        }
        if (!any) entries.push(signal, segment, '', null, EMPTY_SEGMENT);
        anySegment = true;
      }
      if (!anySegment) entries.push(signal, '', '', null, EMPTY_SIGNAL);
    }
    return TestConstantsWitness.#with(entries);
  }

  static #with(entries: unknown[]): TestConstantsWitness {
    const out = new TestConstantsWitness();
    // A copy holds no spare room (`slice` sizes its elements to the length).
    out.#entries = entries.slice();
    return out;
  }

  /**
   * The index of the test at `signal`, `segment`, `key`, or -1 when the part does not hold it.
   * `hint` is where it is looked for first (the one after the last found: a watch walks its
   * tests in the order the part was written from, so a look is one comparison).
   */
  find(hint: number, signal: string, segment: string, key: string): number {
    // No closure for the comparison: find runs for every test at every save.
    const e = this.#entries;
    const n = e.length / ENTRY;
    for (let k = -1; k < n; k++) {
      const i = k === -1 ? hint : k;
      if (i >= n || (k !== -1 && i === hint)) continue;
      const at = ENTRY * i;
      if (e[at + 3] !== null && e[at + 2] === key && e[at + 1] === segment && e[at] === signal) return i;
    }
    return -1;
  }

  /**
   * Whether `test` has the fixed fields of the part's test `i` (found by {@link find}); if so it
   * becomes that test's holder.
   */
  check(i: number, test: object): boolean {
    const e = this.#entries;
    const holder = e[ENTRY * i + 3] as Record<string, unknown>;
    if (holder === test) return true;
    const t = test as Record<string, unknown>;
    const loaded = e[ENTRY * i + 4] === LOADED_TEST;
    if (!(loaded ? constantsMatch(t, holder) : sameConstants(t, holder))) return false;
    e[ENTRY * i + 3] = t;
    e[ENTRY * i + 4] = STATE_TEST;
    return true;
  }

  /** Whether every test of `watch` matches the part (as {@link testConstantsMatch}). */
  matches(watch: WatchState): boolean {
    let next = 0;
    for (const signal in watch.signals) {
      const segments = (watch.signals[signal] as SignalState).segments;
      for (const segment in segments) {
        const tests = (segments[segment] as SegmentState).tests;
        for (const key in tests) {
          const i = this.find(next, signal, segment, key);
          if (i === -1 || !this.check(i, tests[key] as unknown as object)) return false;
          next = i + 1;
        }
      }
    }
    return true;
  }

  /** The part's value again, as {@link testConstantsOf} wrote it (or as it was loaded). */
  part(): TestConstants {
    const out: TestConstants = {};
    const e = this.#entries;
    const n = e.length / ENTRY;
    for (let i = 0; i < n; ) {
      const signal = e[ENTRY * i] as string;
      const bySegment = out[signal] ?? {};
      out[signal] = bySegment;
      if (e[ENTRY * i + 4] === EMPTY_SIGNAL) {
        i++;
        continue;
      }
      const segment = e[ENTRY * i + 1] as string;
      let end = i;
      const keys: string[] = [];
      while (end < n && e[ENTRY * end] === signal && e[ENTRY * end + 1] === segment) {
        if (e[ENTRY * end + 3] !== null) keys.push(e[ENTRY * end + 2] as string);
        end++;
      }
      const byKey = sizedObject(keys) as Record<string, Record<string, unknown>>;
      for (let j = i; j < end; j++) {
        const holder = e[ENTRY * j + 3] as Record<string, unknown> | null;
        if (holder === null) continue;
        byKey[e[ENTRY * j + 2] as string] = e[ENTRY * j + 4] === LOADED_TEST ? holder : constantsOf(holder);
      }
      bySegment[segment] = byKey;
      i = end;
    }
    return out;
  }
}

/** Slots of an entry of a {@link TestConstantsWitness}. */
const ENTRY = 5;

/**
 * What an entry of a {@link TestConstantsWitness} is: a test whose holder is a test state (the
 * part written from it, or a later state that matched), a test whose holder is the loaded part's
 * own object of fixed fields, a segment without tests, a signal without segments (a loaded
 * part's only).
 */
const STATE_TEST = 0;
const LOADED_TEST = 1;
const EMPTY_SEGMENT = 2;
const EMPTY_SIGNAL = 3;

function encodeIntervals(recent: readonly CountInterval[]): StoredIntervals {
  const n = recent.length;
  // Columns built by push stay packed: JSON.stringify writes a holey array (`new Array(n)`)
  // element by element on its slow path, about twice the time for a column of integers. `t` as
  // `toDeltas` writes it, in the same pass (no array of the times first).
  const t: number[] = [];
  const events: number[] = [];
  const trials: number[] = [];
  let tail: (number | null)[] | undefined;
  let dense: (number | null)[] | undefined;
  let before = 0;
  for (let i = 0; i < n; i++) {
    const interval = recent[i] as CountInterval;
    t.push(interval.t - before);
    before = interval.t;
    events.push(interval.events);
    trials.push(interval.trials);
    if (interval.tail !== undefined && tail === undefined) tail = nulls(i);
    tail?.push(interval.tail ?? null);
    if (interval.dense !== undefined && dense === undefined) dense = nulls(i);
    dense?.push(interval.dense ?? null);
  }
  const columns: StoredIntervals = tail === undefined ? { t, events, trials } : { t, events, trials, tail };
  return dense === undefined ? columns : { ...columns, dense };
}

/** A packed column of `n` nulls, to be continued by push. */
function nulls(n: number): (number | null)[] {
  const out: (number | null)[] = [];
  for (let j = 0; j < n; j++) out.push(null);
  return out;
}

function decodeIntervals(stored: StoredIntervals): CountInterval[] {
  const times = fromDeltas(stored.t);
  const out: CountInterval[] = new Array(times.length);
  for (let i = 0; i < times.length; i++) {
    const tail = stored.tail?.[i];
    const dense = stored.dense?.[i];
    out[i] = {
      t: times[i] as number,
      events: stored.events[i] as number,
      trials: stored.trials[i] as number,
      ...(tail === null || tail === undefined ? {} : { tail }),
      ...(dense === null || dense === undefined ? {} : { dense }),
    };
  }
  return out;
}

/**
 * `watch` as the per-step record stores it: each test without its fixed fields (the caller
 * saved them in the `tests` part, see {@link testConstantsMatch}), count windows as columns.
 */
export function encodeWatchState(watch: WatchState): unknown {
  return encodeCheckedWatchState(watch, null).stored;
}

/** A watch state's stored form, and whether the `tests` part it was checked against holds its tests' fixed fields. */
export interface CheckedWatchState {
  readonly stored: Record<string, unknown>;
  /** {@link testConstantsMatch} of the watch and the part; true when no part was given. */
  readonly matches: boolean;
}

/**
 * {@link encodeWatchState} and `saved.matches(watch)` ({@link TestConstantsWitness}: as
 * {@link testConstantsMatch} against the part) in one walk of the watch state: a test's moving
 * fields are copied into the stored test and, while every test so far matched, the test is
 * checked against the part's (docs/benchmarks.md, `save14-issue-13`, `fleet23-issue-13`).
 * `saved` null skips the check. The stored form does not depend on the part, so a test that no
 * longer matches is encoded the same and the caller writes a new part.
 */
export function encodeCheckedWatchState(
  watch: WatchState,
  saved: TestConstantsWitness | null,
): CheckedWatchState {
  let matches = true;
  let next = 0;
  const signals: Record<string, unknown> = {};
  for (const signal in watch.signals) {
    const state = watch.signals[signal] as SignalState;
    const segments: Record<string, unknown> = {};
    for (const segment in state.segments) {
      const seg = state.segments[segment] as SegmentState;
      const tests: Record<string, unknown> = {};
      for (const key in seg.tests) {
        const test = seg.tests[key] as unknown as Record<string, unknown>;
        // Checked only while every test so far matched, as testConstantsMatch stops at the first;
        // a test the part does not hold never matches, even one without a fixed field.
        if (saved !== null && matches) {
          const i = saved.find(next, signal, segment, key);
          matches = i !== -1 && saved.check(i, test);
          next = i + 1;
        }
        const moving: Record<string, unknown> = {};
        // v7: the observed counts are left out when they equal the weighed ones (no dispersion:
        // the usual case), and saved as null when the test lacks them; the first restart copy
        // as 0 (`withoutFirstCopy`); `decodeWatchState` restores both.
        const counted = typeof test.events === 'number' && typeof test.trials === 'number';
        for (const f in test) {
          const v = test[f];
          if (counted && (f === 'observedEvents' || f === 'observedTrials')) {
            if (v !== (f === 'observedEvents' ? test.events : test.trials)) moving[f] = v ?? null;
          } else if (f === 'copies') {
            moving[f] = withoutFirstCopy(v, test);
          } else if (!CONSTANT.has(f)) {
            moving[f] = v;
          }
        }
        if (counted) {
          if (!('observedEvents' in test) || test.observedEvents === undefined) moving.observedEvents = null;
          if (!('observedTrials' in test) || test.observedTrials === undefined) moving.observedTrials = null;
        }
        tests[key] = moving;
      }
      segments[segment] = { ...seg, recent: encodeIntervals(seg.recent), tests };
    }
    signals[signal] =
      state.last === null
        ? { ...state, segments }
        : { ...state, segments, last: encodeLast(signal, state, watch) };
  }
  return { stored: { ...watch, signals }, matches };
}

/**
 * A signal's `last` summary with each verdict built on read saved as what it is built from
 * (`{ onRead: recipe }`), not its text and interval: a save at every step no longer builds them.
 * A sequential test's recipe names its test (`rollgate.machine/v5`; docs/benchmarks.md,
 * "verdict13-issue-13"); a gauge's pass holds its numbers (`{ gauge, ... }`, v6; "gauge13-issue-13").
 * Other verdicts as they are.
 */
function encodeLast(signal: string, state: SignalState, watch: WatchState): unknown {
  const last = state.last as NonNullable<SignalState['last']>;
  let verdicts: unknown[] | null = null;
  const end = watch.lastEvaluatedAt;
  for (let i = 0; i < last.verdicts.length; i++) {
    const v = last.verdicts[i] as Verdict;
    // v7: the recipe without the fields a load rebuilds (`recipeDefaults`), built so at once.
    let recipe: unknown;
    if (isLazyGaugeVerdict(v)) {
      recipe = gaugeRecipeOf(v, watch.warmupEndsAt, end);
    } else {
      const segment = state.segments[v.segment ?? AGGREGATE];
      recipe = storedRecipeWithout(v, segment?.tests, watch.deployAt, end, segment?.newestT);
    }
    if (recipe === null) {
      verdicts?.push(v);
      continue;
    }
    verdicts ??= last.verdicts.slice(0, i);
    verdicts.push({ onRead: recipe });
  }
  // v7: the summary without what the signal's state says (its key, its consecutive counts).
  const out: Record<string, unknown> = {};
  const summary = last as unknown as Record<string, unknown>;
  for (const f in summary) {
    const v = summary[f];
    if (
      f === 'signal'
        ? v === signal
        : f === 'consecutiveBreaches'
          ? v === state.consecutiveBreaches
          : f === 'consecutiveErrors' && v === state.consecutiveErrors
    )
      continue;
    out[f] = f === 'verdicts' && verdicts !== null ? verdicts : v;
  }
  return out;
}

/**
 * A v7 signal's `last` summary with the fields {@link encodeLast} leaves out back, from the
 * signal's key and state, in the order the evaluator writes them (the key first, the counts last).
 */
function summaryDefaults(
  last: Record<string, unknown>,
  signal: string,
  state: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = 'signal' in last ? { ...last } : { signal, ...last };
  if (!('consecutiveBreaches' in last)) out.consecutiveBreaches = state.consecutiveBreaches;
  if (!('consecutiveErrors' in last)) out.consecutiveErrors = state.consecutiveErrors;
  return out;
}

/**
 * The fields of a v7 recipe left out by {@link encodeLast} back (`storedRecipeWithout`, `gaugeRecipeOf`), from the watch (its start
 * or warm-up end and its last evaluation: the window), the recipe's segment (`newestT`) and its
 * test (`samples`, its trials); a field the record holds is its own.
 */
function recipeDefaults(
  recipe: Record<string, unknown>,
  watch: Record<string, unknown>,
  segment: Record<string, unknown> | undefined,
  test: Record<string, unknown> | undefined,
): Record<string, unknown> {
  const gauge = recipe.gauge !== undefined;
  const out: Record<string, unknown> = { ...recipe };
  if (!('window' in recipe)) {
    out.window = { start: gauge ? watch.warmupEndsAt : watch.deployAt, end: watch.lastEvaluatedAt };
  }
  if (!gauge) {
    if (!('newestT' in recipe) && segment !== undefined) out.newestT = segment.newestT;
    if (!('samples' in recipe) && test !== undefined) out.samples = test.trials;
    if (!('surgeHeld' in recipe)) out.surgeHeld = 0;
  }
  return out;
}

/**
 * The `last` verdicts of a `rollgate.machine/v5` or v6 watch state (decoded by {@link decodeWatchState},
 * its baseline attached) built back from their saved recipes, as the signal kept them: the text
 * reads as it did when it was saved. Throws `corrupt(message)` for a recipe whose test is not
 * saved, or a gauge's recipe without its numbers.
 */
export function decodeLastVerdicts(
  watch: unknown,
  field: string,
  corrupt: (message: string) => Error,
  derived = false,
): unknown {
  if (!isObject(watch) || !isObject(watch.signals)) return watch;
  const baseline = isObject(watch.baseline) && isObject(watch.baseline.signals) ? watch.baseline.signals : {};
  let changed = false;
  const signals: Record<string, unknown> = {};
  for (const [signal, state] of Object.entries(watch.signals)) {
    const last = isObject(state) ? state.last : undefined;
    if (!isObject(state) || !isObject(last) || !Array.isArray(last.verdicts) || !isObject(state.segments)) {
      signals[signal] = state;
      continue;
    }
    const segments = state.segments;
    const verdicts = last.verdicts.map((v: unknown, i: number) => {
      if (!isObject(v) || !isObject(v.onRead)) return v;
      let onRead = v.onRead;
      if (derived) {
        // v7: the fields left out because the record holds them elsewhere, back.
        const seg = segments[typeof onRead.segment === 'string' ? onRead.segment : AGGREGATE];
        const tests = isObject(seg) && isObject(seg.tests) ? seg.tests : undefined;
        const t = tests !== undefined && typeof onRead.test === 'string' ? tests[onRead.test] : undefined;
        onRead = recipeDefaults(onRead, watch, isObject(seg) ? seg : undefined, isObject(t) ? t : undefined);
      }
      if (onRead.gauge !== undefined) {
        // A gauge's pass (v6): built when read again, as the signal kept it.
        const gauge = gaugeVerdictOfRecipe(signal, onRead);
        if (gauge === null) {
          throw corrupt(
            `${field}.signals["${signal}"].last.verdicts[${i}] is a gauge verdict's recipe without the numbers its kind "${String(onRead.gauge)}" needs.`,
          );
        }
        return gauge;
      }
      const recipe = onRead as unknown as StoredVerdictRecipe;
      const segment = segments[recipe.segment ?? AGGREGATE];
      const test = isObject(segment) && isObject(segment.tests) ? segment.tests[recipe.test] : undefined;
      if (!isObject(test) || typeof recipe.what !== 'string' || !isObject(recipe.window)) {
        throw corrupt(
          `${field}.signals["${signal}"].last.verdicts[${i}] is built from test "${String(recipe.test)}", which its segment does not hold.`,
        );
      }
      const b = baseline[signal];
      const drift =
        isObject(b) && isObject(b.drift) ? (b.drift as unknown as SignalBaseline['drift']) : undefined;
      return verdictOfRecipe(signal, recipe, test as unknown as SequentialState, drift);
    });
    changed = true;
    signals[signal] = {
      ...state,
      last: derived ? summaryDefaults({ ...last, verdicts }, signal, state) : { ...last, verdicts },
    };
  }
  return changed ? { ...watch, signals } : watch;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const isNumbers = (v: unknown): v is number[] => Array.isArray(v) && v.every((x) => typeof x === 'number');

/** An optional column (`tail`, `dense`): absent, or numbers and nulls as long as the window. */
const optionalColumn = (v: unknown, length: number): boolean =>
  v === undefined ||
  (Array.isArray(v) && v.length === length && v.every((x) => x === null || typeof x === 'number'));

/**
 * A watch state of a `rollgate.machine/v3` or v4 record back in full, with the fixed test fields of
 * `constants`. Throws `corrupt(message)` naming what is wrong when the stored form is damaged;
 * a value that is not a watch state passes unchanged for the snapshot's own check to name.
 */
export function decodeWatchState(
  stored: unknown,
  constants: TestConstants,
  field: string,
  corrupt: (message: string) => Error,
  derived = false,
): unknown {
  if (!isObject(stored) || !isObject(stored.signals)) return stored;
  const signals: Record<string, unknown> = {};
  for (const [signal, state] of Object.entries(stored.signals)) {
    if (!isObject(state) || !isObject(state.segments)) {
      signals[signal] = state;
      continue;
    }
    const segments: Record<string, unknown> = {};
    for (const [segment, seg] of Object.entries(state.segments)) {
      const where = `${field}.signals["${signal}"].segments["${segment}"]`;
      if (!isObject(seg) || !isObject(seg.tests) || !isObject(seg.recent)) {
        throw corrupt(`${where} is not a stored segment (recent columns and tests).`);
      }
      const r = seg.recent;
      if (
        !isNumbers(r.t) ||
        !isNumbers(r.events) ||
        !isNumbers(r.trials) ||
        r.events.length !== r.t.length ||
        r.trials.length !== r.t.length ||
        !optionalColumn(r.tail, r.t.length) ||
        !optionalColumn(r.dense, r.t.length)
      ) {
        throw corrupt(`${where}.recent must be columns of numbers of one length.`);
      }
      const tests: Record<string, unknown> = {};
      for (const [key, moving] of Object.entries(seg.tests)) {
        const fixed = constants[signal]?.[segment]?.[key];
        if (fixed === undefined || !isObject(moving)) {
          throw corrupt(
            `${where}.tests["${key}"] needs its fixed fields from the tests part, which does not hold them.`,
          );
        }
        tests[key] = derived ? withObserved({ ...fixed, ...moving }) : { ...fixed, ...moving };
      }
      segments[segment] = { ...seg, recent: decodeIntervals(r as unknown as StoredIntervals), tests };
    }
    signals[signal] = { ...state, segments };
  }
  return { ...stored, signals };
}

/**
 * The first restart copy a rate test starts with and keeps (stats/baseline-rate-test.ts: no
 * counts, its weight fixed by `restartShare`).
 */
function firstCopy(test: Record<string, unknown>): { events: number; trials: number; logWeight: number } {
  return { events: 0, trials: 0, logWeight: firstCopyLogWeight(test.restartShare as number) };
}

/**
 * A test's `copies` as v7 saves them: the first as 0 when it is the copy {@link firstCopy} builds
 * back from the test's `restartShare` (the same keys, in order, and values), else as they are.
 */
function withoutFirstCopy(copies: unknown, test: Record<string, unknown>): unknown {
  if (!Array.isArray(copies) || copies.length === 0) return copies;
  const c = copies[0] as Record<string, unknown>;
  if (typeof c !== 'object' || c === null) return copies;
  const want = firstCopy(test);
  let n = 0;
  for (const k in c) {
    if (
      k !== (n === 0 ? 'events' : n === 1 ? 'trials' : 'logWeight') ||
      !Object.is(c[k], want[k as keyof typeof want])
    ) {
      return copies;
    }
    n++;
  }
  if (n !== 3) return copies;
  const out: unknown[] = [0];
  for (let i = 1; i < copies.length; i++) out.push(copies[i]);
  return out;
}

/**
 * A v7 test with its first restart copy (saved as 0, {@link withoutFirstCopy}) and its observed
 * counts as the writer had them: absent in the record, equal to the weighed counts; null, absent
 * from the test (see `encodeCheckedWatchState`).
 */
function withObserved(test: Record<string, unknown>): Record<string, unknown> {
  const copies = test.copies;
  if (Array.isArray(copies) && copies[0] === 0) {
    test.copies = [firstCopy(test)].concat(copies.slice(1));
  }
  if (typeof test.events !== 'number' || typeof test.trials !== 'number') return test;
  if (!('observedEvents' in test)) test.observedEvents = test.events;
  else if (test.observedEvents === null) delete test.observedEvents;
  if (!('observedTrials' in test)) test.observedTrials = test.trials;
  else if (test.observedTrials === null) delete test.observedTrials;
  return test;
}

/**
 * The baseline as its part saves it (`rollgate.machine/v3`, v4): each signal's chart points as two
 * columns, `t` (differences from the point before, the first absolute) and `v`.
 */
export function encodeBaseline(baseline: BaselineSnapshot): unknown {
  const signals: Record<string, unknown> = {};
  for (const signal in baseline.signals) {
    const b = baseline.signals[signal] as SignalBaseline;
    if (b.series === undefined) {
      signals[signal] = b;
      continue;
    }
    // In memory the series is already columns (BaselineSeries); stored, `t` as differences.
    const t = toDeltas(b.series.t);
    signals[signal] = { ...b, series: { kind: b.series.kind, points: { t, v: b.series.v } } };
  }
  return { ...baseline, signals };
}

/** A baseline saved by {@link encodeBaseline} back in full; `corrupt(message)` is thrown when damaged. */
export function decodeBaseline(stored: unknown, corrupt: (message: string) => Error): unknown {
  if (!isObject(stored) || !isObject(stored.signals)) return stored;
  const signals: Record<string, unknown> = {};
  for (const [signal, b] of Object.entries(stored.signals)) {
    if (!isObject(b) || !isObject(b.series) || !isObject(b.series.points)) {
      signals[signal] = b;
      continue;
    }
    const { t, v } = b.series.points;
    if (
      !isNumbers(t) ||
      !Array.isArray(v) ||
      v.length !== t.length ||
      !v.every((x) => x === null || typeof x === 'number')
    ) {
      throw corrupt(
        `the baseline of "${signal}" has chart points that are not columns t and v of one length.`,
      );
    }
    const series: BaselineSeries = { kind: b.series.kind as BaselineSeries['kind'], t: fromDeltas(t), v };
    signals[signal] = { ...b, series };
  }
  // As the evaluator keeps it: equal time columns shared (evaluation/watch-state.ts `shareTimeColumns`).
  return shareTimeColumns({ ...stored, signals } as unknown as BaselineSnapshot);
}

/**
 * A baseline as saved before its series were columns (`rollgate.machine/v1` and `/v2`: each
 * signal's `series.points` as `{ t, v }` objects) with every series as {@link BaselineSeries};
 * anything else (already columns, no series, not an object) as it is. The same input object
 * gives the same output object, so a bake and a verify watch sharing one baseline still do.
 */
export function columnBaseline(stored: unknown, seen: Map<unknown, unknown>): unknown {
  if (!isObject(stored) || !isObject(stored.signals)) return stored;
  const known = seen.get(stored);
  if (known !== undefined) return known;
  let changed = false;
  const signals: Record<string, unknown> = {};
  for (const [signal, b] of Object.entries(stored.signals)) {
    const points = isObject(b) && isObject(b.series) ? b.series.points : undefined;
    if (!Array.isArray(points) || !isObject(b) || !isObject(b.series)) {
      signals[signal] = b;
      continue;
    }
    const t: number[] = [];
    const v: (number | null)[] = [];
    for (const p of points) {
      t.push(isObject(p) ? (p.t as number) : Number.NaN);
      v.push(isObject(p) ? (p.v as number | null) : null);
    }
    const { points: _, ...rest } = b.series;
    signals[signal] = { ...b, series: { ...rest, t, v } };
    changed = true;
  }
  const out = changed ? { ...stored, signals } : stored;
  seen.set(stored, out);
  return out;
}
