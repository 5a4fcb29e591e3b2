import { applyPatch } from '../../src/machine/record-patch';
import { STORED_SNAPSHOT_SCHEMA, watchPartKey } from '../../src/machine/stored-snapshot';
import { watchStateKey } from '../../src/machine/stored-watches';

/**
 * The stored per-step record of `watchId` as a whole (`rollgate.machine/v3` form: the state,
 * controls, parts' generations and compact watch state), read synchronously from a store's
 * `get`: a v4 record is its base record (the `record` part) with its patch applied; an older
 * record is returned as stored. Undefined when nothing is stored.
 */
export function wholeRecord(
  get: (key: string) => unknown,
  watchId: string,
): (Record<string, unknown> & { schema: string }) | undefined {
  const stored = get(watchStateKey(watchId)) as { schema: string; base: number; patch: unknown } | undefined;
  if (stored === undefined || stored === null || stored.schema !== STORED_SNAPSHOT_SCHEMA) {
    return stored ?? undefined;
  }
  const base = get(watchPartKey(watchId, 'record', stored.base)) as { value: unknown } | undefined;
  if (!base) throw new Error(`no base record (generation ${stored.base}) for ${watchId}`);
  return applyPatch(base.value, stored.patch, (m) => new Error(m)) as Record<string, unknown> & {
    schema: string;
  };
}
