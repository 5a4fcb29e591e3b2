import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultContract } from '../../src/contract/default-contract';
import { createWatchState, type SegmentState, type WatchState } from '../../src/evaluation/watch-state';
import {
  TEST_CONSTANT_FIELDS,
  type TestConstants,
  testConstantsMatch,
  testConstantsOf,
} from '../../src/machine/stored-watch-state';
import type { SequentialState } from '../../src/rules/sequential-count';

/**
 * The `tests` part the snapshot writer saves and keeps for the watch's whole life
 * (machine/stored-watch-state.ts `testConstantsOf`) is built sized to its keys
 * (docs/benchmarks.md, `heap14-issue-13`): it must read exactly as the part built key by key
 * did. `keyByKey` is the replaced code, copied here.
 */
function keyByKey(watch: WatchState): TestConstants {
  const out: TestConstants = {};
  for (const signal in watch.signals) {
    const segments = watch.signals[signal]?.segments ?? {};
    for (const segment in segments) {
      const tests = (segments[segment] as SegmentState).tests;
      const byKey: Record<string, Record<string, unknown>> = {};
      for (const key in tests) {
        const o: Record<string, unknown> = {};
        const t = tests[key] as unknown as Record<string, unknown>;
        for (const f of TEST_CONSTANT_FIELDS) if (f in t && t[f] !== undefined) o[f] = t[f];
        byKey[key] = o;
      }
      const bySegment = out[signal] ?? {};
      bySegment[segment] = byKey;
      out[signal] = bySegment;
    }
  }
  return out;
}

const value = fc.oneof(
  fc.double({ noNaN: true }),
  fc.integer(),
  fc.constantFrom('baseline', 'joint', 'bound', 'sprt'),
  fc.array(fc.double({ noNaN: true, noDefaultInfinity: true }), { maxLength: 7 }),
  fc.constant(undefined),
);

/** A test state: some of the fixed fields (in a random order), and fields a step changes. */
const testState = fc
  .record({
    fixed: fc.dictionary(fc.constantFrom(...TEST_CONSTANT_FIELDS), value),
    events: fc.nat(),
    logE: fc.double({ noNaN: true }),
  })
  .map(({ fixed, events, logE }) => ({ ...fixed, events, logE }) as unknown as SequentialState);

const testKey = fc.constantFrom('0', '1', '2', '0:tail', '1:tail', '10');

function watchWith(signals: Record<string, Record<string, Record<string, SequentialState>>>): WatchState {
  const contract = defaultContract('checkout');
  const watch = createWatchState(contract, 1_700_000_000_000);
  const out: Record<string, WatchState['signals'][string]> = {};
  for (const [signal, segments] of Object.entries(signals)) {
    const bySegment: Record<string, SegmentState> = {};
    for (const [segment, tests] of Object.entries(segments)) {
      bySegment[segment] = {
        recent: [],
        tests,
        newestT: null,
        events: 0,
        trials: 0,
        warmup: { events: 0, trials: 0 },
        pending: [],
      };
    }
    out[signal] = {
      ...(Object.values(watch.signals)[0] as WatchState['signals'][string]),
      segments: bySegment,
    };
  }
  return { ...watch, signals: out };
}

const watchArb = fc
  .dictionary(
    fc.constantFrom('error-rate', 'latency-p99', 'memory'),
    fc.dictionary(fc.constantFrom('', 'region=eu', 'region=us'), fc.dictionary(testKey, testState), {
      maxKeys: 2,
    }),
    { maxKeys: 3 },
  )
  .map(watchWith);

describe('the tests part the writer keeps (testConstantsOf)', () => {
  it('property: reads as the part built key by key: JSON text, keys in order, values, shared arrays', () => {
    fc.assert(
      fc.property(watchArb, (watch) => {
        const sized = testConstantsOf(watch);
        const reference = keyByKey(watch);
        expect(JSON.stringify(sized)).toBe(JSON.stringify(reference));
        expect(sized).toEqual(reference);
        expect(structuredClone(sized)).toEqual(reference);
        for (const signal in reference) {
          for (const segment in reference[signal]) {
            const byKey = reference[signal]?.[segment] ?? {};
            expect(Object.keys(sized[signal]?.[segment] ?? {})).toEqual(Object.keys(byKey));
            for (const key in byKey) {
              const fields = byKey[key] ?? {};
              const got = sized[signal]?.[segment]?.[key] ?? {};
              expect(Object.keys(got)).toEqual(Object.keys(fields));
              // The same values, arrays by reference (the test state's own), numbers bit for bit.
              for (const f in fields) expect(Object.is(got[f], fields[f])).toBe(true);
            }
          }
        }
        // The writer's comparisons read it as they read the part built key by key.
        expect(testConstantsMatch(watch, sized)).toBe(true);
        expect(testConstantsMatch(watch, JSON.parse(JSON.stringify(sized)) as TestConstants)).toBe(
          testConstantsMatch(watch, JSON.parse(JSON.stringify(reference)) as TestConstants),
        );
      }),
      { numRuns: 200 },
    );
  });

  it('a fixed field that moved no longer matches; one the part lacks neither', () => {
    const ratios = [1.5, 2, 4];
    const state = { kind: 'baseline', alpha: 0.01, ratios, events: 3 } as unknown as SequentialState;
    const watch = watchWith({ 'error-rate': { '': { '0': state } } });
    const part = testConstantsOf(watch);
    expect(part['error-rate']?.['']?.['0']?.ratios).toBe(ratios);
    const moved = watchWith({
      'error-rate': { '': { '0': { ...state, alpha: 0.02 } as unknown as SequentialState } },
    });
    expect(testConstantsMatch(moved, part)).toBe(false);
    const added = watchWith({
      'error-rate': { '': { '0': state, '0:tail': state } },
    });
    expect(testConstantsMatch(added, part)).toBe(false);
    expect(testConstantsMatch(added, testConstantsOf(added))).toBe(true);
  });
});
