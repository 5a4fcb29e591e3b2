import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RollgateError } from '../../src/errors/rollgate-error';
import { AGGREGATE } from '../../src/evaluation/watch-state';
import { ChartColumns } from '../../src/machine/audit/chart-columns';
import type { MachineSnapshot } from '../../src/machine/machine-state';
import { parseMachineSnapshot } from '../../src/machine/snapshot-schema';
import { encodeStoredSnapshot, tuplesOfColumns } from '../../src/machine/stored-series';
import {
  loadStoredSnapshot,
  STORED_SNAPSHOT_SCHEMA,
  StoredSnapshotWriter,
  WATCH_PART_KEY_PREFIX,
  watchPartKey,
  watchPhasesKey,
} from '../../src/machine/stored-snapshot';
import { watchStateKey } from '../../src/machine/stored-watches';
import { SIGNAL_KIND_TABLE } from '../../src/signals/signal-kinds';
import { RESTART_KEEPING } from '../../src/stats/baseline-rate-test';
import { firstCopyLogWeight } from '../../src/stats/restart-schedule';
import type { StepData } from '../../src/testing/memory-source';
import {
  BASELINE_STEPS,
  crashAfterSave,
  crashWhen,
  DEPLOY_AT,
  errorsFrom,
  healthy,
  recordSaves,
  STEP,
  world,
} from './world';

type World = ReturnType<typeof world>;

/** The store's value of a key, as `loadStoredSnapshot` wants it. */
const loaderOf = (w: World) => async (key: string) => w.state.get(key) ?? null;

/**
 * A baseline as versions before rollgate.machine/v3's columns kept it, in memory and in v1/v2
 * snapshots: each signal's chart series as `points`, one `{ t, v }` object per point.
 */
function pointBaseline(baseline: unknown): unknown {
  const b = JSON.parse(JSON.stringify(baseline)) as {
    signals: Record<string, { series?: { kind: string; t: number[]; v: (number | null)[] } }>;
  };
  let converted = 0;
  for (const signal of Object.values(b.signals)) {
    const series = signal.series;
    if (!series) continue;
    (signal as Record<string, unknown>).series = {
      kind: series.kind,
      points: series.t.map((t, i) => ({ t, v: series.v[i] ?? null })),
    };
    converted++;
  }
  // The fixture must hold the old form, or these tests would not test loading it.
  expect(converted).toBeGreaterThan(0);
  return b;
}

/**
 * A watch run to its end (the reference), and the same watch crashed in its bake at step 120
 * with the snapshot it had saved: the start of every older-format resume test.
 */
/** Chart points after `t` (epoch ms), of a series as columns or as points. */
function pointsAfter(series: unknown, t: number): unknown[] {
  const points = (series instanceof ChartColumns ? series.points() : series) as { at: string }[];
  return points.filter((p) => Date.parse(p.at) > t);
}

/** A snapshot without its cold-start reason and its chart points up to `t` (the warm-up's end). */
function afterWarmup(s: MachineSnapshot, t: number): unknown {
  const { coldStartReason: _, ...bake } = s.bake;
  const series = Object.fromEntries(Object.entries(s.series).map(([k, v]) => [k, pointsAfter(v, t)]));
  return { ...s, bake, series };
}

/** An audit record with its chart points up to `t` left out. */
function auditAfter(a: { series: Record<string, unknown> }, t: number): unknown {
  return {
    ...a,
    series: Object.fromEntries(Object.entries(a.series).map(([k, v]) => [k, pointsAfter(v, t)])),
  };
}

/**
 * Runs `body` with error-rate tests started as before round 17 (no look at the bake's end, the
 * whole alpha in the e-process: docs/statistics.md, "Faults missed at low traffic, classified"):
 * the fixtures below were saved by code of that time, and a test's alpha is one of the fields
 * fixed when it starts, so the current code's snapshot at the same step matches them only under
 * the same rule. What these tests check is the format's round trip, not the rule.
 */
async function withoutFinalLook<T>(body: () => Promise<T>): Promise<T> {
  const counts = SIGNAL_KIND_TABLE['error-rate'].counts as { finalLookShare: number };
  const share = counts.finalLookShare;
  counts.finalLookShare = 0;
  try {
    return await body();
  } finally {
    counts.finalLookShare = share;
  }
}

/**
 * Runs `body` with baseline tests that keep their newest restarted copies, as before round 20
 * (stats/baseline-rate-test.ts `RESTART_KEEPING`, docs/statistics.md "Which restarts are
 * kept"). The fixtures below were saved by code of that time: what a test had kept by step 120
 * is in them, so the reference run must keep the same copies to match them. A saved watch that
 * resumes under the current rule is as valid (any copy may be dropped); this checks the format.
 */
async function keepingNewestRestarts<T>(body: () => Promise<T>): Promise<T> {
  RESTART_KEEPING.keep = 'newest';
  try {
    return await body();
  } finally {
    RESTART_KEEPING.keep = 'strongest';
  }
}

async function crashedInBake() {
  const contract = { bakeSeconds: 1_200 };
  const reference = await world({ after: errorsFrom(200), contract, bakeSteps: 600 }).watch();
  const w = world({ after: errorsFrom(200), contract, bakeSteps: 600 });
  const watchId = await crashWhen(
    w,
    (s) => (w.clock.now() - DEPLOY_AT) / STEP >= 120 && s.state === 'Watching',
  );
  const current = await loadStoredSnapshot(loaderOf(w), watchId);
  if (!current) throw new Error('nothing stored');
  return { reference, w, watchId, current };
}

/**
 * Loads a fixture saved by an older version's code from `crashedInBake`'s world (its record
 * `schema`, holding `marker`) in place of what the current code stored, and checks that it loads
 * as the current code's snapshot and resumes as a run never stopped. Both fixtures were saved
 * before session 15 ruled a cold start out early where a third or more of the requests are slower
 * than the cold-start bound (rules/cold-start.ts smallestColdStart; this world has 35%): the same
 * decision, no cold start, with the older reason and first warm-up chart point (held, no
 * statistic); so the comparison starts after the warm-up.
 */
async function resumesFixture(file: string, schema: string, marker: string): Promise<void> {
  await withoutFinalLook(() => keepingNewestRestarts(() => resumesFixtureAsSaved(file, schema, marker)));
}

async function resumesFixtureAsSaved(file: string, schema: string, marker: string): Promise<void> {
  const { reference, w, watchId, current } = await crashedInBake();
  const fixture = JSON.parse(readFileSync(new URL(`./fixtures/${file}`, import.meta.url), 'utf8')) as {
    watchId: string;
    entries: Record<string, unknown>;
  };
  expect(fixture.watchId).toBe(watchId);
  const record = fixture.entries[watchStateKey(watchId)] as { schema: string };
  expect(record.schema).toBe(schema);
  expect(JSON.stringify(record)).toContain(marker);
  for (const key of w.state.keys) if (key.includes(watchId)) w.state.set(key, null);
  for (const [key, value] of Object.entries(fixture.entries)) w.state.set(key, value);
  const loaded = await loadStoredSnapshot(loaderOf(w), watchId);
  expect(loaded?.bake.coldStartReason).toBe('no cold start in the first 30 s');
  expect(current.bake.coldStartReason).toMatch(/^no cold start: latency-p99 .* in the first 5 s$/);
  const warmupEnds = current.bake.warmupEndsAt;
  expect(loaded && afterWarmup(loaded, warmupEnds)).toEqual(afterWarmup(current, warmupEnds));

  const resumed = await w.watch(w.restart());
  expect(resumed.outcome).toBe('rolled-back');
  expect(resumed.audit && auditAfter(resumed.audit, warmupEnds)).toEqual(
    reference.audit && auditAfter(reference.audit, warmupEnds),
  );
  expect((w.state.get(watchStateKey(watchId)) as { schema: string }).schema).toBe(STORED_SNAPSHOT_SCHEMA);
}

/**
 * Rewrites, in place, each `last` verdict of the record's bake and verify that is saved as a
 * recipe (`{ onRead }`): `rewrite(recipe, full)` with the verdict as the machine holds it
 * (`current`) returns what an older schema saved instead, or null to leave it. Returns how many
 * verdicts it rewrote.
 */
function rewriteRecipes(
  record: Record<string, unknown>,
  current: MachineSnapshot,
  rewrite: (recipe: Record<string, unknown>, full: unknown) => unknown | null,
): number {
  let converted = 0;
  for (const field of ['bake', 'verify'] as const) {
    const stored = record[field] as {
      signals: Record<string, { last: { verdicts: unknown[] } | null }>;
    } | null;
    const watch = current[field];
    if (!stored || !watch) continue;
    for (const [signal, state] of Object.entries(stored.signals)) {
      if (!state.last) continue;
      const full = watch.signals[signal]?.last?.verdicts ?? [];
      state.last = {
        ...state.last,
        verdicts: state.last.verdicts.map((v, i) => {
          if (typeof v !== 'object' || v === null || !('onRead' in v)) return v;
          const older = rewrite(v.onRead as Record<string, unknown>, full[i]);
          if (older === null) return v;
          converted++;
          return older;
        }),
      };
    }
  }
  return converted;
}

/**
 * The record as rollgate.machine/v4 saved it: every `last` verdict as its full text, where v5
 * saves a verdict built on read as its recipe (`{ onRead }`); the text is the loaded one's.
 * Returns how many verdicts it wrote out.
 */
function lastAsV4(record: Record<string, unknown>, current: MachineSnapshot): number {
  return rewriteRecipes(record, current, (_recipe, full) => JSON.parse(JSON.stringify(full)));
}

/**
 * The record as rollgate.machine/v5 saved it: a gauge's pass verdict as its full text, where v6
 * saves it as its numbers (`{ onRead: { gauge } }`), and each count recipe with its `now` (its
 * window's end), which v6 no longer writes. Returns how many gauge verdicts it wrote out.
 */
function lastAsV5(record: Record<string, unknown>, current: MachineSnapshot): number {
  let gauges = 0;
  rewriteRecipes(record, current, (recipe, full) => {
    if (recipe.gauge === undefined) {
      return { onRead: { ...recipe, now: (recipe.window as { end: number }).end } };
    }
    gauges++;
    return JSON.parse(JSON.stringify(full));
  });
  return gauges;
}

/**
 * The record and tests part as rollgate.machine/v7 saved them, from what the current code stored
 * (v8) for the watch in `w`: the phases, read from their chunks (which are cleared), in the tests
 * part's head, and no `parts.phases`. Sets the record and the tests part in the store; returns the record.
 */
function storedAsV7(w: World, watchId: string): Record<string, unknown> & { schema: string } {
  type Obj = Record<string, unknown>;
  const record = JSON.parse(JSON.stringify(w.state.get(watchStateKey(watchId)))) as Obj & {
    schema: string;
    parts: { tests: number; phases?: [generation: number, count: number] };
  };
  expect(record.schema).toBe(STORED_SNAPSHOT_SCHEMA);
  const [generation, count] = record.parts.phases as [number, number];
  const phases: unknown[] = [];
  for (let c = 0; phases.length < count; c++) {
    const key = watchPhasesKey(watchId, generation, c);
    const chunk = w.state.get(key) as { value: { phases: unknown[] } };
    phases.push(...chunk.value.phases.slice(0, count - phases.length));
  }
  for (const key of w.state.keys) if (key.includes(`${watchId}/phases-`)) w.state.set(key, null);
  delete record.parts.phases;
  const testsKey = watchPartKey(watchId, 'tests', record.parts.tests);
  const part = JSON.parse(JSON.stringify(w.state.get(testsKey))) as { value: { head: { snapshot: Obj } } };
  expect(part.value.head.snapshot.phases).toBeUndefined();
  part.value.head.snapshot.phases = phases;
  w.state.set(testsKey, part);
  const v7 = { ...record, schema: 'rollgate.machine/v7' };
  w.state.set(watchStateKey(watchId), v7);
  return v7;
}

/**
 * The record and tests part as rollgate.machine/v6 saved them, from what the current code
 * stored (v8, written as v7 by {@link storedAsV7}) for the watch in `w`: the fields v7 leaves to the tests part's `head` back in the
 * record (the head gone from the part), each recipe's window, `newestT`, `samples` and
 * `surgeHeld`, each test's first restart copy and observed counts, each `last` summary's signal and consecutive counts,
 * and each signal's newest chart points' own times. Sets the tests part in the store; returns the record.
 */
function storedAsV6(w: World, watchId: string): Record<string, unknown> & { schema: string } {
  type Obj = Record<string, unknown>;
  storedAsV7(w, watchId);
  const record = JSON.parse(JSON.stringify(w.state.get(watchStateKey(watchId)))) as Obj & {
    schema: string;
    parts: { tests: number };
  };
  expect(record.schema).toBe('rollgate.machine/v7');
  const testsKey = watchPartKey(watchId, 'tests', record.parts.tests);
  const part = JSON.parse(JSON.stringify(w.state.get(testsKey))) as { value: Obj & { head: Obj } };
  const head = part.value.head as { snapshot: Obj; bake: Obj; verify: Obj | null };
  delete (part.value as Obj).head;
  w.state.set(testsKey, part);
  Object.assign(record, { ...head.snapshot, ...record });
  for (const field of ['bake', 'verify'] as const) {
    const stored = record[field] as Obj | null;
    if (stored === null) continue;
    const watch = { ...(head[field] ?? {}), ...stored } as Obj & { signals: Record<string, Obj> };
    record[field] = watch;
    for (const [signal, state] of Object.entries(watch.signals)) {
      if (state.last) {
        const { signal: _, ...summary } = state.last as Obj;
        state.last = {
          signal,
          ...summary,
          consecutiveBreaches: summary.consecutiveBreaches ?? state.consecutiveBreaches,
          consecutiveErrors: summary.consecutiveErrors ?? state.consecutiveErrors,
        };
      }
      const segments = state.segments as Record<string, { newestT: unknown; tests: Record<string, Obj> }>;
      const fixed = (part.value[field] ?? {}) as Record<string, Record<string, Record<string, Obj>>>;
      for (const [segment, seg] of Object.entries(segments)) {
        for (const [key, test] of Object.entries(seg.tests)) {
          const copies = test.copies as unknown[] | undefined;
          if (copies?.[0] === 0) {
            const share = fixed[signal]?.[segment]?.[key]?.restartShare as number;
            const logWeight = firstCopyLogWeight(share);
            test.copies = [{ events: 0, trials: 0, logWeight }, ...copies.slice(1)];
          }
          if (!('observedEvents' in test)) test.observedEvents = test.events;
          if (!('observedTrials' in test)) test.observedTrials = test.trials;
        }
      }
      const last = state.last as { verdicts: Obj[] } | null;
      for (const v of last?.verdicts ?? []) {
        const recipe = v.onRead as Obj | undefined;
        if (recipe === undefined) continue;
        const gauge = recipe.gauge !== undefined;
        const window = { start: gauge ? watch.warmupEndsAt : watch.deployAt, end: watch.lastEvaluatedAt };
        const seg = segments[(recipe.segment as string | undefined) ?? AGGREGATE];
        v.onRead = gauge
          ? { gauge: recipe.gauge, window, ...recipe }
          : {
              test: recipe.test,
              window,
              samples: seg?.tests[recipe.test as string]?.trials,
              newestT: seg?.newestT,
              ...recipe,
              surgeHeld: recipe.surgeHeld ?? 0,
            };
      }
    }
  }
  // Each signal's newest points with their own times, not another signal's.
  const series = record.series as Record<string, Obj>;
  for (const columns of Object.values(series)) {
    if (typeof columns.t === 'string') columns.t = series[columns.t]?.t;
  }
  return record;
}

/** Every step's state, decision and evaluations, by the simulated time it happened at. */
function stepsOf(w: World, controller = w.controller) {
  const steps: { at: number; state: string; decision: unknown; evaluations: number }[] = [];
  controller.events.on('step', ({ snapshot }) => {
    steps.push({
      at: w.clock.now(),
      state: snapshot.state,
      decision: snapshot.lastDecision,
      evaluations: snapshot.bake.evaluations,
    });
  });
  return steps;
}

describe('a snapshot saved in parts', () => {
  it('writes the baseline once and the chart series only now and then: a step saves what changed', async () => {
    const w = world({ contract: { bakeSeconds: 900 }, bakeSteps: 400 });
    const saves = recordSaves(w);
    const full: number[] = [];
    let checked = 0;
    w.controller.events.on('step', async ({ snapshot }) => {
      full.push(JSON.stringify(encodeStoredSnapshot(snapshot)).length);
      // What is stored reads back as the snapshot the machine holds, at every step.
      const loaded = await loadStoredSnapshot(loaderOf(w), snapshot.watchId);
      expect(loaded).toEqual(snapshot);
      checked++;
    });
    const result = await w.watch();
    expect(result.outcome).toBe('promoted');
    expect(checked).toBeGreaterThan(150);

    const records = saves.filter((s) => s.key === watchStateKey(result.watchId));
    const baselines = saves.filter((s) => s.key.includes('/baseline-') && s.bytes > 0);
    const series = saves.filter((s) => s.key.includes('/series-') && s.bytes > 0);
    const tests = saves.filter((s) => s.key.includes('/tests-') && s.bytes > 0);
    expect(records.length).toBeGreaterThan(150);
    expect(baselines).toHaveLength(1);
    // The tests part (the sequential tests' fixed fields, and the head: the snapshot's fields
    // fixed for the watch): saved when the tests start and when a transition or the cold-start
    // ruling changes the head, not at the steps between.
    const final = await loadStoredSnapshot(loaderOf(w), result.watchId);
    const phases = final?.phases.length ?? 0;
    expect(phases).toBeGreaterThan(2);
    expect(tests.length).toBeGreaterThan(1);
    expect(tests.length).toBeLessThanOrEqual(phases + 3);
    // The per-step record leaves the tests' fixed fields to the tests part and keeps its count
    // windows as columns.
    const stored = JSON.stringify(w.state.get(watchStateKey(result.watchId)));
    expect(stored).toContain('"tests":{"0":{');
    expect(stored).not.toContain('"ratios"');
    expect(stored).not.toContain('"logThreshold"');
    // v7: the fields fixed for the watch are in the tests part's head, not in the record.
    expect(stored).not.toContain('"options"');
    expect(stored).not.toContain('"coldStartReason"');
    expect(stored).not.toContain('"observedTrials"');
    expect(stored).toMatch(/"recent":\{"t":\[/);
    // The series part is rewritten at most every 15 evaluations (when thinned, or grown by 15).
    expect(series.length).toBeGreaterThan(3);
    expect(series.length).toBeLessThan(records.length / 10);
    // Bytes written per step, parts included, against the snapshot saved whole at every step.
    const written = saves.reduce((n, s) => n + s.bytes, 0);
    const whole = full.reduce((n, b) => n + b, 0);
    expect(written / whole).toBeLessThan(0.5);
    // One copy of each part stays in the store: the generation before is cleared.
    const partKeys = w.state.keys.filter((k) => k.startsWith(WATCH_PART_KEY_PREFIX));
    const live = partKeys.filter((k) => w.state.get(k) !== null);
    // v8: the phases in chunks of 8 of their one generation, beside the three parts.
    const chunks = Math.ceil(phases / 8);
    expect(
      live.map((k) => k.slice(k.lastIndexOf('/') + 1).replace(/^(baseline|series|tests)-[01]$/, '$1')).sort(),
    ).toEqual(
      ['baseline', 'series', 'tests', ...Array.from({ length: chunks }, (_, c) => `phases-1-${c}`)].sort(),
    );
    expect((w.state.get(watchStateKey(result.watchId)) as { schema: string }).schema).toBe(
      STORED_SNAPSHOT_SCHEMA,
    );
  });

  it('resumes after a crash between a part and its record from the parts the record refers to', async () => {
    const contract = { bakeSeconds: 1_200 };
    const straight = world({ after: errorsFrom(200), contract, bakeSteps: 600 });
    const reference = await straight.watch();
    expect(reference.outcome).toBe('rolled-back');

    const w = world({ after: errorsFrom(200), contract, bakeSteps: 600 });
    let seriesSaves = 0;
    // The crash: the third series part is saved, its record never is (the save of the record
    // is aborted before it reaches the store).
    const watchId = await crashAfterSave(
      w,
      (key, value) => key.includes('/series-') && value !== null && ++seriesSaves === 3,
    );
    const stored = w.state.get(watchStateKey(watchId)) as { parts: { series: number } };
    // The record still refers to the second generation; the third sits in the other key.
    expect(stored.parts.series).toBe(2);
    expect((w.state.get(watchPartKey(watchId, 'series', 3)) as { generation: number }).generation).toBe(3);

    const resumed = await w.watch(w.restart());
    expect(resumed.outcome).toBe('rolled-back');
    expect(resumed.audit).toEqual(reference.audit);
  });

  it('loads and resumes a snapshot saved whole by an earlier version (rollgate.machine/v1)', async () => {
    const { reference, w, watchId, current } = await crashedInBake();
    // What the version before saved: one piece, chart points as tuples, no parts, the
    // baseline's chart series as point objects.
    const whole = encodeStoredSnapshot(current) as Record<string, unknown> & { bake: object };
    const v1 = JSON.parse(
      JSON.stringify({ ...whole, bake: { ...whole.bake, baseline: pointBaseline(current.bake.baseline) } }),
    ) as { schema: string };
    expect(v1.schema).toBe('rollgate.machine/v1');
    for (const key of w.state.keys) if (key.startsWith(WATCH_PART_KEY_PREFIX)) w.state.set(key, null);
    w.state.set(watchStateKey(watchId), v1);
    expect(await loadStoredSnapshot(loaderOf(w), watchId)).toEqual(current);

    const resumed = await w.watch(w.restart());
    expect(resumed.outcome).toBe('rolled-back');
    expect(resumed.audit).toEqual(reference.audit);
    // Saved in parts from then on.
    expect((w.state.get(watchStateKey(watchId)) as { schema: string }).schema).toBe(STORED_SNAPSHOT_SCHEMA);
  });

  it('resumes from the compact record mid-bake and decides every later step as a run never stopped', async () => {
    const contract = { bakeSeconds: 1_200 };
    const straight = world({ after: errorsFrom(200), contract, bakeSteps: 600 });
    const reference = stepsOf(straight);
    const uninterrupted = await straight.watch();
    expect(uninterrupted.outcome).toBe('rolled-back');

    const w = world({ after: errorsFrom(200), contract, bakeSteps: 600 });
    const crashedAt = { at: 0 };
    const watchId = await crashWhen(w, (s) => {
      crashedAt.at = w.clock.now();
      return (w.clock.now() - DEPLOY_AT) / STEP >= 130 && s.state === 'Watching';
    });
    // The crash found the tests running, their fixed fields in the tests part, the record compact.
    const record = w.state.get(watchStateKey(watchId)) as { schema: string; parts: { tests: number } };
    expect(record.schema).toBe(STORED_SNAPSHOT_SCHEMA);
    expect(record.parts.tests).toBeGreaterThan(0);
    expect(JSON.stringify(record)).not.toContain('"ratios"');

    const restarted = w.restart();
    const after = stepsOf({ ...w, controller: restarted } as World);
    const resumed = await w.watch(restarted);
    expect(resumed.outcome).toBe('rolled-back');
    expect(resumed.audit).toEqual(uninterrupted.audit);
    // Every step after the resume, one by one: the same state and decision at the same time.
    const later = reference.filter((s) => s.at > crashedAt.at);
    expect(after.length).toBeGreaterThan(20);
    expect(after.filter((s) => s.at > crashedAt.at)).toEqual(later);
  });

  it('keeps the warm-up counts at the cold-start bound across a save (the dense column)', async () => {
    // The world's latency has a cold-start bound (evaluation/baseline-snapshot.ts), so each
    // warm-up interval carries a `dense` count beside `tail`; a save in the warm-up must keep
    // both, or the loaded window is not the one saved.
    const w = world({ after: errorsFrom(200) });
    let atCrash: MachineSnapshot | null = null;
    const watchId = await crashWhen(w, (s) => {
      const recent = s.bake.signals['latency-p99']?.segments[AGGREGATE]?.recent ?? [];
      if (s.state !== 'Watching' || !recent.some((i) => i.dense !== undefined)) return false;
      atCrash = JSON.parse(JSON.stringify(s)) as MachineSnapshot;
      return true;
    });
    const saved = atCrash as MachineSnapshot | null;
    if (saved === null) throw new Error('the watch never had a warm-up interval at the cold-start bound');
    const loaded = await loadStoredSnapshot(loaderOf(w), watchId);
    const window = (x: MachineSnapshot | null) => x?.bake.signals['latency-p99']?.segments[AGGREGATE]?.recent;
    expect(window(saved)?.some((i) => i.dense !== undefined)).toBe(true);
    expect(window(loaded)).toEqual(window(saved));
  });

  it('loads and resumes a snapshot saved in parts before the tests part (rollgate.machine/v2)', async () => {
    const { reference, w, watchId, current } = await crashedInBake();
    if (!current.bake.baseline) throw new Error('no baseline stored');
    // What the version before saved: the baseline part as the object itself, the whole watch
    // state and every chart point (as tuples) in the record.
    for (const key of w.state.keys) if (key.startsWith(WATCH_PART_KEY_PREFIX)) w.state.set(key, null);
    w.state.set(watchPartKey(watchId, 'baseline', 1), {
      schema: 'rollgate.watch-part/v1',
      watchId,
      part: 'baseline',
      generation: 1,
      value: pointBaseline(current.bake.baseline),
    });
    const v1 = encodeStoredSnapshot(current) as Record<string, unknown>;
    const v2 = JSON.parse(
      JSON.stringify({
        ...v1,
        schema: 'rollgate.machine/v2',
        bake: { ...current.bake, baseline: { part: 'baseline', generation: 1 } },
        parts: { baseline: 1, series: 0 },
      }),
    );
    w.state.set(watchStateKey(watchId), v2);
    expect(await loadStoredSnapshot(loaderOf(w), watchId)).toEqual(current);

    const resumed = await w.watch(w.restart());
    expect(resumed.outcome).toBe('rolled-back');
    expect(resumed.audit).toEqual(reference.audit);
    expect((w.state.get(watchStateKey(watchId)) as { schema: string }).schema).toBe(STORED_SNAPSHOT_SCHEMA);
  });

  it('loads and resumes a snapshot saved by rollgate.machine/v3 (chart points mixing statistics as tuples)', async () => {
    const { reference, w, watchId, current } = await crashedInBake();
    // What v3 saved: the same record and parts, but a series mixing points with and without a
    // statistic as one tuple per point (v4 writes it as columns with `noStatistic`).
    let converted = 0;
    const asV3 = (series: Record<string, unknown>) => {
      for (const [signal, cols] of Object.entries(series)) {
        if (typeof cols !== 'object' || cols === null || !('noStatistic' in cols)) continue;
        series[signal] = tuplesOfColumns(cols as Record<string, unknown>);
        converted++;
      }
    };
    const record = storedAsV6(w, watchId) as { schema: string; series: Record<string, unknown> };
    for (const key of w.state.keys) {
      const part = w.state.get(key) as { part?: string; value: Record<string, unknown> } | null;
      if (key.startsWith(`${WATCH_PART_KEY_PREFIX}${watchId}/series-`) && part?.value) {
        asV3(part.value);
        w.state.set(key, part);
      }
    }
    asV3(record.series);
    expect(converted).toBeGreaterThan(0);
    expect(lastAsV4(record, current)).toBeGreaterThan(0);
    w.state.set(watchStateKey(watchId), { ...record, schema: 'rollgate.machine/v3' });
    expect(await loadStoredSnapshot(loaderOf(w), watchId)).toEqual(current);

    const resumed = await w.watch(w.restart());
    expect(resumed.outcome).toBe('rolled-back');
    expect(resumed.audit).toEqual(reference.audit);
    expect((w.state.get(watchStateKey(watchId)) as { schema: string }).schema).toBe(STORED_SNAPSHOT_SCHEMA);
  });

  it('loads and resumes a snapshot saved by rollgate.machine/v4 (every last verdict as its text)', async () => {
    const { reference, w, watchId, current } = await crashedInBake();
    const record = storedAsV6(w, watchId);
    // v5 saves the passing tests' verdicts as what they are built from, not their text.
    const v5Text = JSON.stringify(record);
    expect(v5Text).toContain('"onRead":{"test":"0"');
    expect(v5Text).not.toContain('CS [');
    const v4 = JSON.parse(v5Text) as Record<string, unknown>;
    expect(lastAsV4(v4, current)).toBeGreaterThan(1);
    expect(JSON.stringify(v4)).toContain('CS [');
    w.state.set(watchStateKey(watchId), { ...v4, schema: 'rollgate.machine/v4' });
    expect(await loadStoredSnapshot(loaderOf(w), watchId)).toEqual(current);

    const restarted = w.restart();
    const resumed = await w.watch(restarted);
    expect(resumed.outcome).toBe('rolled-back');
    expect(resumed.audit).toEqual(reference.audit);
    expect((w.state.get(watchStateKey(watchId)) as { schema: string }).schema).toBe(STORED_SNAPSHOT_SCHEMA);
  });

  it('loads and resumes a snapshot saved by rollgate.machine/v5 (gauge verdicts as their text, count recipes with now)', async () => {
    const { reference, w, watchId, current } = await crashedInBake();
    const record = storedAsV6(w, watchId);
    // v6 saves the memory trend's pass as its numbers, and no `now`.
    const v6Text = JSON.stringify(record);
    expect(v6Text).toContain('"onRead":{"gauge":"trend"');
    expect(v6Text).not.toContain('"now":');
    expect(v6Text).not.toContain('away at this rate');
    const v5 = JSON.parse(v6Text) as Record<string, unknown>;
    expect(lastAsV5(v5, current)).toBeGreaterThan(0);
    const v5Text = JSON.stringify(v5);
    expect(v5Text).toContain('away at this rate');
    expect(v5Text).toContain('"now":');
    w.state.set(watchStateKey(watchId), { ...v5, schema: 'rollgate.machine/v5' });
    expect(await loadStoredSnapshot(loaderOf(w), watchId)).toEqual(current);

    const resumed = await w.watch(w.restart());
    expect(resumed.outcome).toBe('rolled-back');
    expect(resumed.audit).toEqual(reference.audit);
    expect((w.state.get(watchStateKey(watchId)) as { schema: string }).schema).toBe(STORED_SNAPSHOT_SCHEMA);
  });

  it('loads and resumes a snapshot saved by rollgate.machine/v7 (the phases in the tests part head), its next save v8 with every chunk', async () => {
    const { reference, w, watchId, current } = await crashedInBake();
    const v7 = storedAsV7(w, watchId);
    expect(JSON.stringify(v7)).not.toContain('"phases"');
    expect(w.state.keys.filter((k) => k.includes('/phases-') && w.state.get(k) !== null)).toEqual([]);
    expect(await loadStoredSnapshot(loaderOf(w), watchId)).toEqual(current);

    const saves = recordSaves(w);
    const resumed = await w.watch(w.restart());
    expect(resumed.outcome).toBe('rolled-back');
    expect(resumed.audit).toEqual(reference.audit);
    const record = w.state.get(watchStateKey(watchId)) as { schema: string; parts: { phases: unknown } };
    expect(record.schema).toBe(STORED_SNAPSHOT_SCHEMA);
    expect(record.parts.phases).toEqual([1, resumed.snapshot.phases.length]);
    // The first save after the resume writes the chunks and a head without the phases.
    const first = saves.findIndex((s) => s.key === watchStateKey(watchId));
    const before = saves.slice(0, first).map((s) => s.key);
    expect(before).toContain(watchPhasesKey(watchId, 1, 0));
    expect(before.some((k) => k.includes('/tests-'))).toBe(true);
  });

  it('loads and resumes the snapshot the v5 code saved (fixture: this watch crashed at bake step 120 under rollgate.machine/v5)', async () => {
    // Written by main at 21f3599 (v5) from this test's world: its record and its parts.
    await resumesFixture('v5-crashed-in-bake.json', 'rollgate.machine/v5', 'away at this rate');
  });

  it('loads and resumes the snapshot the v6 code saved (fixture: this watch crashed at bake step 120 under rollgate.machine/v6)', async () => {
    // Written by main at 8911e8c (v6) from this test's world: its record and its parts. Pins
    // the current format, so a later version's loader is checked against what v6 wrote.
    await resumesFixture('v6-crashed-in-bake.json', 'rollgate.machine/v6', '"onRead":{"gauge":"trend"');
  });

  it('loads and resumes the snapshot the v7 code saved (fixture: this watch crashed at bake step 120 under rollgate.machine/v7)', async () => {
    // Written by this branch's code (record16) from this test's world: its record and its parts.
    // Pins the current format: the head in the tests part, the record without what it rebuilds.
    await withoutFinalLook(() => keepingNewestRestarts(resumesV7Fixture));
  });

  /**
   * Loads `file` (a fixture saved by the code of its format from `crashedInBake`'s world) in
   * place of what the current code stored, after `check` has looked at its record and entries;
   * it must load as the current code's snapshot and resume as a run never stopped.
   */
  async function resumesFixtureEntries(
    file: string,
    check: (record: Record<string, unknown>, entries: Record<string, unknown>, watchId: string) => void,
  ): Promise<void> {
    const { reference, w, watchId, current } = await crashedInBake();
    const fixture = JSON.parse(readFileSync(new URL(`./fixtures/${file}`, import.meta.url), 'utf8')) as {
      watchId: string;
      entries: Record<string, unknown>;
    };
    expect(fixture.watchId).toBe(watchId);
    check(fixture.entries[watchStateKey(watchId)] as Record<string, unknown>, fixture.entries, watchId);
    for (const key of w.state.keys) if (key.includes(watchId)) w.state.set(key, null);
    for (const [key, value] of Object.entries(fixture.entries)) w.state.set(key, value);
    expect(await loadStoredSnapshot(loaderOf(w), watchId)).toEqual(current);

    const resumed = await w.watch(w.restart());
    expect(resumed.outcome).toBe('rolled-back');
    expect(resumed.audit).toEqual(reference.audit);
  }

  function resumesV7Fixture(): Promise<void> {
    return resumesFixtureEntries('v7-crashed-in-bake.json', (record) => {
      expect(record.schema).toBe('rollgate.machine/v7');
      const text = JSON.stringify(record);
      expect(text).not.toContain('"options"');
      expect(text).not.toContain('"observedTrials"');
      expect(text).toContain('"copies":[0');
    });
  }

  it('loads and resumes the snapshot the v8 code saved (fixture: this watch crashed at bake step 120 under rollgate.machine/v8)', async () => {
    // Written by this branch's code (save18) from this test's world: its record and its parts.
    // Pins the current format: the phases in a chunk of their own, the head without them.
    await keepingNewestRestarts(() =>
      resumesFixtureEntries('v8-crashed-in-bake.json', (record, entries, watchId) => {
        expect(record.schema).toBe('rollgate.machine/v8');
        expect((record.parts as { phases: unknown }).phases).toEqual([1, 2]);
        expect(entries[watchPhasesKey(watchId, 1, 0)]).toMatchObject({ part: 'phases', value: { from: 0 } });
      }),
    );
  });

  it('refuses a v7 or v8 record whose tests part has no head, or whose points take their times from a signal without them', async () => {
    const w = world({ contract: { bakeSeconds: 900 }, bakeSteps: 400 });
    const watchId = await crashWhen(w, () => (w.clock.now() - DEPLOY_AT) / STEP >= 43);
    expect(await loadStoredSnapshot(loaderOf(w), watchId)).not.toBeNull();
    const record = w.state.get(watchStateKey(watchId)) as { parts: { tests: number } };
    const testsKey = watchPartKey(watchId, 'tests', record.parts.tests);
    const part = w.state.get(testsKey) as { value: Record<string, unknown> };
    const { head: _, ...headless } = part.value;
    w.state.set(testsKey, { ...part, value: headless });
    await expect(loadStoredSnapshot(loaderOf(w), watchId)).rejects.toMatchObject({
      code: 'STATE_CORRUPT',
      message: expect.stringMatching(/its tests part must hold the head/),
    });
    w.state.set(testsKey, part);
    const text = JSON.stringify(record);
    expect(text).toContain('"t":"error-rate"');
    w.state.set(watchStateKey(watchId), JSON.parse(text.replaceAll('"t":"error-rate"', '"t":"cpu"')));
    await expect(loadStoredSnapshot(loaderOf(w), watchId)).rejects.toMatchObject({
      code: 'STATE_CORRUPT',
      message: expect.stringMatching(/take their times from "cpu", which has none/),
    });
  });

  it('refuses a v6 record whose gauge verdict lacks the numbers its kind needs', async () => {
    const { w, watchId } = await crashedInBake();
    const text = JSON.stringify(w.state.get(watchStateKey(watchId))).replace(
      '"onRead":{"gauge":"trend"',
      '"onRead":{"gauge":"spline"',
    );
    w.state.set(watchStateKey(watchId), JSON.parse(text));
    await expect(loadStoredSnapshot(loaderOf(w), watchId)).rejects.toMatchObject({
      code: 'STATE_CORRUPT',
      message: expect.stringMatching(/a gauge verdict's recipe without the numbers its kind "spline" needs/),
    });
  });

  it('refuses a v5 record whose last verdict is built from a test it does not hold', async () => {
    const { w, watchId } = await crashedInBake();
    const record = JSON.parse(JSON.stringify(w.state.get(watchStateKey(watchId)))) as Record<string, unknown>;
    const text = JSON.stringify(record).replace('"onRead":{"test":"0"', '"onRead":{"test":"7"');
    w.state.set(watchStateKey(watchId), JSON.parse(text));
    await expect(loadStoredSnapshot(loaderOf(w), watchId)).rejects.toMatchObject({
      code: 'STATE_CORRUPT',
      message: expect.stringMatching(/is built from test "7", which its segment does not hold/),
    });
  });

  it('refuses a record whose tests part is missing or does not hold a test it needs', async () => {
    const w = world({ contract: { bakeSeconds: 900 }, bakeSteps: 400 });
    const watchId = await crashWhen(w, () => (w.clock.now() - DEPLOY_AT) / STEP >= 40);
    const record = w.state.get(watchStateKey(watchId)) as { parts: { tests: number } };
    expect(record.parts.tests).toBeGreaterThan(0);
    const testsKey = watchPartKey(watchId, 'tests', record.parts.tests);
    const part = w.state.get(testsKey) as { value: { bake: Record<string, unknown> } };

    w.state.set(testsKey, { ...part, value: { ...part.value, bake: {}, verify: null } });
    const lacking = await loadStoredSnapshot(loaderOf(w), watchId).catch((e: unknown) => e);
    expect(RollgateError.is(lacking) && lacking.code).toBe('STATE_CORRUPT');
    expect((lacking as Error).message).toMatch(/tests\["0"\] needs its fixed fields from the tests part/);

    w.state.set(testsKey, null);
    const missing = await loadStoredSnapshot(loaderOf(w), watchId).catch((e: unknown) => e);
    expect(RollgateError.is(missing) && missing.code).toBe('STATE_CORRUPT');
    expect((missing as Error).message).toContain(`"${testsKey}", which is missing`);
    expect((missing as Error).message).toContain('to start it afresh');
  });

  it('refuses a record whose part is missing or of another generation, naming the key and the fix', async () => {
    const w = world({ contract: { bakeSeconds: 900 }, bakeSteps: 400 });
    const watchId = await crashWhen(w, () => (w.clock.now() - DEPLOY_AT) / STEP >= 40);
    const record = w.state.get(watchStateKey(watchId)) as { parts: { baseline: number; series: number } };
    expect(record.parts.baseline).toBe(1);

    const baselineKey = watchPartKey(watchId, 'baseline', 1);
    const part = w.state.get(baselineKey) as Record<string, unknown>;
    w.state.set(baselineKey, { ...part, generation: 3 });
    const wrong = await loadStoredSnapshot(loaderOf(w), watchId).catch((e: unknown) => e);
    expect(RollgateError.is(wrong) && wrong.code).toBe('STATE_CORRUPT');
    expect((wrong as Error).message).toContain(
      `needs its baseline of generation 1, but "${baselineKey}" holds generation 3`,
    );
    expect((wrong as Error).message).toContain('to start it afresh');

    w.state.set(baselineKey, null);
    const missing = await loadStoredSnapshot(loaderOf(w), watchId).catch((e: unknown) => e);
    expect(RollgateError.is(missing) && missing.code).toBe('STATE_CORRUPT');
    expect((missing as Error).message).toContain(`"${baselineKey}", which is missing`);
    // The controller refuses to resume it blind, with the same error.
    const resumed = await w.watch(w.restart()).catch((e: unknown) => e);
    expect(RollgateError.is(resumed) && resumed.code).toBe('STATE_CORRUPT');

    // Read without its parts, a record saved in parts is refused, never misread.
    expect(() => parseMachineSnapshot(record, 'stored snapshot of watch w')).toThrow(/saved in parts/);
  });
});

describe('chart series as columns across a resume', () => {
  it('a writer resumed from the loaded snapshot plans the same writes as the uninterrupted one, step after step', async () => {
    const w = world({ contract: { bakeSeconds: 900 }, bakeSteps: 400 });
    const snapshots: MachineSnapshot[] = [];
    w.controller.events.on('step', ({ snapshot }) => {
      snapshots.push(snapshot);
    });
    expect((await w.watch()).outcome).toBe('promoted');

    // Replays the saves into a store of its own, and at chosen steps resumes from that store:
    // the resumed machine appends its next point to the LOADED series (columns of their own
    // storage), so the writer must recognise the loaded checkpoint as the series' prefix.
    const store = new Map<string, unknown>();
    const load = async (key: string) => store.get(key) ?? null;
    const apply = (plan: ReturnType<StoredSnapshotWriter['plan']>) => {
      for (const part of plan.parts) store.set(part.key, JSON.parse(JSON.stringify(part.value)));
      store.set(plan.key, JSON.parse(JSON.stringify(plan.record)));
      for (const key of plan.stale) store.set(key, null);
      plan.commit();
    };
    const writer = new StoredSnapshotWriter(snapshots[0] as MachineSnapshot);
    let compared = 0;
    let partsCompared = 0;
    for (let i = 0; i + 1 < snapshots.length; i++) {
      const now = snapshots[i] as MachineSnapshot;
      const next = snapshots[i + 1] as MachineSnapshot;
      apply(writer.plan(now));
      const grows = Object.entries(next.series).every(
        ([signal, cols]) => cols.length === (now.series[signal]?.length ?? 0) + 1,
      );
      if (i % 7 !== 3 || !grows) continue;
      const loaded = (await loadStoredSnapshot(load, now.watchId)) as MachineSnapshot;
      const series = Object.fromEntries(
        Object.entries(next.series).map(([signal, cols]) => [
          signal,
          (loaded.series[signal] ?? ChartColumns.EMPTY).append(cols.point(cols.length - 1)),
        ]),
      );
      // The resumed machine's watch state holds the loaded baseline (its identity tells the writer
      // the baseline part is saved already); its chart series, the loaded columns plus a point.
      const bake = { ...next.bake, baseline: loaded.bake.baseline };
      const resumed = new StoredSnapshotWriter(loaded).plan({ ...next, bake, series });
      // The uninterrupted writer's plan for `next`, not committed (the loop plans it again).
      const expected = writer.plan(next);
      expect(JSON.stringify(resumed.record)).toBe(JSON.stringify(expected.record));
      expect(JSON.stringify(resumed.parts)).toBe(JSON.stringify(expected.parts));
      expect(resumed.stale).toEqual(expected.stale);
      compared++;
      if (expected.parts.length > 0) partsCompared++;
    }
    expect(compared).toBeGreaterThan(20);
    // Most resumed steps write no series part: the loaded checkpoint was recognised.
    expect(partsCompared).toBeLessThan(compared / 3);
  });
});

describe('a save of values that did not change', () => {
  it("reuses a watch state's stored form from the second save on, writing the same bytes", async () => {
    const w = world({ contract: { bakeSeconds: 300 }, bakeSteps: 100 });
    let last: MachineSnapshot | null = null;
    w.controller.events.on('step', ({ snapshot }) => {
      last = snapshot;
    });
    expect((await w.watch()).outcome).toBe('promoted');
    // The last step's values were saved by the controller already: new objects, the same content.
    const saved = last as unknown as MachineSnapshot;
    const snapshot: MachineSnapshot = {
      ...saved,
      bake: { ...saved.bake },
      series: Object.fromEntries(Object.entries(saved.series).map(([k, v]) => [k, v.prefix(v.length - 1)])),
    };
    const writer = new StoredSnapshotWriter(snapshot);
    const plans = [1, 2, 3].map(() => writer.plan(snapshot));
    const [first, second, third] = plans.map((p) => p.record as Record<string, Record<string, unknown>>);
    expect(JSON.stringify(second)).toBe(JSON.stringify(first));
    expect(JSON.stringify(third)).toBe(JSON.stringify(first));
    // A new watch state every step during a bake: the first two saves encode it...
    expect(second?.bake?.signals).not.toBe(first?.bake?.signals);
    // ...the third finds it remembered (the bake's state all through a verification).
    expect(third?.bake?.signals).toBe(second?.bake?.signals);
    // A series' newest points are encoded at every save, not remembered (a save without an
    // evaluation is rare; the per-signal memo cost heap: docs/benchmarks.md, heap17-issue-13):
    // new objects, the same JSON.
    const signal = Object.keys(snapshot.series)[0] as string;
    expect(third?.series?.[signal]).not.toBe(second?.series?.[signal]);
    expect(JSON.stringify(third?.series?.[signal])).toBe(JSON.stringify(second?.series?.[signal]));
  });
});

describe('a watch resumed from what any step saved', () => {
  it('property: resumed after the save of any step, it decides every later step and writes the audit as a run never stopped', async () => {
    const contract = { bakeSeconds: 1_200 };
    const straight = world({ after: errorsFrom(200), contract, bakeSteps: 600 });
    const reference = stepsOf(straight);
    const uninterrupted = await straight.watch();
    expect(uninterrupted.outcome).toBe('rolled-back');
    expect(reference.length).toBeGreaterThan(200);

    let mixed = 0;
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: reference.length - 2 }), async (crashStep) => {
        const w = world({ after: errorsFrom(200), contract, bakeSteps: 600 });
        let steps = 0;
        let crashedAt = 0;
        const watchId = await crashWhen(w, () => {
          crashedAt = w.clock.now();
          return ++steps === crashStep;
        });
        const saved = JSON.stringify(
          w.state.keys.filter((k) => k.includes(watchId)).map((k) => w.state.get(k)),
        );
        expect(saved).toContain(STORED_SNAPSHOT_SCHEMA);
        if (saved.includes('"noStatistic"')) mixed++;

        const restarted = w.restart();
        const after = stepsOf(w, restarted);
        const resumed = await w.watch(restarted);
        expect(resumed.outcome).toBe(uninterrupted.outcome);
        expect(resumed.audit).toEqual(uninterrupted.audit);
        expect(after.filter((s) => s.at > crashedAt)).toEqual(reference.filter((s) => s.at > crashedAt));
      }),
      { numRuns: 15 },
    );
    // The v4 columns of points with and without a statistic were among what was resumed from.
    expect(mixed).toBeGreaterThan(0);
  });
});

describe('a random watch saved and loaded at a random step (rollgate.machine/v7)', () => {
  /** A watch's data after the deploy: errors, a latency tail and a memory trend from random steps. */
  const faultArb = fc.record({
    errorsPerMille: fc.integer({ min: 50, max: 150 }),
    errorsFrom: fc.integer({ min: 0, max: 60 }),
    slow: fc.integer({ min: 0, max: 40 }),
    slowFrom: fc.integer({ min: 0, max: 120 }),
    memorySlope: fc.integer({ min: -2e5, max: 2e6 }),
  });
  // Half the watches healthy (promoted), half with errors of 5-15% (rolled back), so both kinds
  // are resumed: all 12 draws of one kind is 2 x 2^-12, 1 run in 2,000.
  const dataArb = fc.oneof(
    fc.constant({ errorsPerMille: null, errorsFrom: 0, slow: 0, slowFrom: 0, memorySlope: 0 }),
    faultArb,
  );
  type Data = typeof dataArb extends fc.Arbitrary<infer T> ? T : never;
  const afterOf =
    (d: Data) =>
    (i: number): StepData => {
      const s = healthy(BASELINE_STEPS + i);
      const requests = s.requests ?? 0;
      const slow = i >= d.slowFrom ? Math.min(d.slow, requests - 65) : 0;
      return {
        ...s,
        ...(d.errorsPerMille !== null && i >= d.errorsFrom
          ? { errors: Math.round((requests * d.errorsPerMille) / 1000) }
          : {}),
        latencyHistogram: [0, 0, 15, 50, requests - 65 - slow, 0, slow, 0, 0, 0, 0, 0],
        memory: (s.memory ?? 0) + d.memorySlope * i,
      };
    };
  /** Every step's whole snapshot (as JSON reads it: verdicts built on read are built), by time. */
  const snapshotsOf = (w: World, controller = w.controller) => {
    const out: { at: number; snapshot: unknown }[] = [];
    controller.events.on('step', ({ snapshot }) => {
      out.push({ at: w.clock.now(), snapshot: JSON.parse(JSON.stringify(snapshot)) });
    });
    return out;
  };

  it('property: resumed from what it saved, it holds the same state at every later step as a run never stopped', async () => {
    const outcomes = new Set<string>();
    await fc.assert(
      fc.asyncProperty(dataArb, fc.integer({ min: 1, max: 400 }), async (data, crashAfter) => {
        const contract = { bakeSeconds: 600 };
        const straight = world({ after: afterOf(data), contract, bakeSteps: 300 });
        const reference = snapshotsOf(straight);
        const uninterrupted = await straight.watch();
        outcomes.add(uninterrupted.outcome);
        const crashStep = 1 + (crashAfter % Math.max(1, reference.length - 2));

        const w = world({ after: afterOf(data), contract, bakeSteps: 300 });
        let steps = 0;
        let crashedAt = 0;
        await crashWhen(w, () => {
          crashedAt = w.clock.now();
          return ++steps === crashStep;
        });
        const restarted = w.restart();
        const after = snapshotsOf(w, restarted);
        const resumed = await w.watch(restarted);
        expect(resumed.outcome).toBe(uninterrupted.outcome);
        expect(resumed.audit).toEqual(uninterrupted.audit);
        const later = reference.filter((s) => s.at > crashedAt);
        expect(after.filter((s) => s.at > crashedAt)).toEqual(later);
      }),
      { numRuns: 12 },
    );
    // Both kinds of watch were resumed: one that passed and one rolled back.
    expect(outcomes.size).toBeGreaterThan(1);
  });
});
