import { loadStoredSnapshot, type MachineSnapshot } from '@rollgate/core';

/** A stored snapshot by watch id (with its parts), or null when there is none or it cannot be read. */
export async function readStoredWatch(
  load: (key: string) => Promise<unknown>,
  watchId: string,
): Promise<MachineSnapshot | null> {
  return loadStoredSnapshot(load, watchId);
}
