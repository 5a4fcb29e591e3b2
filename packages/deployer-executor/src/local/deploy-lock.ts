import { createHash, randomBytes } from 'node:crypto';
import { link, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { fail, ok, type Result } from '@rollgate/core';
import { processAlive } from '@rollgate/core/node';
import { executorError, quote } from '../errors/executor-error';
import { deployPaths } from './release-directory';

/** A held `.dep/deploy.lock`. */
export interface DeployLock {
  /** Removes the lock if it is still ours; never throws. */
  release(): Promise<void>;
}

/** Who this process is, in every lock it writes: two processes never present the same owner. */
const PROCESS = { pid: process.pid, host: hostname(), nonce: randomBytes(4).toString('hex') };

/** A Rollgate lock owner, taken apart. */
export interface LockOwner {
  /** The operation as shown (the id, or `sha256:` and a digest of an unprintable one). */
  readonly operation: string;
  /** Absent in a lock written before owners named their process. */
  readonly process?: { readonly pid: number; readonly host: string; readonly nonce: string };
}

function shownOperation(operationId: string): string {
  return /^[\x21-\x7e]{1,80}$/.test(operationId)
    ? operationId
    : `sha256:${createHash('sha256').update(operationId).digest('hex').slice(0, 32)}`;
}

/**
 * What Rollgate writes into `.dep/deploy.lock`: Deployer shows the file's content as the lock's
 * owner ("Deploy locked by ..."). It names the operation and this process (pid, host and a
 * random part), so two processes running the same operation never take each other's lock for
 * their own, and a later run can tell a lock whose process died.
 */
export function lockOwner(operationId: string): string {
  return `rollgate operation ${shownOperation(operationId)} (pid ${PROCESS.pid} on ${PROCESS.host}, ${PROCESS.nonce})`;
}

/** Reads a lock's content as a Rollgate owner, or null when someone else (a deploy) holds it. */
export function parseLockOwner(text: string): LockOwner | null {
  const match = /^rollgate operation (\S+)(?: \(pid (\d+) on (\S+), ([0-9a-f]+)\))?$/.exec(text.trim());
  if (!match) return null;
  const [, operation, pid, host, nonce] = match;
  return {
    operation: operation as string,
    ...(pid && host && nonce ? { process: { pid: Number(pid), host, nonce } } : {}),
  };
}

/**
 * Whether a lock left by `holder` for the same operation can be taken over: its process is gone
 * (same host, no such pid), or it predates owners naming their process. A live process, or one
 * on another host (whose pids mean nothing here), keeps its lock.
 */
function abandoned(holder: LockOwner): boolean {
  const owner = holder.process;
  if (!owner) return true;
  if (owner.host !== PROCESS.host) return false;
  if (owner.pid === PROCESS.pid) return owner.nonce !== PROCESS.nonce;
  return !processAlive(owner.pid);
}

/**
 * Whether the text of `.dep/deploy.lock` says the lock was taken by Rollgate for `operationId`,
 * by this process or by an earlier one running the same operation that is gone (a process
 * killed before it unlocked). A live process of the same operation keeps its lock: owners name
 * their process, so two processes never take each other's lock for their own.
 */
export function heldByOperation(holder: string, operationId: string): boolean {
  if (holder === lockOwner(operationId)) return true;
  const owner = parseLockOwner(holder);
  return owner !== null && owner.operation === shownOperation(operationId) && abandoned(owner);
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
 * running (or crashed), or another Rollgate process is switching: `EXECUTOR_REFUSED`,
 * retryable. A lock left by this same operation in a process that no longer exists (a crash
 * mid-cutover) is taken over.
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
  const rollgate = parseLockOwner(holder);
  if (rollgate && rollgate.operation === shownOperation(operationId) && abandoned(rollgate)) {
    return takeOver(path, holder, owner, handle);
  }
  const why = rollgate
    ? `another Rollgate process is switching releases (${quote(holder, 120)}). Two controllers must not watch one deploy: run one per deploy path (rollgate watch takes a lease on its state), or wait for it to finish.`
    : `it is held by ${quote(holder || 'unknown', 60)}: a deploy is running. Rollgate does not switch releases under a running deploy; retry when it finishes, or run \`dep deploy:unlock\` if the lock is stale.`;
  return fail(
    executorError('EXECUTOR_REFUSED', `Deployer's deploy lock ${quote(path)} exists: ${why}`, {
      retryable: true,
      details: { lock: path },
    }),
  );
}

/**
 * Takes over our operation's lock left by a dead process, so that of several processes doing
 * this at once exactly one wins: the stale file is first moved aside with one rename (only one
 * process can move it), checked to be the stale lock that was read (otherwise put back), and
 * then the lock is created exclusively, as for a free lock.
 */
async function takeOver(
  path: string,
  stale: string,
  owner: string,
  handle: DeployLock,
): Promise<Result<DeployLock>> {
  const aside = `${path}.${PROCESS.nonce}.stale`;
  const refused = () =>
    fail<DeployLock>(
      executorError(
        'EXECUTOR_REFUSED',
        `Deployer's deploy lock ${quote(path)} changed while Rollgate took over a stale one; retry.`,
        {
          retryable: true,
          details: { lock: path },
        },
      ),
    );
  try {
    await rename(path, aside);
  } catch {
    // Someone else moved or removed it first.
    return refused();
  }
  try {
    const moved = (await readFile(aside, 'utf8')).trim();
    if (moved !== stale) {
      // Not the lock we judged stale: put it back unless a new one took its place.
      await link(aside, path).catch(() => undefined);
      return refused();
    }
    await writeFile(path, `${owner}\n`, { flag: 'wx' });
    return ok(handle);
  } catch {
    return refused();
  } finally {
    await unlink(aside).catch(() => undefined);
  }
}
