import { randomBytes } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ArtifactRef } from '@rollgate/core';
import { syncDirectory } from './atomic-symlink';
import { deployPaths } from './release-directory';

/** The file in `.dep/` where the last cutover is recorded. */
export const JOURNAL_FILE = 'rollgate-cutover.json';

/**
 * The last cutover on a deploy_path. Written `switching` before the link moves and `done` after
 * `BAD_RELEASE` is written, so a process resuming the same operationId can tell whether the
 * switch happened, finish it, or refuse to switch twice.
 */
export interface CutoverJournal {
  readonly version: 1;
  readonly operationId: string;
  readonly phase: 'switching' | 'done';
  readonly fromRelease: string;
  readonly from: ArtifactRef;
  readonly toRelease: string;
  readonly to: ArtifactRef;
  /** Epoch ms by the executor's clock. */
  readonly at: number;
}

/** Reads the journal; null when there is none, and `warn` + null when it is unreadable. */
export async function readJournal(
  deployPath: string,
  warn: (message: string) => void,
): Promise<CutoverJournal | null> {
  const path = join(deployPaths(deployPath).dep, JOURNAL_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  try {
    const value = JSON.parse(text) as Partial<CutoverJournal>;
    if (
      value.version === 1 &&
      typeof value.operationId === 'string' &&
      (value.phase === 'switching' || value.phase === 'done') &&
      typeof value.fromRelease === 'string' &&
      typeof value.toRelease === 'string' &&
      typeof value.from?.id === 'string' &&
      typeof value.to?.id === 'string' &&
      typeof value.at === 'number'
    ) {
      return value as CutoverJournal;
    }
  } catch {
    // Reported below.
  }
  warn(
    `${path} is not a Rollgate cutover record; ignored it (a replayed operation cannot be recognised by it).`,
  );
  return null;
}

/** Writes the journal atomically (temporary file, fsync, rename). */
export async function writeJournal(deployPath: string, journal: CutoverJournal): Promise<void> {
  const dir = deployPaths(deployPath).dep;
  const path = join(dir, JOURNAL_FILE);
  // The writer's pid in the name: a file left by a killed process is recognised and removed.
  const temporary = join(dir, `.${JOURNAL_FILE}.${process.pid}-${randomBytes(6).toString('hex')}`);
  try {
    await writeFile(temporary, `${JSON.stringify(journal)}\n`, { flush: true });
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  await syncDirectory(dir);
}
