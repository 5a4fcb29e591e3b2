import { randomBytes } from 'node:crypto';
import { open, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { processAlive } from './process-alive';

/** Options for {@link writeFileAtomic}. */
export interface AtomicWriteOptions {
  /** File mode of the new file (subject to the umask). Default 0o644. */
  readonly mode?: number;
}

/**
 * Replaces `path` with `data` so that a crash at any moment leaves either the old or the new
 * content, never a torn file: write a temporary file in the same directory (same file system,
 * so rename is atomic), fsync it, rename it over the target, then fsync the directory so the
 * rename itself survives a power loss.
 *
 * A crash before the rename can leave a `.<name>.<pid>-<random>.tmp` file behind; it is never
 * read, and {@link removeAbandonedTemporaries} deletes it at the next start.
 */
export async function writeFileAtomic(
  path: string,
  data: string,
  options: AtomicWriteOptions = {},
): Promise<void> {
  const dir = dirname(path);
  // The writer's pid in the name tells a live write from one a killed process abandoned.
  const temp = join(dir, `.${basename(path)}.${process.pid}-${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temp, 'wx', options.mode ?? 0o644);
  try {
    try {
      await handle.writeFile(data, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  await fsyncDirectory(dir);
}

/**
 * Flushes a directory entry change (a rename, a new file) to disk. Platforms that cannot open a
 * directory for syncing (Windows) are skipped: their rename is already as durable as it gets.
 */
export async function fsyncDirectory(dir: string): Promise<void> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EPERM' && code !== 'EINVAL' && code !== 'EBADF') throw error;
  } finally {
    await handle?.close();
  }
}

/** A temporary file of an older version, without a pid, counts as abandoned after this long. */
const UNKNOWN_WRITER_AGE_MS = 10 * 60_000;

/**
 * Deletes the temporary files of {@link writeFileAtomic} in `dir` that a killed process left:
 * those whose writer's pid is not running on this host, and pid-less ones (written by an older
 * version) older than ten minutes. A live writer's file is never touched, so another process
 * writing in the same directory is safe. Returns the names removed; never throws.
 */
export async function removeAbandonedTemporaries(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const match = /^\..+\.(?:(\d+)-)?[0-9a-f]{12}\.tmp$/.exec(name);
    if (!match) continue;
    const file = join(dir, name);
    try {
      const pid = match[1] === undefined ? null : Number(match[1]);
      const gone =
        pid === null ? Date.now() - (await stat(file)).mtimeMs > UNKNOWN_WRITER_AGE_MS : !processAlive(pid);
      if (!gone) continue;
      await rm(file, { force: true });
      removed.push(name);
    } catch {
      // Gone already or not removable now: tried again at the next start.
    }
  }
  return removed;
}
