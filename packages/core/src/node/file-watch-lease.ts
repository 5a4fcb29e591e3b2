import { randomBytes } from 'node:crypto';
import { link, mkdir, open, readdir, readFile, rm, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { RollgateError } from '../errors/rollgate-error';
import type { PortContext } from '../ports/abort';
import { fail, ok, type Result } from '../ports/result';
import type { LeaseGrant, WatchLease } from '../ports/watch-lease';
import { checkStateKey } from '../stores/state-key';
import type { Clock } from '../time/clock';
import { fsyncDirectory, writeFileAtomic } from './atomic-write';
import { runPortCall } from './port-call';
import { processAlive } from './process-alive';
import { SerialQueue } from './serial-queue';
import { systemClock } from './system-clock';

const COMPONENT = 'file-watch-lease';

/** The `format` marker of a lease file. */
export const LEASE_FILE_FORMAT = 'rollgate.lease/v1';

/** Options for {@link createFileWatchLease}. */
export interface FileWatchLeaseOptions {
  /** Directory of the lease files, created when missing. Every contender must use the same one. */
  readonly dir: string;
  /** How long a grant lasts without renewal. Default 30 000 (the controller renews every third). */
  readonly ttlMs?: number;
  /** Expiry times are read by this clock. Default `systemClock`. */
  readonly clock?: Clock;
  /** This holder's identity; default `<host>/<pid>/<random>`, unique per process and instance. */
  readonly owner?: string;
}

/** What a lease file holds. */
interface LeaseFile {
  readonly format: typeof LEASE_FILE_FORMAT;
  readonly key: string;
  readonly token: number;
  readonly owner: string;
  readonly host: string;
  readonly pid: number;
  /** Epoch ms by the holder's clock. */
  readonly expiresAt: number;
  readonly released: boolean;
}

/**
 * A {@link WatchLease} on a local file system (docs/stores.md). Each grant is a file
 * `<encoded key>.<token>.lease`, created with an exclusive hard link of a fully written
 * temporary file: of two contenders for token n+1 exactly one succeeds, and a reader never sees
 * a half-written grant. The newest file is the lease; renewing rewrites it atomically; older
 * ones are removed. A grant is free when it expired, was released, or its holder is a process
 * on this host that no longer exists (so a crashed watch is taken over at once, not after the
 * expiry). Fencing: give the file state store the same directory (`leaseDir`) and it refuses a
 * save whose token is no longer the newest.
 *
 * @throws RollgateError `CONFIG_INVALID` when `dir` is missing or `ttlMs` is not positive.
 */
export function createFileWatchLease(options: FileWatchLeaseOptions): WatchLease {
  const { dir } = options;
  const clock = options.clock ?? systemClock;
  const ttlMs = options.ttlMs ?? 30_000;
  if (typeof dir !== 'string' || dir.length === 0) {
    throw new RollgateError(
      'CONFIG_INVALID',
      'dir: give the directory for lease files, e.g. ".rollgate/leases".',
      {
        component: COMPONENT,
      },
    );
  }
  if (!(Number.isFinite(ttlMs) && ttlMs > 0)) {
    throw new RollgateError(
      'CONFIG_INVALID',
      `ttlMs: give the lease duration in ms, above 0 (got ${ttlMs}).`,
      {
        component: COMPONENT,
      },
    );
  }
  const host = hostname();
  const owner = options.owner ?? `${host}/${process.pid}/${randomBytes(3).toString('hex')}`;
  const queue = new SerialQueue();
  const call = <T>(ctx: PortContext, op: () => Promise<Result<T>>) =>
    runPortCall(ctx, clock, COMPONENT, 'STORE_FAILED', () => queue.run(op));
  const grantOf = (file: LeaseFile): LeaseGrant => ({ key: file.key, token: file.token, owner, ttlMs });
  const content = (key: string, token: number, expiresAt: number, released = false): LeaseFile => ({
    format: LEASE_FILE_FORMAT,
    key,
    token,
    owner,
    host,
    pid: process.pid,
    expiresAt,
    released,
  });

  return {
    owner,
    ttlMs,
    acquire: (key, ctx) =>
      call(ctx, async () => {
        const stem = stemFor(key);
        if (!stem.ok) return stem;
        for (let attempt = 0; attempt < 5; attempt++) {
          const newest = await readNewest(dir, stem.value);
          if (!newest.ok) return newest;
          const current = newest.value;
          const now = clock.now();
          if (current && current.owner !== owner && isLive(current, now, host)) {
            return fail(heldError(key, current, now));
          }
          const token = (current?.token ?? 0) + 1;
          const created = await createExclusive(dir, stem.value, content(key, token, now + ttlMs));
          if (!created.ok) return created;
          if (created.value) {
            await removeOlder(dir, stem.value, token);
            return ok(grantOf(content(key, token, now + ttlMs)));
          }
          // Another contender created this token first: look again.
        }
        const latest = await readNewest(dir, stem.value);
        if (latest.ok && latest.value) return fail(heldError(key, latest.value, clock.now()));
        return fail(
          ioError(`Could not take the lease of "${key}" in ${dir}: it kept changing`, undefined, true),
        );
      }),

    renew: (grant, ctx) =>
      call(ctx, async () => {
        const stem = stemFor(grant.key);
        if (!stem.ok) return stem;
        const newest = await readNewest(dir, stem.value);
        if (!newest.ok) return newest;
        const current = newest.value;
        if (current?.token !== grant.token || current.owner !== owner) return fail(lostError(grant, current));
        const renewed = content(grant.key, grant.token, clock.now() + ttlMs);
        try {
          await writeFileAtomic(fileFor(dir, stem.value, grant.token), `${JSON.stringify(renewed)}\n`);
        } catch (error) {
          return fail(ioError(`Could not renew the lease file of "${grant.key}" in ${dir}`, error));
        }
        // A contender that read the grant as expired may have created the next token meanwhile.
        const after = await readNewest(dir, stem.value);
        if (!after.ok) return after;
        if (after.value?.token !== grant.token) return fail(lostError(grant, after.value));
        return ok(grantOf(renewed));
      }),

    release: (grant, ctx) =>
      call(ctx, async () => {
        const stem = stemFor(grant.key);
        if (!stem.ok) return stem;
        const newest = await readNewest(dir, stem.value);
        if (!newest.ok) return newest;
        const current = newest.value;
        if (current?.token !== grant.token || current.owner !== owner) return ok(undefined);
        try {
          await writeFileAtomic(
            fileFor(dir, stem.value, grant.token),
            `${JSON.stringify(content(grant.key, grant.token, clock.now(), true))}\n`,
          );
        } catch (error) {
          return fail(ioError(`Could not release the lease file of "${grant.key}" in ${dir}`, error));
        }
        return ok(undefined);
      }),
  };
}

/**
 * The newest token granted for `key` in a lease directory, or null when none was: what a fenced
 * save is checked against. Fails only when the directory cannot be read.
 */
export async function currentLeaseToken(dir: string, key: string): Promise<Result<number | null>> {
  const stem = stemFor(key);
  if (!stem.ok) return stem;
  const tokens = await listTokens(dir, stem.value);
  if (!tokens.ok) return tokens;
  return ok(tokens.value.at(-1) ?? null);
}

function isLive(lease: LeaseFile, now: number, host: string): boolean {
  if (lease.released || lease.expiresAt <= now) return false;
  return lease.host !== host || processAlive(lease.pid);
}

function stemFor(key: string): Result<string> {
  const checked = checkStateKey(key);
  if (!checked.ok) {
    return fail(
      new RollgateError(
        'CONFIG_INVALID',
        `Refused lease key ${JSON.stringify(String(key))}: ${checked.problem}.`,
        {
          component: COMPONENT,
        },
      ),
    );
  }
  return ok(checked.stem);
}

function fileFor(dir: string, stem: string, token: number): string {
  return join(dir, `${stem}.${token}.lease`);
}

async function listTokens(dir: string, stem: string): Promise<Result<number[]>> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return ok([]);
    return fail(ioError(`Could not list the lease directory ${dir}`, error));
  }
  const prefix = `${stem}.`;
  const tokens: number[] = [];
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith('.lease')) continue;
    const middle = name.slice(prefix.length, -'.lease'.length);
    if (/^[1-9][0-9]{0,15}$/.test(middle)) tokens.push(Number(middle));
  }
  return ok(tokens.sort((a, b) => a - b));
}

async function readNewest(dir: string, stem: string): Promise<Result<LeaseFile | null>> {
  const tokens = await listTokens(dir, stem);
  if (!tokens.ok) return tokens;
  const token = tokens.value.at(-1);
  if (token === undefined) return ok(null);
  const path = fileFor(dir, stem, token);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    return fail(ioError(`Could not read the lease file ${path}`, error, true));
  }
  try {
    const parsed = JSON.parse(text) as Partial<LeaseFile>;
    if (
      parsed.format !== LEASE_FILE_FORMAT ||
      parsed.token !== token ||
      typeof parsed.owner !== 'string' ||
      typeof parsed.host !== 'string' ||
      typeof parsed.pid !== 'number' ||
      typeof parsed.expiresAt !== 'number'
    ) {
      throw new Error('not a lease file of this token');
    }
    return ok({ ...(parsed as LeaseFile), released: parsed.released === true });
  } catch (error) {
    return fail(
      new RollgateError(
        'STATE_CORRUPT',
        `The lease file ${path} is corrupt (${error instanceof Error ? error.message : String(error)}). Make sure no watch of this service runs, then delete it.`,
        { component: COMPONENT, cause: error, details: { path } },
      ),
    );
  }
}

/**
 * Creates the file of `lease.token` with its full content, or resolves false when it exists:
 * a temporary file written and synced first, then hard-linked into place (`link` fails when
 * the target exists, so two contenders can never both create one token).
 */
async function createExclusive(dir: string, stem: string, lease: LeaseFile): Promise<Result<boolean>> {
  const target = fileFor(dir, stem, lease.token);
  const temp = join(dir, `.${stem}.${lease.token}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await mkdir(dir, { recursive: true });
    const handle = await open(temp, 'wx', 0o644);
    try {
      await handle.writeFile(`${JSON.stringify(lease)}\n`, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await link(temp, target);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return ok(false);
      throw error;
    }
    await fsyncDirectory(dir);
    return ok(true);
  } catch (error) {
    return fail(ioError(`Could not create the lease file ${target}`, error));
  } finally {
    await rm(temp, { force: true });
  }
}

/** Removes grants older than `token` (they can never be current again). Best effort. */
async function removeOlder(dir: string, stem: string, token: number): Promise<void> {
  const tokens = await listTokens(dir, stem);
  if (!tokens.ok) return;
  for (const older of tokens.value) {
    if (older < token) await unlink(fileFor(dir, stem, older)).catch(() => undefined);
  }
}

function heldError(key: string, current: LeaseFile, now: number): RollgateError {
  const retryInMs = Math.max(0, current.expiresAt - now);
  return new RollgateError(
    'LEASE_HELD',
    `Another controller is watching "${key}": its lease is held by ${current.owner} (pid ${current.pid} on ${current.host}) for up to ${Math.ceil(retryInMs / 1000)} s more. Wait for it to finish (rollgate watch --wait), or stop that process.`,
    { component: COMPONENT, retryable: true, details: { key, holder: current.owner, retryInMs } },
  );
}

function lostError(grant: LeaseGrant, current: LeaseFile | null): RollgateError {
  return new RollgateError(
    'LEASE_LOST',
    `The lease of "${grant.key}" (token ${grant.token}) was taken over${current ? ` by ${current.owner} (token ${current.token})` : ''}; this controller stops without acting.`,
    {
      component: COMPONENT,
      details: { key: grant.key, token: grant.token, current: current?.token ?? null },
    },
  );
}

function ioError(what: string, error: unknown, retryable?: boolean): RollgateError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return new RollgateError(
    'STORE_FAILED',
    `${what}${code ? ` (${code})` : ''}; check the directory and its permissions.`,
    {
      component: COMPONENT,
      cause: error,
      retryable:
        retryable ?? (code === 'EAGAIN' || code === 'EBUSY' || code === 'EMFILE' || code === 'ENFILE'),
    },
  );
}
