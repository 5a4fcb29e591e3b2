import { randomBytes } from 'node:crypto';
import { lstat, open, rename, rm, symlink } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Points `<deployPath>/current` at `releases/<release>` atomically: the new link is created under
 * a temporary name in deploy_path, then `rename()`d over `current`, so a reader sees the old
 * target or the new one and never a missing link. The target is relative (`releases/<release>`,
 * like `ln -nfs --relative`), so the deploy_path can be moved or mounted elsewhere.
 *
 * Throws when `current` is not a symlink (renaming a link over a directory would fail halfway
 * through nothing, but replacing a real file would lose it) or when the filesystem refuses.
 */
export async function switchCurrentLink(deployPath: string, release: string): Promise<void> {
  const current = join(deployPath, 'current');
  const info = await lstat(current);
  if (!info.isSymbolicLink()) {
    throw new Error(`${current} is not a symlink`);
  }
  const temporary = join(deployPath, `.rollgate-current.${process.pid}.${randomBytes(6).toString('hex')}`);
  await symlink(`releases/${release}`, temporary);
  try {
    await rename(temporary, current);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  await syncDirectory(deployPath);
}

/** Makes the rename durable across a power loss; best effort where directories cannot be synced. */
export async function syncDirectory(path: string): Promise<void> {
  try {
    const handle = await open(path, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Some filesystems refuse fsync on a directory; the rename itself is still atomic.
  }
}
