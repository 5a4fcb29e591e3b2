import { RollgateError } from '../errors/rollgate-error';
import type { PortContext } from '../ports/abort';
import { fail, ok, type Result } from '../ports/result';
import type { StateStore } from '../ports/state-store';
import type { MachineSnapshot } from './machine-state';
import { TERMINAL_STATES } from './state-table';
import { loadStoredSnapshot } from './stored-snapshot';

/** The prefix of every watch snapshot's key in a {@link StateStore}. */
export const WATCH_KEY_PREFIX = 'watch/';

/** The StateStore key of one watch's snapshot. */
export function watchStateKey(watchId: string): string {
  return `${WATCH_KEY_PREFIX}${watchId}`;
}

/** A key's stored value through a StateStore, for {@link loadStoredSnapshot}: a failed load throws its error. */
export function storeLoader(state: StateStore, ctx: PortContext): (key: string) => Promise<unknown> {
  return async (key) => {
    const loaded = await state.load(key, ctx);
    if (!loaded.ok) throw loaded.error;
    return loaded.value;
  };
}

/** A stored watch as listed: its snapshot, or why it could not be read. */
export type StoredWatch =
  | { readonly watchId: string; readonly snapshot: MachineSnapshot }
  | { readonly watchId: string; readonly problem: RollgateError };

/**
 * Every watch snapshot in `state`, optionally of one service, in key order. A snapshot that
 * cannot be loaded or parsed is listed with its problem rather than dropped, so a listing
 * never hides a damaged watch. Fails only when the store cannot list.
 */
export async function listStoredWatches(
  state: StateStore,
  ctx: PortContext,
  filter: { readonly service?: string } = {},
): Promise<Result<readonly StoredWatch[]>> {
  const keys = await state.list(WATCH_KEY_PREFIX, ctx);
  if (!keys.ok) return keys;
  const watches: StoredWatch[] = [];
  for (const key of keys.value) {
    const watchId = key.slice(WATCH_KEY_PREFIX.length);
    let snapshot: MachineSnapshot | null;
    try {
      snapshot = await loadStoredSnapshot(storeLoader(state, ctx), watchId);
    } catch (error) {
      watches.push({ watchId, problem: RollgateError.from(error, 'STATE_CORRUPT', 'stored-watches') });
      continue;
    }
    if (snapshot === null) continue;
    if (filter.service !== undefined && snapshot.service !== filter.service) continue;
    watches.push({ watchId, snapshot });
  }
  return ok(watches);
}

/** Which unfinished watch {@link findUnfinishedWatch} looks for. */
export interface UnfinishedWatchQuery {
  readonly service: string;
  readonly artifactId: string;
  readonly dryRun: boolean;
  /** Epoch ms by the caller's clock. */
  readonly now: number;
  /** Watches started longer ago than this are not resumed. */
  readonly maxAgeMs: number;
}

/**
 * The newest unfinished watch of `artifactId` (a dry run or not, as asked) that started within
 * `maxAgeMs`: running a watch again after an interruption resumes it instead of starting a
 * second watch of the same deploy. Unreadable snapshots are skipped here (the controller
 * reports them when it loads its own).
 */
export async function findUnfinishedWatch(
  state: StateStore,
  query: UnfinishedWatchQuery,
  ctx: PortContext,
): Promise<Result<MachineSnapshot | null>> {
  const listed = await listStoredWatches(state, ctx, { service: query.service });
  if (!listed.ok) return fail(listed.error);
  let best: MachineSnapshot | null = null;
  for (const entry of listed.value) {
    if (!('snapshot' in entry)) continue;
    const { snapshot } = entry;
    if (snapshot.deploy.artifactId !== query.artifactId || snapshot.options.dryRun !== query.dryRun) continue;
    if (TERMINAL_STATES.has(snapshot.state) || query.now - snapshot.startedAt > query.maxAgeMs) continue;
    if (!best || snapshot.startedAt > best.startedAt) best = snapshot;
  }
  return ok(best);
}
