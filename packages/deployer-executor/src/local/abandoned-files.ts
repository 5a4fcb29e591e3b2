import { readdir, readFile, rm, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { processAlive } from '@rollgate/core/node';
import { quote } from '../errors/executor-error';
import { heldByOperation } from './deploy-lock';
import { JOURNAL_FILE, readJournal } from './operation-journal';
import { deployPaths } from './release-directory';

/** A temporary file whose writer cannot be told (an old name without a pid) is abandoned after this. */
const UNKNOWN_WRITER_AGE_MS = 10 * 60_000;

/** Prefix of the temporary `current` link, `.rollgate-current.<pid>.<random>` in deploy_path. */
export const LINK_TEMPORARY_PREFIX = '.rollgate-current.';

/** Prefix of the journal's temporary file, `.rollgate-cutover.json.<pid>-<random>` in `.dep`. */
export const JOURNAL_TEMPORARY_PREFIX = `.${JOURNAL_FILE}.`;

/**
 * Removes what a cutover process killed mid-way left on a deploy_path, so the next process
 * starts clean:
 * - temporary `current` links and journal files whose writer process is gone (the pid in the
 *   name is not running on this host; a name without a pid after ten minutes). A live writer's
 *   file is never touched, so this is safe beside another Rollgate process;
 * - Deployer's deploy lock, when Rollgate's journal records the operation that holds it as
 *   `done`: the switch is complete, and only the kill between the journal and the unlock kept
 *   the lock (every later cutover refused, `dep deploy` locked).
 * Returns a sentence per file removed; failures to remove are ignored (tried again next start).
 */
export async function removeAbandonedFiles(
  deployPath: string,
  warn: (message: string) => void,
): Promise<string[]> {
  const paths = deployPaths(deployPath);
  const removed: string[] = [];
  const candidates = [
    ...(await names(deployPath))
      .filter((n) => n.startsWith(LINK_TEMPORARY_PREFIX))
      .map((n) => join(deployPath, n)),
    ...(await names(paths.dep))
      .filter((n) => n.startsWith(JOURNAL_TEMPORARY_PREFIX))
      .map((n) => join(paths.dep, n)),
  ];
  for (const file of candidates) {
    if (!(await abandoned(file))) continue;
    try {
      await rm(file, { force: true });
      removed.push(`removed ${quote(file)}, left by an interrupted cutover`);
    } catch {
      // Tried again at the next start.
    }
  }
  const lock = await staleOperationLock(deployPath, warn);
  if (lock !== null) {
    try {
      await unlink(paths.lock);
      removed.push(`removed Deployer's deploy lock ${quote(paths.lock)}: ${lock}`);
    } catch {
      // Gone already, or not removable now: tried again at the next start.
    }
  }
  return removed;
}

/** Why the deploy lock is a stale one of a finished Rollgate operation; null when it is not. */
async function staleOperationLock(
  deployPath: string,
  warn: (message: string) => void,
): Promise<string | null> {
  let holder: string;
  try {
    holder = (await readFile(deployPaths(deployPath).lock, 'utf8')).trim();
  } catch {
    return null;
  }
  const journal = await readJournal(deployPath, warn).catch(() => null);
  if (journal === null || journal.phase !== 'done' || !heldByOperation(holder, journal.operationId))
    return null;
  return `operation ${quote(journal.operationId)} holding it finished its switch to releases/${journal.toRelease} (a process stopped before unlocking)`;
}

async function names(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch {
    return [];
  }
}

/** Whether a temporary file's writer is gone: its pid is not running, or it is old and has none. */
async function abandoned(file: string): Promise<boolean> {
  const pid = pidIn(file);
  if (pid !== null) return !processAlive(pid);
  try {
    return Date.now() - (await stat(file)).mtimeMs > UNKNOWN_WRITER_AGE_MS;
  } catch {
    return false;
  }
}

/** The writer's pid in `.rollgate-current.<pid>.<hex>` or `.rollgate-cutover.json.<pid>-<hex>`. */
function pidIn(file: string): number | null {
  const match = /\.(\d+)[.-][0-9a-f]+$/.exec(file);
  if (!match) return null;
  const pid = Number(match[1]);
  return Number.isSafeInteger(pid) && pid > 0 ? pid : null;
}
