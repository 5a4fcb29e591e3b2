import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RollgateError } from '../../src/errors/rollgate-error';
import type { MachineSnapshot } from '../../src/machine/machine-state';
import {
  loadStoredSnapshot,
  STORED_SNAPSHOT_SCHEMA,
  StoredSnapshotWriter,
  watchPartKey,
  watchPhasesKey,
} from '../../src/machine/stored-snapshot';
import { watchStateKey } from '../../src/machine/stored-watches';
import {
  BASELINE_STEPS,
  climbingRate,
  crashAfterSave,
  crashWhen,
  errorsAtRate,
  recordSaves,
  world,
} from './world';

// docs/stores.md, "Watch snapshots in the StateStore" (v8): the snapshot's `phases` are stored
// append-only, in chunks of 8 under keys of their own; a save writes only the chunk its new
// phases fall in, the tests part's head no longer holds them.

type World = ReturnType<typeof world>;
type Record_ = { schema: string; parts: { tests: number; phases: [generation: number, count: number] } };

const PER_CHUNK = 8;
const _MINUTE = 60_000;
const loaderOf = (w: World) => async (key: string) => w.state.get(key) ?? null;

/**
 * A watch on a climb the onset gate explains by the trend: it looks again at about every step,
 * each look two transitions (Watching -> Validating -> Watching), each a phase.
 */
function climbWorld(
  base = 0.003,
  perMinute = 0.03,
  requests: (i: number) => number = () => 1000,
  fault?: { times: number; from: number },
) {
  const data = errorsAtRate(climbingRate(base, perMinute, fault?.times, fault?.from), requests);
  return world({
    before: data,
    after: (i) => data(BASELINE_STEPS + i),
    contract: { bakeSeconds: 600 },
    bakeSteps: 200,
  });
}

/** Every step's whole snapshot (as JSON reads it), by time. */
const snapshotsOf = (w: World, controller = w.controller) => {
  const out: { at: number; snapshot: unknown }[] = [];
  controller.events.on('step', ({ snapshot }) => {
    out.push({ at: w.clock.now(), snapshot: JSON.parse(JSON.stringify(snapshot)) });
  });
  return out;
};

const isPhasesKey = (key: string) => /\/phases-[01]-\d+$/.test(key);
const chunkOf = (key: string) => Number(key.slice(key.lastIndexOf('-') + 1));

describe('phases stored append-only (rollgate.machine/v8)', () => {
  it("a climb's looks write the chunk their phase falls in, never the tests part, and a full chunk never again", async () => {
    const w = climbWorld();
    const saves = recordSaves(w);
    let checked = 0;
    w.controller.events.on('step', async ({ snapshot }) => {
      // What is stored reads back as the snapshot the machine holds, at every step.
      expect(await loadStoredSnapshot(loaderOf(w), snapshot.watchId)).toEqual(snapshot);
      checked++;
    });
    const result = await w.watch();
    expect(result.outcome, result.reason).toBe('incident-routed');
    const phases = result.snapshot.phases.length;
    // Many looks: phases over several chunks.
    expect(phases).toBeGreaterThanOrEqual(4 * PER_CHUNK);
    expect(checked).toBeGreaterThan(100);

    const records = saves.filter((s) => s.key === watchStateKey(result.watchId));
    const tests = saves.filter((s) => s.key.includes('/tests-') && s.bytes > 0);
    const chunks = saves.filter((s) => isPhasesKey(s.key) && s.bytes > 0);
    // The tests part: when the tests start, at the cold-start ruling and the like, not at a look.
    expect(tests.length).toBeLessThanOrEqual(6);
    // One chunk per save that added a phase; each holds the phases of its chunk up to the newest.
    let count = 0;
    let sealed = -1;
    for (const s of saves) {
      if (s.key === watchStateKey(result.watchId)) {
        const record = s.value as Record_;
        expect(record.schema).toBe(STORED_SNAPSHOT_SCHEMA);
        expect(record.parts.phases[0]).toBe(1);
        expect(record).not.toHaveProperty('phases');
        count = record.parts.phases[1];
        continue;
      }
      if (!isPhasesKey(s.key) || s.bytes === 0) continue;
      const chunk = chunkOf(s.key);
      const value = (s.value as { value: { from: number; phases: unknown[] } }).value;
      expect(value.from).toBe(chunk * PER_CHUNK);
      expect(value.phases.length).toBeGreaterThan(0);
      expect(value.phases.length).toBeLessThanOrEqual(PER_CHUNK);
      // Written only when it holds a phase the record before did not count; never once full.
      expect(value.from + value.phases.length).toBeGreaterThan(count);
      expect(chunk).toBeGreaterThan(sealed);
      if (value.phases.length === PER_CHUNK) sealed = chunk;
    }
    expect(chunks.length).toBeLessThanOrEqual(phases);
    // The head holds no phase: a look's saves are the size of a steady step's, whatever the history.
    for (const t of tests) expect(JSON.stringify(t.value)).not.toContain('"phases"');
    // The audit record, pending in the record until it is written, refers to the phases by their
    // count rather than holding them again.
    const ending = saves.filter((s) => JSON.stringify(s.value).includes('"type":"write-audit"'));
    expect(ending.length).toBeGreaterThan(0);
    for (const s of ending) expect(JSON.stringify(s.value)).toContain(`"phases":{"fromSnapshot":${phases}}`);
    const audit = JSON.stringify(result.audit);
    const phasesText = JSON.stringify(result.audit?.phases);
    expect(phasesText.length).toBeGreaterThan(10_000);
    for (const s of ending) expect(s.bytes).toBeLessThan(audit.length - phasesText.length + 10_000);
    const largest = Math.max(...saves.filter((s) => !ending.includes(s)).map((s) => s.bytes));
    const largestChunk = Math.max(...chunks.map((s) => s.bytes));
    expect(largestChunk).toBeLessThan(PER_CHUNK * 600);
    expect(largest).toBeLessThan(20_000);
    expect(records.length).toBeGreaterThan(100);
  });

  it('property: a climb with many looks, crashed at a random step, holds the same snapshot at every later step as a run never stopped', async () => {
    let crossed = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          base: fc.double({ min: 0.002, max: 0.005, noNaN: true }),
          perMinute: fc.double({ min: 0.02, max: 0.04, noNaN: true }),
          requests: fc.integer({ min: 300, max: 1000 }),
          fault: fc.option(fc.record({ times: fc.constant(3), from: fc.integer({ min: 40, max: 150 }) }), {
            nil: undefined,
          }),
        }),
        // Where in the run the crash falls, as a share of its saves.
        fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }),
        async (climbOf, crashAt) => {
          const requests = (i: number) => climbOf.requests + ((i * 13) % 17);
          const straight = climbWorld(climbOf.base, climbOf.perMinute, requests, climbOf.fault);
          const reference = snapshotsOf(straight);
          const uninterrupted = await straight.watch();
          const crashStep = 1 + Math.floor(crashAt * Math.max(1, reference.length - 2));

          const w = climbWorld(climbOf.base, climbOf.perMinute, requests, climbOf.fault);
          let steps = 0;
          let crashedAt = 0;
          let phasesAtCrash = 0;
          await crashWhen(w, (s) => {
            crashedAt = w.clock.now();
            phasesAtCrash = s.phases.length;
            return ++steps === crashStep;
          });
          if (phasesAtCrash > PER_CHUNK) crossed++;
          const restarted = w.restart();
          const after = snapshotsOf(w, restarted);
          const resumed = await w.watch(restarted);
          expect(resumed.outcome).toBe(uninterrupted.outcome);
          expect(resumed.audit).toEqual(uninterrupted.audit);
          expect(after.filter((s) => s.at > crashedAt)).toEqual(reference.filter((s) => s.at > crashedAt));
        },
      ),
      // One run always crashes late, after the first chunk is full (the random ones may not).
      { numRuns: 10, examples: [[{ base: 0.003, perMinute: 0.03, requests: 600, fault: undefined }, 0.9]] },
    );
    // Some crashes came after the first chunk was full.
    expect(crossed).toBeGreaterThan(0);
  });

  it('resumes after a crash between a chunk and its record: the record counts the phases it belongs with', async () => {
    const reference = await climbWorld().watch();
    expect(reference.outcome).toBe('incident-routed');

    const w = climbWorld();
    let chunkSaves = 0;
    // The crash: the 13th chunk write is saved, its record never is.
    const watchId = await crashAfterSave(
      w,
      (key, value) => isPhasesKey(key) && value !== null && ++chunkSaves === 13,
    );
    const record = w.state.get(watchStateKey(watchId)) as Record_;
    const [generation, count] = record.parts.phases;
    // The chunk holds one phase more than the record counts.
    const chunk = w.state.get(watchPhasesKey(watchId, generation, Math.floor(count / PER_CHUNK))) as {
      value: { from: number; phases: unknown[] };
    } | null;
    const held = chunk === null ? 0 : chunk.value.from + chunk.value.phases.length;
    expect(held).toBe(count + 1);
    const loaded = await loadStoredSnapshot(loaderOf(w), watchId);
    expect(loaded?.phases).toHaveLength(count);

    const resumed = await w.watch(w.restart());
    expect(resumed.outcome).toBe('incident-routed');
    expect(resumed.audit).toEqual(reference.audit);
  });

  it('refuses a record whose phases are missing, short, of another generation or not counted, naming the key and the fix', async () => {
    const w = climbWorld();
    const watchId = await crashWhen(w, (s) => s.phases.length >= 2 * PER_CHUNK + 3);
    const record = w.state.get(watchStateKey(watchId)) as Record_;
    const [generation, count] = record.parts.phases;
    expect(count).toBeGreaterThan(2 * PER_CHUNK);
    const key = watchPhasesKey(watchId, generation, 1);
    const chunk = w.state.get(key) as { generation: number; value: { from: number; phases: unknown[] } };
    const refused = async (message: RegExp | string) => {
      const error = await loadStoredSnapshot(loaderOf(w), watchId).catch((e: unknown) => e);
      expect(RollgateError.is(error) && error.code).toBe('STATE_CORRUPT');
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).toContain('to start it afresh');
    };

    w.state.set(key, null);
    await refused(`"${key}", which is missing`);
    w.state.set(key, { ...chunk, generation: generation + 2 });
    await refused(
      `needs its phases of generation ${generation}, but "${key}" holds generation ${generation + 2}`,
    );
    w.state.set(key, { ...chunk, value: { ...chunk.value, phases: chunk.value.phases.slice(0, 3) } });
    await refused(`needs phases 8 to 15 from "${key}", which does not hold them`);
    w.state.set(key, { ...chunk, value: { ...chunk.value, from: 0 } });
    await refused(`needs phases 8 to 15 from "${key}", which does not hold them`);
    w.state.set(key, chunk);
    expect((await loadStoredSnapshot(loaderOf(w), watchId))?.phases).toHaveLength(count);

    const { phases: _, ...parts } = record.parts;
    w.state.set(watchStateKey(watchId), { ...record, parts });
    await refused(/does not say which \(parts: \{ baseline, series, tests, phases: \[generation, count\] \}/);
    w.state.set(watchStateKey(watchId), { ...record, parts: { ...parts, phases: [generation, 0] } });
    await refused(/does not say which/);
  });

  it('writes a new generation when the phases are not an extension of those saved, and clears the old one after the record', async () => {
    const w = climbWorld();
    let last: MachineSnapshot | null = null;
    const watchId = await crashWhen(w, (s) => {
      last = s;
      return s.phases.length >= PER_CHUNK + 4;
    });
    const snapshot = last as unknown as MachineSnapshot;
    const loaded = (await loadStoredSnapshot(loaderOf(w), watchId)) as MachineSnapshot;
    const writer = new StoredSnapshotWriter(loaded);
    // The same phases (equal, not the same objects): nothing to write.
    expect(writer.plan({ ...loaded, phases: JSON.parse(JSON.stringify(snapshot.phases)) }).parts).toEqual([]);
    // An earlier phase's reason changed: not an extension.
    const edited = loaded.phases.map((p, i) => (i === 2 ? { ...p, reason: `${p.reason} (edited)` } : p));
    const plan = writer.plan({ ...loaded, phases: edited });
    const generation = (w.state.get(watchStateKey(watchId)) as Record_).parts.phases[0];
    expect(plan.parts.map((p) => p.key)).toEqual([
      watchPhasesKey(watchId, generation + 1, 0),
      watchPhasesKey(watchId, generation + 1, 1),
    ]);
    expect(plan.stale).toEqual([
      watchPhasesKey(watchId, generation, 0),
      watchPhasesKey(watchId, generation, 1),
    ]);
    expect(watchPhasesKey(watchId, generation + 1, 0)).not.toBe(watchPhasesKey(watchId, generation, 0));
    for (const part of plan.parts) w.state.set(part.key, JSON.parse(JSON.stringify(part.value)));
    w.state.set(plan.key, JSON.parse(JSON.stringify(plan.record)));
    for (const key of plan.stale) w.state.set(key, null);
    plan.commit();
    expect((await loadStoredSnapshot(loaderOf(w), watchId))?.phases).toEqual(edited);
    // The tests part was not rewritten for it: the head holds no phase.
    expect(plan.parts.some((p) => p.key === watchPartKey(watchId, 'tests', 1))).toBe(false);
  });

  it('resumes a watch crashed with its audit record pending: the record it writes is the same text', async () => {
    const straight = climbWorld();
    const reference = await straight.watch();
    expect(reference.outcome).toBe('incident-routed');
    const written = JSON.stringify(
      await straight.audit.read(reference.watchId, {
        signal: new AbortController().signal,
        deadline: Number.POSITIVE_INFINITY,
      }),
    );

    const w = climbWorld();
    const watchId = await crashWhen(w, (s) => s.pending.some((c) => c.type === 'write-audit'));
    const record = w.state.get(watchStateKey(watchId)) as Record_ & {
      pending: { record: { phases: unknown } }[];
    };
    expect(record.pending[0]?.record.phases).toEqual({ fromSnapshot: record.parts.phases[1] });
    const loaded = await loadStoredSnapshot(loaderOf(w), watchId);
    const pending = loaded?.pending[0];
    expect(pending?.type === 'write-audit' && pending.record).toEqual(reference.audit);

    const resumed = await w.watch(w.restart());
    expect(resumed.outcome).toBe('incident-routed');
    expect(resumed.audit).toEqual(reference.audit);
    const read = await w.audit.read(watchId, {
      signal: new AbortController().signal,
      deadline: Number.POSITIVE_INFINITY,
    });
    expect(JSON.stringify(read)).toBe(written);

    // A count of more phases than were saved is damage.
    w.state.set(watchStateKey(watchId), {
      ...record,
      pending: [
        { ...record.pending[0], record: { ...record.pending[0]?.record, phases: { fromSnapshot: 999 } } },
      ],
    });
    const error = await loadStoredSnapshot(loaderOf(w), watchId).catch((e: unknown) => e);
    expect(RollgateError.is(error) && error.code).toBe('STATE_CORRUPT');
    expect((error as Error).message).toMatch(/a pending audit record counts more phases than the \d+ saved/);
  });
});
