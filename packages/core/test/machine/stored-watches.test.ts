import { describe, expect, it } from 'vitest';
import { findUnfinishedWatch, listStoredWatches, watchStateKey } from '../../src/machine/stored-watches';
import { createMemoryStateStore } from '../../src/testing/memory-state-store';
import { DEPLOY_AT, world } from './world';

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
