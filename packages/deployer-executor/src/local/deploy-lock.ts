import { createHash } from 'node:crypto';
import { readFile, unlink, writeFile } from 'node:fs/promises';
import { fail, ok, type Result } from '@rollgate/core';
import { executorError, quote } from '../errors/executor-error';
import { deployPaths } from './release-directory';

/** A held `.dep/deploy.lock`. */
export interface DeployLock {
  /** Removes the lock if it is still ours; never throws. */
  release(): Promise<void>;
}

/**
 * What Rollgate writes into `.dep/deploy.lock`: Deployer shows the file's content as the lock's
 * owner ("Deploy locked by ..."), and a resumed operation recognises its own stale lock by it.
 */
export function lockOwner(operationId: string): string {
  const shown = /^[\x21-\x7e]{1,80}$/.test(operationId)
    ? operationId
    : `sha256:${createHash('sha256').update(operationId).digest('hex').slice(0, 32)}`;
  return `rollgate operation ${shown}`;
}

/**
 * Whether the text of `.dep/deploy.lock` says the lock was taken by Rollgate for `operationId`
 * (by this process or an earlier one running the same operation).
 */
export function heldByOperation(holder: string, operationId: string): boolean {
  const owner = lockOwner(operationId);
  return holder === owner || holder.startsWith(`${owner} `);
}

/**
 * Removes Deployer's deploy lock when `operationId` holds it: a replay of an operation that is
 * already over (its journal says `done`, or there is nothing left to switch) never needs the
 * lock, so one still there was left by a process killed before it unlocked. Never throws.
 */
export async function releaseOperationLock(deployPath: string, operationId: string): Promise<boolean> {
  const path = deployPaths(deployPath).lock;
  try {
    if (!heldByOperation((await readFile(path, 'utf8')).trim(), operationId)) return false;
    await unlink(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Takes Deployer's deploy lock for the duration of a switch, with an exclusive create so a
 * deploy cannot start between our check and our rename. An existing lock means a deploy is
 * running (or crashed): `EXECUTOR_REFUSED`, retryable. A lock left by this same operation (a
 * crash mid-cutover) is taken over.
 */
export async function acquireDeployLock(
  deployPath: string,
  operationId: string,
): Promise<Result<DeployLock>> {
  const path = deployPaths(deployPath).lock;
  const owner = lockOwner(operationId);
  const handle: DeployLock = {
    release: async () => {
      try {
        if ((await readFile(path, 'utf8')).trim() === owner) await unlink(path);
      } catch {
        // Already gone, or unreadable: nothing of ours to remove.
      }
    },
  };
  try {
    await writeFile(path, `${owner}\n`, { flag: 'wx' });
    return ok(handle);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EEXIST') {
      return fail(
        executorError(
          'EXECUTOR_UNAVAILABLE',
          `Cannot take Deployer's deploy lock ${quote(path)} (${code ?? 'unknown error'}).`,
          {
            cause: error,
          },
        ),
      );
    }
  }
  let holder = '';
  try {
    holder = (await readFile(path, 'utf8')).trim();
  } catch {
    // Removed between our create and our read: report it as held; the caller retries.
  }
  if (holder === owner) return ok(handle);
  return fail(
    executorError(
      'EXECUTOR_REFUSED',
      `Deployer's deploy lock ${quote(path)} exists (held by ${quote(holder || 'unknown', 60)}): a deploy is running. ` +
        'Rollgate does not switch releases under a running deploy; retry when it finishes, or run `dep deploy:unlock` if the lock is stale.',
      { retryable: true, details: { lock: path } },
    ),
  );
}
