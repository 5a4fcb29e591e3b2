import { type MachineSnapshot, parseMachineSnapshot, watchStateKey } from '@rollgate/core';

/** A stored snapshot by watch id, or null when there is none or it cannot be read. */
export async function readStoredWatch(
  load: (key: string) => Promise<unknown>,
  watchId: string,
): Promise<MachineSnapshot | null> {
  const value = await load(watchStateKey(watchId));
  if (value === null || value === undefined) return null;
  return parseMachineSnapshot(value, `stored snapshot of watch ${watchId}`);
}
