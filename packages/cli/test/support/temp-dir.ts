import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';

/** A fresh temporary directory per call, removed after the test. */
export function useTempDirs(): () => Promise<string> {
  const dirs: string[] = [];
  afterEach(async () => {
    // A watch interrupted mid-call returns at once while its file lease finishes the write it
    // began (a port call gives up, its file operation does not stop halfway), so a file can
    // appear while the directory is removed: ENOTEMPTY, retried.
    await Promise.all(
      dirs.splice(0).map((d) => rm(d, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 })),
    );
  });
  return async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rollgate-cli-'));
    dirs.push(dir);
    return dir;
  };
}
