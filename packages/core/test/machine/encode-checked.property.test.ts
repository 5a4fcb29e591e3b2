import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultContract } from '../../src/contract/default-contract';
import { createWatchState, type SegmentState, type WatchState } from '../../src/evaluation/watch-state';
import type { MachineSnapshot } from '../../src/machine/machine-state';
import { loadStoredSnapshot, StoredSnapshotWriter } from '../../src/machine/stored-snapshot';
import {
  encodeCheckedWatchState,
  encodeWatchState,
  TEST_CONSTANT_FIELDS,
  type TestConstants,
  TestConstantsWitness,
  testConstantsMatch,
  testConstantsOf,
} from '../../src/machine/stored-watch-state';
import type { SequentialState } from '../../src/rules/sequential-count';
import { world } from './world';

/**
 * The save's plan encodes a watch state and checks its tests' fixed fields against the `tests`
 * part in one walk (machine/stored-watch-state.ts `encodeCheckedWatchState`; docs/benchmarks.md,
 * `save14-issue-13`), where it encoded the state and then compared the part field by field.
 * `replacedMatch` and `replacedMoving` are the replaced code, copied here: the one walk must
 * give the same stored text and the same answer.
 */
const CONSTANT = new Set(TEST_CONSTANT_FIELDS);

const sameValue = (a: unknown, b: unknown): boolean => {
  if (a === b) return true;
  if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
};

function replacedConstantsMatch(test: object, saved: Record<string, unknown> | undefined): boolean {
  if (saved === undefined) return false;
  const t = test as Record<string, unknown>;
  let n = 0;
  for (const f of TEST_CONSTANT_FIELDS) {
    const v = t[f];
    if (v === undefined) continue;
    if (!(f in saved) || !sameValue(v, saved[f])) return false;
    n++;
  }
  for (const _ in saved) n--;
  return n === 0;
}

function replacedMatch(watch: WatchState, saved: TestConstants): boolean {
  for (const signal in watch.signals) {
    const segments = watch.signals[signal]?.segments ?? {};
    for (const segment in segments) {
      const tests = (segments[segment] as SegmentState).tests;
      const savedTests = saved[signal]?.[segment];
      for (const key in tests) {
        if (!replacedConstantsMatch(tests[key] as object, savedTests?.[key])) return false;
      }
    }
  }
  return true;
}

/**
 * The replaced code's moving fields, with what `rollgate.machine/v7` changed: a test with
 * numeric `events` and `trials` leaves out an observed count equal to its weighed one and saves
 * an absent one as null (appended after the others).
 */
function replacedMoving(test: object): Record<string, unknown> {
  const t = test as Record<string, unknown>;
  const moving: Record<string, unknown> = {};
  const counted = typeof t.events === 'number' && typeof t.trials === 'number';
  for (const f in t) {
    if (counted && f === 'observedEvents') {
      if (t[f] !== t.events) moving[f] = t[f] ?? null;
    } else if (counted && f === 'observedTrials') {
      if (t[f] !== t.trials) moving[f] = t[f] ?? null;
    } else if (!CONSTANT.has(f)) moving[f] = t[f];
  }
  if (counted && t.observedEvents === undefined) moving.observedEvents = null;
  if (counted && t.observedTrials === undefined) moving.observedTrials = null;
  return moving;
}

const value = fc.oneof(
  fc.double({ noNaN: true }),
  fc.integer(),
  fc.constantFrom('baseline', 'joint', 'bound', 'sprt'),
  fc.array(fc.double({ noNaN: true, noDefaultInfinity: true }), { maxLength: 4 }),
  fc.constant(undefined),
);

/** A test state: some fixed fields and some moving ones, in a random order. */
const testState = fc
  .record({
    fixed: fc.dictionary(fc.constantFrom(...TEST_CONSTANT_FIELDS), value),
    moving: fc.dictionary(
      fc.constantFrom(
        'events',
        'trials',
        'observedEvents',
        'observedTrials',
        'logE',
        'restarts',
        'copies',
        'tailCap',
      ),
      value,
    ),
    movingFirst: fc.boolean(),
  })
  .map(
    ({ fixed, moving, movingFirst }) =>
      (movingFirst ? { ...moving, ...fixed } : { ...fixed, ...moving }) as unknown as SequentialState,
  );

const testsArb = fc.dictionary(fc.constantFrom('0', '1', '0:tail', '10'), testState, { maxKeys: 3 });

function watchWith(signals: Record<string, Record<string, Record<string, SequentialState>>>): WatchState {
  const watch = createWatchState(defaultContract('checkout'), 1_700_000_000_000);
  const template = Object.values(watch.signals)[0] as WatchState['signals'][string];
  const out: Record<string, WatchState['signals'][string]> = {};
  for (const [signal, segments] of Object.entries(signals)) {
    const bySegment: Record<string, SegmentState> = {};
    for (const [segment, tests] of Object.entries(segments)) {
      bySegment[segment] = {
        recent: [
          { t: 1_700_000_005_000, events: 2, trials: 300 },
          { t: 1_700_000_010_000, events: 0, trials: 310, tail: 1 },
        ],
        tests,
        newestT: null,
        events: 2,
        trials: 610,
        warmup: { events: 0, trials: 0 },
        pending: [],
      };
    }
    out[signal] = { ...template, segments: bySegment };
  }
  return { ...watch, signals: out };
}

const watchArb = fc
  .dictionary(
    fc.constantFrom('error-rate', 'latency-p99'),
    fc.dictionary(fc.constantFrom('', 'region=eu'), testsArb, { maxKeys: 2 }),
    { maxKeys: 2 },
  )
  .map(watchWith);

/** A part changed in one place: a fixed value, a field dropped or added, a test dropped. */
function altered(part: TestConstants, how: number, extra: unknown): TestConstants {
  const copy = structuredClone(part);
  for (const signal in copy) {
    for (const segment in copy[signal]) {
      const tests = copy[signal]?.[segment] ?? {};
      for (const key in tests) {
        const fields = tests[key] as Record<string, unknown>;
        const first = Object.keys(fields)[0];
        if (how === 0 && first !== undefined) fields[first] = extra;
        else if (how === 1 && first !== undefined) delete fields[first];
        else if (how === 2)
          fields[TEST_CONSTANT_FIELDS[(Object.keys(fields).length * 7) % 19] as string] = extra;
        else delete tests[key];
        return copy;
      }
    }
  }
  return copy;
}

/** Every stored test of `stored` against the replaced code's copy of the same test: same keys, in order, same values. */
function expectMovingAsReplaced(watch: WatchState, stored: Record<string, unknown>): void {
  const signals = stored.signals as Record<
    string,
    { segments: Record<string, { tests: Record<string, object> }> }
  >;
  for (const signal in watch.signals) {
    const segments = watch.signals[signal]?.segments ?? {};
    for (const segment in segments) {
      const tests = (segments[segment] as SegmentState).tests;
      const got = signals[signal]?.segments[segment]?.tests ?? {};
      expect(Object.keys(got)).toEqual(Object.keys(tests));
      for (const key in tests) {
        const want = replacedMoving(tests[key] as object);
        const have = got[key] as Record<string, unknown>;
        expect(Object.keys(have)).toEqual(Object.keys(want));
        for (const f in want) expect(Object.is(have[f], want[f])).toBe(true);
      }
    }
  }
}

describe('a watch state encoded and checked in one walk (encodeCheckedWatchState)', () => {
  it('property: the same stored text as the encoding alone, and the same answer as the replaced check', () => {
    fc.assert(
      fc.property(watchArb, watchArb, fc.nat(3), value, (watch, other, how, extra) => {
        const own = testConstantsOf(watch);
        const parts: TestConstants[] = [
          own,
          JSON.parse(JSON.stringify(own)) as TestConstants,
          testConstantsOf(other),
          altered(own, how, extra),
          {},
        ];
        const alone = encodeWatchState(watch);
        const unchecked = encodeCheckedWatchState(watch, null);
        expect(unchecked.matches).toBe(true);
        expect(JSON.stringify(unchecked.stored)).toBe(JSON.stringify(alone));
        expectMovingAsReplaced(watch, unchecked.stored);
        for (const part of parts) {
          const checked = encodeCheckedWatchState(watch, TestConstantsWitness.ofPart(part));
          expect(checked.matches).toBe(replacedMatch(watch, part));
          expect(checked.matches).toBe(testConstantsMatch(watch, part));
          expect(JSON.stringify(checked.stored)).toBe(JSON.stringify(alone));
        }
        // The part made from the watch always matches it.
        expect(encodeCheckedWatchState(watch, TestConstantsWitness.ofPart(own)).matches).toBe(true);
        // The witness of the watch's own tests (what the writer keeps of a part it wrote) too.
        expect(encodeCheckedWatchState(watch, TestConstantsWitness.of(watch)).matches).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('a test without any fixed field matches only a part that holds it (empty)', () => {
    const bare = { events: 1, logE: -0.5 } as unknown as SequentialState;
    const watch = watchWith({ 'error-rate': { '': { '0': bare } } });
    const check = (part: TestConstants): boolean =>
      encodeCheckedWatchState(watch, TestConstantsWitness.ofPart(part)).matches;
    expect(check({ 'error-rate': { '': { '0': {} } } })).toBe(true);
    expect(check({ 'error-rate': { '': {} } })).toBe(false);
    expect(check({})).toBe(false);
    expect(replacedMatch(watch, {})).toBe(false);
  });
});

/** `snapshot` with the first bake test that has an `alpha` given `alpha` doubled (a fixed field that moved). */
function withMovedAlpha(snapshot: MachineSnapshot): { moved: MachineSnapshot; alpha: number; at: string[] } {
  for (const [signal, state] of Object.entries(snapshot.bake.signals)) {
    for (const [segment, seg] of Object.entries(state.segments)) {
      for (const [key, test] of Object.entries(seg.tests)) {
        const alpha = (test as unknown as { alpha?: number }).alpha;
        if (typeof alpha !== 'number') continue;
        const tests = { ...seg.tests, [key]: { ...test, alpha: alpha * 2 } };
        const segments = { ...state.segments, [segment]: { ...seg, tests } };
        const signals = { ...snapshot.bake.signals, [signal]: { ...state, segments } };
        return {
          moved: { ...snapshot, bake: { ...snapshot.bake, signals } },
          alpha: alpha * 2,
          at: [signal, segment, key],
        };
      }
    }
  }
  throw new Error('no test with an alpha');
}

const testsParts = (plan: { parts: readonly { key: string }[] }): number =>
  plan.parts.filter((p) => p.key.includes('/tests-')).length;

describe('the writer checks the tests part in the same walk', () => {
  it('writes a new tests part when a fixed field moved, again after a save that failed, and loads it back', async () => {
    const w = world({ contract: { bakeSeconds: 300 }, bakeSteps: 100 });
    let last: MachineSnapshot | null = null;
    w.controller.events.on('step', ({ snapshot }) => {
      last = snapshot;
    });
    expect((await w.watch()).outcome).toBe('promoted');
    const saved = last as unknown as MachineSnapshot;
    const writer = new StoredSnapshotWriter(saved);
    const store = new Map<string, unknown>();
    const write = (plan: ReturnType<StoredSnapshotWriter['plan']>) => {
      for (const part of plan.parts) store.set(part.key, part.value);
      store.set(plan.key, plan.record);
      for (const key of plan.stale) store.delete(key);
      plan.commit();
    };
    const first = writer.plan(saved);
    expect(testsParts(first)).toBe(1);
    write(first);
    expect(testsParts(writer.plan(saved))).toBe(0);

    const { moved, alpha, at } = withMovedAlpha(saved);
    // Planned, not committed (the save failed): the retry finds the state's stored form
    // remembered, checks the part on its own, and writes the part again.
    expect(testsParts(writer.plan(moved))).toBe(1);
    const retry = writer.plan(moved);
    expect(testsParts(retry)).toBe(1);
    write(retry);
    expect(testsParts(writer.plan(moved))).toBe(0);
    expect(testsParts(writer.plan(moved))).toBe(0);

    const loaded = await loadStoredSnapshot(async (key) => store.get(key) ?? null, saved.watchId);
    const [signal, segment, key] = at as [string, string, string];
    const test = loaded?.bake.signals[signal]?.segments[segment]?.tests[key] as unknown as { alpha: number };
    expect(test.alpha).toBe(alpha);
    // The same values (a loaded test has its fixed fields first, as every loaded test: decodeWatchState).
    expect(JSON.parse(JSON.stringify(loaded?.bake))).toEqual(JSON.parse(JSON.stringify(moved.bake)));
  });
});

/**
 * `watch` a step later: each test's moving fields changed (`logE`), and per `how` one more
 * change: none (1), a fixed field of the first test set to `extra` (2), the first test dropped
 * (3), a test added (4), or no test changed at all (0: the same state).
 */
function stepped(watch: WatchState, how: number, extra: unknown): WatchState {
  if (how === 0) return watch;
  let first = true;
  const signals: Record<string, WatchState['signals'][string]> = {};
  for (const [signal, state] of Object.entries(watch.signals)) {
    const segments: Record<string, SegmentState> = {};
    for (const [segment, seg] of Object.entries(state.segments)) {
      const tests: Record<string, SequentialState> = {};
      for (const [key, test] of Object.entries(seg.tests)) {
        const next = { ...test, logE: -1.5 } as unknown as Record<string, unknown>;
        if (first && how === 2) next[TEST_CONSTANT_FIELDS[3] as string] = extra;
        if (!(first && how === 3)) tests[key] = next as unknown as SequentialState;
        first = false;
      }
      if (how === 4) tests.added = { alpha: 0.01, logE: 0 } as unknown as SequentialState;
      segments[segment] = { ...seg, tests };
    }
    signals[signal] = { ...state, segments };
  }
  return { ...watch, signals };
}

describe('the writer keeps a witness of its tests part, not a copy (TestConstantsWitness)', () => {
  it('property: a chain of later states gets the answers of the part written first, and the part reads back the same', () => {
    fc.assert(
      fc.property(
        watchArb,
        fc.array(fc.tuple(fc.nat(4), value), { minLength: 1, maxLength: 5 }),
        (watch, steps) => {
          const part = testConstantsOf(watch);
          const text = JSON.stringify(part);
          const written = TestConstantsWitness.of(watch);
          const loaded = TestConstantsWitness.ofPart(JSON.parse(text) as TestConstants);
          expect(JSON.stringify(written.part())).toBe(text);
          expect(JSON.stringify(loaded.part())).toBe(text);
          let state = watch;
          for (const [how, extra] of steps) {
            // A step from the last state that matched (as the writer's saves go on) or from the first.
            const next = stepped(state, how, extra);
            const want = testConstantsMatch(next, part);
            expect(written.matches(next)).toBe(want);
            expect(encodeCheckedWatchState(next, loaded).matches).toBe(want);
            // Checked states took their holders' places: the part still reads the same.
            expect(JSON.stringify(written.part())).toBe(text);
            expect(JSON.stringify(loaded.part())).toBe(text);
            if (want) state = next;
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a loaded part that holds a field the tests do not know never matches, as before', () => {
    const test = { alpha: 0.05, logE: -0.5 } as unknown as SequentialState;
    const watch = watchWith({ 'error-rate': { '': { '0': test } } });
    const part = { 'error-rate': { '': { '0': { alpha: 0.05, retired: 1 } } } };
    expect(testConstantsMatch(watch, part)).toBe(false);
    expect(TestConstantsWitness.ofPart(part).matches(watch)).toBe(false);
    expect(
      TestConstantsWitness.ofPart({ 'error-rate': { '': { '0': { alpha: 0.05 } } } }).matches(watch),
    ).toBe(true);
  });

  it('keeps segments without tests and signals without segments of a loaded part when it writes it again', () => {
    const part: TestConstants = { a: {}, b: { '': {}, x: { '0': { alpha: 0.1 } } } };
    expect(JSON.stringify(TestConstantsWitness.ofPart(part).part())).toBe(JSON.stringify(part));
  });
});

describe('the writer rewrites its tests part from the witness', () => {
  it('a part written again for its head alone holds the same fixed fields, and a later step still matches it', async () => {
    const w = world({ contract: { bakeSeconds: 300 }, bakeSteps: 100 });
    const steps: MachineSnapshot[] = [];
    w.controller.events.on('step', ({ snapshot }) => {
      if (snapshot.verify === null && Object.keys(snapshot.bake.signals).length > 0) steps.push(snapshot);
    });
    await w.watch();
    const first = steps.at(-3) as MachineSnapshot;
    const later = steps.at(-2) as MachineSnapshot;
    const writer = new StoredSnapshotWriter(first);
    const partOf = (plan: ReturnType<StoredSnapshotWriter['plan']>) =>
      plan.parts.find((p) => p.key.includes('/tests-'))?.value as
        | { value: { bake: TestConstants } }
        | undefined;
    const written = writer.plan(first);
    written.commit();
    const before = partOf(written)?.value.bake;
    expect(before).toBeDefined();
    // The head moved (a field fixed for the watch), the tests' fixed fields did not.
    const moved = { ...later, service: `${later.service}-renamed` };
    const again = writer.plan(moved);
    again.commit();
    expect(JSON.stringify(partOf(again)?.value.bake)).toBe(JSON.stringify(testConstantsOf(later.bake)));
    expect(JSON.stringify(partOf(again)?.value.bake)).toBe(JSON.stringify(before));
    expect(testsParts(writer.plan(moved))).toBe(0);
  });
});
