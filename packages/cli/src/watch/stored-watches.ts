import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type MachineSnapshot, parseMachineSnapshot, TERMINAL_STATES } from '@rollgate/core';
import { STATE_FILE_FORMAT } from '@rollgate/core/node';

/**
 * The unfinished watch of `artifactId` (a dry run or not, as asked) stored in the snapshot
 * directory, if one started within
 * `maxAgeMs`: re-running `rollgate watch` without `--deployed-at` after an interruption resumes
 * it instead of starting a second watch of the same deploy. Unreadable files are skipped here
 * (the controller reports them when it loads its own snapshot).
 */
export async function findUnfinishedWatch(
  snapshotsDir: string,
  service: string,
  artifactId: string,
  dryRun: boolean,
  now: number,
  maxAgeMs: number,
): Promise<MachineSnapshot | null> {
  let files: string[];
  try {
    files = await readdir(snapshotsDir);
  } catch {
    return null;
  }
  let best: MachineSnapshot | null = null;
  for (const file of files.filter((f) => f.endsWith('.json'))) {
    let doc: { format?: unknown; key?: unknown; snapshot?: unknown };
    try {
      doc = JSON.parse(await readFile(join(snapshotsDir, file), 'utf8')) as typeof doc;
    } catch {
      continue;
    }
    if (doc.format !== STATE_FILE_FORMAT || typeof doc.key !== 'string' || !doc.key.startsWith('watch/'))
      continue;
    let snapshot: MachineSnapshot;
    try {
      snapshot = parseMachineSnapshot(doc.snapshot, file);
    } catch {
      continue;
    }
    if (
      snapshot.service !== service ||
      snapshot.deploy.artifactId !== artifactId ||
      snapshot.options.dryRun !== dryRun
    )
      continue;
    if (TERMINAL_STATES.has(snapshot.state) || now - snapshot.startedAt > maxAgeMs) continue;
    if (!best || snapshot.startedAt > best.startedAt) best = snapshot;
  }
  return best;
}

/** A stored snapshot by watch id, or null when there is none or it cannot be read. */
export async function readStoredWatch(
  load: (key: string) => Promise<unknown>,
  watchId: string,
): Promise<MachineSnapshot | null> {
  const value = await load(`watch/${watchId}`);
  if (value === null || value === undefined) return null;
  return parseMachineSnapshot(value, `stored snapshot of watch ${watchId}`);
}
