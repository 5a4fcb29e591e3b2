import { afterEach, describe, expect, it, vi } from 'vitest';
import { storedRecipeOf, storedRecipeWithout } from '../../src/evaluation/lazy-verdict';
import { AGGREGATE, type SegmentState, type WatchState } from '../../src/evaluation/watch-state';
import type { MachineSnapshot } from '../../src/machine/machine-state';
import { StoredSnapshotWriter } from '../../src/machine/stored-snapshot';
import { gaugeRecipeOf, isLazyGaugeVerdict } from '../../src/rules/lazy-gauge-verdict';
import type { Verdict } from '../../src/rules/verdict';
import { errorsFrom, world } from './world';

/**
 * The save's `last` recipes are built without the fields a v7 load rebuilds in one object
 * (evaluation/lazy-verdict.ts `storedRecipeWithout`, rules/lazy-gauge-verdict.ts `gaugeRecipeOf`
 * given the watch's window; docs/benchmarks.md, `fleet19-issue-13`), where the save built the
 * whole recipe and then a copy without them. `replacedWithoutDerived` is the replaced code,
 * copied here: both must give the same keys, in the same order, and the same values.
 */
function replacedWithoutDerived(
  recipe: Record<string, unknown>,
  watch: WatchState,
  gauge: boolean,
  segment: SegmentState | undefined,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const start = gauge ? watch.warmupEndsAt : watch.deployAt;
  const test = gauge
    ? undefined
    : (segment?.tests[recipe.test as string] as unknown as Record<string, unknown>);
  for (const f in recipe) {
    const v = recipe[f];
    if (f === 'window') {
      const w = v as { start: unknown; end: unknown };
      if (w.start === start && w.end === watch.lastEvaluatedAt && Object.keys(w).length === 2) continue;
    } else if (!gauge) {
      if (f === 'newestT' && segment !== undefined && v === segment.newestT) continue;
      if (f === 'samples' && test !== undefined && v === test.trials) continue;
      if (f === 'surgeHeld' && v === 0) continue;
    }
    out[f] = v;
  }
  return out;
}

/** The recipe of `v` as the save writes it now, and as the replaced code wrote it, for `watch`. */
function bothRecipes(v: Verdict, watch: WatchState, segment: SegmentState | undefined): [unknown, unknown] {
  if (isLazyGaugeVerdict(v)) {
    const now = gaugeRecipeOf(v, watch.warmupEndsAt, watch.lastEvaluatedAt);
    const replaced = replacedWithoutDerived(
      gaugeRecipeOf(v) as unknown as Record<string, unknown>,
      watch,
      true,
      segment,
    );
    return [now, replaced];
  }
  const now = storedRecipeWithout(v, segment?.tests, watch.deployAt, watch.lastEvaluatedAt, segment?.newestT);
  const full = storedRecipeOf(v, segment?.tests);
  return [now, full === null ? null : replacedWithoutDerived({ ...full }, watch, false, segment)];
}

/** Every watch state a controller's saves planned, in order. */
function plannedStates(): WatchState[] {
  const states: WatchState[] = [];
  const plan = StoredSnapshotWriter.prototype.plan;
  vi.spyOn(StoredSnapshotWriter.prototype, 'plan').mockImplementation(function (
    this: StoredSnapshotWriter,
    snapshot: MachineSnapshot,
  ) {
    states.push(snapshot.bake);
    if (snapshot.verify !== null) states.push(snapshot.verify);
    return plan.call(this, snapshot);
  });
  return states;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("a signal's `last` recipes saved without the fields a load rebuilds", () => {
  it("the same stored recipes as the replaced recipe-then-copy, at every save of a bake with a breach, and for a watch whose window, newest interval and trials are not the verdicts'", async () => {
    const states = plannedStates();
    const w = world({ after: errorsFrom(12) });
    const result = await w.watch();
    expect(result.outcome).toBe('rolled-back');
    let count = 0;
    let gauges = 0;
    let breaches = 0;
    let shifted = 0;
    for (const watch of states) {
      for (const signal in watch.signals) {
        const state = watch.signals[signal];
        for (const v of state?.last?.verdicts ?? []) {
          const segment = state?.segments[v.segment ?? AGGREGATE];
          const [now, replaced] = bothRecipes(v, watch, segment);
          expect(JSON.stringify(now)).toBe(JSON.stringify(replaced));
          if (now === null) continue;
          count++;
          if (isLazyGaugeVerdict(v)) gauges++;
          if (v.status === 'breach') breaches++;
          // A watch whose window is not the verdict's, and a segment whose newest interval and
          // test's trials are not the verdict's: the fields are then written, as before.
          const other: WatchState = {
            ...watch,
            deployAt: watch.deployAt - 5_000,
            warmupEndsAt: watch.warmupEndsAt - 5_000,
            lastEvaluatedAt: (watch.lastEvaluatedAt ?? 0) + 5_000,
          };
          const moved =
            segment === undefined
              ? undefined
              : {
                  ...segment,
                  newestT: (segment.newestT ?? 0) + 5_000,
                  tests: Object.fromEntries(Object.entries(segment.tests)),
                };
          const [nowOther, replacedOther] = bothRecipes(v, other, moved);
          expect(JSON.stringify(nowOther)).toBe(JSON.stringify(replacedOther));
          if (!isLazyGaugeVerdict(v)) {
            const written = nowOther as Record<string, unknown>;
            expect('window' in written && 'newestT' in written).toBe(true);
            shifted++;
          }
        }
      }
    }
    // Count and gauge recipes, passes and breaches, met.
    expect(count).toBeGreaterThan(100);
    expect(gauges).toBeGreaterThan(20);
    expect(breaches).toBeGreaterThan(0);
    expect(shifted).toBeGreaterThan(50);
  });
});
