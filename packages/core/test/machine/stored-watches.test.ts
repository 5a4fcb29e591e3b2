import { readdir } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { RollgateError } from '../../src/errors/rollgate-error';
import type { MachineSnapshot } from '../../src/machine/machine-state';
import { loadStoredSnapshot, STORED_SNAPSHOT_SCHEMA } from '../../src/machine/stored-snapshot';
import {
  findUnfinishedWatch,
  listStoredWatches,
  storeLoader,
  watchStateKey,
} from '../../src/machine/stored-watches';
import { createFileStateStore } from '../../src/node/file-state-store';
import type { StateStore } from '../../src/ports/state-store';
import { createMemoryStateStore } from '../../src/testing/memory-state-store';
import type { SimulatedClock } from '../../src/testing/simulated-clock';
import { tempDir } from '../node/temp-dir';
import { DEPLOY_AT, STEP, world } from './world';

const ctx = () => ({ signal: new AbortController().signal, deadline: Number.POSITIVE_INFINITY });

describe('stored watches', () => {
  it('lists a finished watch and skips it when looking for an unfinished one', async () => {
    const w = world();
    const result = await w.watch();
    const listed = await listStoredWatches(w.state, ctx());
    expect(listed.ok && listed.value.map((e) => e.watchId)).toEqual([result.watchId]);
    const entry = listed.ok ? listed.value[0] : undefined;
    expect(entry && 'snapshot' in entry && entry.snapshot.state).toBe('Promoted');
    const other = await listStoredWatches(w.state, ctx(), { service: 'payments' });
    expect(other.ok && other.value).toEqual([]);
    const found = await findUnfinishedWatch(
      w.state,
      { service: 'checkout', artifactId: 'v2', dryRun: false, now: DEPLOY_AT, maxAgeMs: 3_600_000 },
      ctx(),
    );
    expect(found.ok && found.value).toBeNull();
  });

  it('finds the newest unfinished watch of the artifact within the age limit', async () => {
    const state = createMemoryStateStore();
    const w = world();
    const finished = await w.watch();
    const running = (startedAt: number, watchId: string, dryRun = false) => ({
      ...finished.snapshot,
      watchId,
      startedAt,
      state: 'Watching',
      options: { ...finished.snapshot.options, dryRun },
    });
    state.set(watchStateKey('old'), running(DEPLOY_AT - 7_200_000, 'old'));
    state.set(watchStateKey('new'), running(DEPLOY_AT - 60_000, 'new'));
    state.set(watchStateKey('dry'), running(DEPLOY_AT, 'dry', true));
    const query = { service: 'checkout', artifactId: 'v2', now: DEPLOY_AT, maxAgeMs: 3_600_000 };
    const found = await findUnfinishedWatch(state, { ...query, dryRun: false }, ctx());
    expect(found.ok && found.value?.watchId).toBe('new');
    const dry = await findUnfinishedWatch(state, { ...query, dryRun: true }, ctx());
    expect(dry.ok && dry.value?.watchId).toBe('dry');
  });

  it('lists a damaged snapshot with its problem instead of hiding it', async () => {
    const state = createMemoryStateStore();
    state.set(watchStateKey('broken'), { schema: 'something else' });
    state.corrupt(watchStateKey('torn'));
    const listed = await listStoredWatches(state, ctx());
    expect(listed.ok).toBe(true);
    const problems = listed.ok ? listed.value.map((e) => ('problem' in e ? e.problem.code : 'ok')) : [];
    expect(problems).toEqual(['STATE_CORRUPT', 'STATE_CORRUPT']);
  });
});

/** `store` with a count of its calls in flight, so simulated time never moves while a file is read or written. */
function counted(store: StateStore): { store: StateStore; inFlight: () => number } {
  let n = 0;
  const track = <T>(p: Promise<T>): Promise<T> => {
    n++;
    return p.finally(() => {
      n--;
    });
  };
  return {
    store: {
      load: (key, ctx) => track(store.load(key, ctx)),
      save: (key, value, ctx) => track(store.save(key, value, ctx)),
      list: (prefix, ctx) => track(store.list(prefix, ctx)),
    },
    inFlight: () => n,
  };
}

/**
 * Runs `work` on the simulated clock like `runOnClock`, but over a real file store: the clock
 * jumps to its next timer only once no store call is in flight and the work has had a few turns
 * of the event loop to go on, so the timeline is the same however slow the disk is.
 */
async function runOverFiles<T>(clock: SimulatedClock, inFlight: () => number, work: Promise<T>): Promise<T> {
  let settled = false;
  work.then(
    () => {
      settled = true;
    },
    () => {
      settled = true;
    },
  );
  for (let idle = 0; !settled; ) {
    await new Promise((resolve) => setImmediate(resolve));
    if (settled) break;
    if (inFlight() > 0) {
      idle = 0;
      continue;
    }
    idle++;
    const next = clock.nextDue;
    if (next === undefined) {
      if (idle > 10_000) throw new Error('runOverFiles: the work waits on neither the clock nor the store');
      continue;
    }
    if (idle < 3) continue;
    idle = 0;
    clock.set(next);
  }
  return work;
}

describe('stored watches in a file state store (a snapshot saved in parts)', () => {
  it('lists the interrupted watch once, finds it unfinished, and resumes it from its parts to the audit of an uninterrupted run', async () => {
    const contract = { bakeSeconds: 900 };
    const reference = await world({ contract, bakeSteps: 400 }).watch();
    expect(reference.outcome).toBe('promoted');

    const { dir, cleanup } = await tempDir('rollgate-stored-watches-');
    try {
      const w = world({ contract, bakeSteps: 400 });
      const files = counted(createFileStateStore({ dir, clock: w.clock }));
      const watch = (run: Promise<unknown>) => runOverFiles(w.clock, files.inFlight, run);

      // The first process: stopped after 40 evaluations, with the chart series in its own part.
      const first = w.restart({ state: files.store });
      const abort = new AbortController();
      let watchId = '';
      first.events.on('step', ({ snapshot }) => {
        watchId = snapshot.watchId;
        if ((w.clock.now() - DEPLOY_AT) / STEP >= 40) abort.abort(new Error('stopped'));
      });
      const stopped = await watch(
        first.watch({ artifactId: 'v2', deployedAt: DEPLOY_AT }, { signal: abort.signal }),
      ).catch((e: unknown) => e);
      expect(RollgateError.is(stopped) && stopped.code).toBe('ABORTED');

      // On disk: one watch record, the rest are its parts (outside watch/, so listings skip them).
      const keys = (await readdir(dir)).filter((f) => f.endsWith('.json')).map((f) => decodeURIComponent(f));
      expect(keys.filter((k) => k.startsWith('watch/'))).toEqual([`${watchStateKey(watchId)}.json`]);
      expect(keys.filter((k) => k.startsWith(`watch-part/${watchId}/`)).length).toBeGreaterThanOrEqual(2);
      const record = await files.store.load(watchStateKey(watchId), ctx());
      const saved = (record.ok ? record.value : null) as {
        schema: string;
        parts: { baseline: number; series: number };
      };
      expect(saved.schema).toBe(STORED_SNAPSHOT_SCHEMA);
      expect(saved.parts.baseline).toBe(1);
      expect(saved.parts.series).toBeGreaterThanOrEqual(1);

      const listed = await listStoredWatches(files.store, ctx());
      expect(listed.ok && listed.value.map((e) => e.watchId)).toEqual([watchId]);
      const entry = listed.ok ? listed.value[0] : undefined;
      const snapshot = entry && 'snapshot' in entry ? entry.snapshot : null;
      expect(snapshot?.state).toBe('Watching');
      expect(snapshot?.bake.baseline).not.toBeNull();
      expect(Object.values(snapshot?.series ?? {}).some((points) => points.length > 15)).toBe(true);
      expect(snapshot).toEqual(await loadStoredSnapshot(storeLoader(files.store, ctx()), watchId));

      const query = {
        service: 'checkout',
        artifactId: 'v2',
        dryRun: false,
        now: w.clock.now(),
        maxAgeMs: 3_600_000,
      };
      const found = await findUnfinishedWatch(files.store, query, ctx());
      expect(found.ok && found.value?.watchId).toBe(watchId);

      // The second process resumes what it found: no second watch, the same outcome and audit.
      const second = w.restart({ state: files.store });
      const starts: { watchId: string; resumed: boolean }[] = [];
      second.events.on('watch-start', (e) => starts.push({ watchId: e.watchId, resumed: e.resumed }));
      const resumed = (await watch(second.resume(watchId))) as Awaited<ReturnType<typeof w.watch>>;
      expect(starts).toEqual([{ watchId, resumed: true }]);
      expect(resumed.outcome).toBe('promoted');
      expect(resumed.audit).toEqual(reference.audit);

      const after = await listStoredWatches(files.store, ctx());
      expect(
        after.ok &&
          after.value.map((e) => ('snapshot' in e ? (e.snapshot as MachineSnapshot).state : e.problem.code)),
      ).toEqual(['Promoted']);
      const none = await findUnfinishedWatch(files.store, { ...query, now: w.clock.now() }, ctx());
      expect(none.ok && none.value).toBeNull();
    } finally {
      await cleanup();
    }
  }, 180_000); // two 400-step watches: about 8 s on an idle machine, several times that at load 30+
});
