import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RollgateError } from '../errors/rollgate-error';
import type { PortContext } from '../ports/abort';
import { fail, ok, type Result } from '../ports/result';
import type { StateStore } from '../ports/state-store';
import { checkStateKey, stateKeyFromStem } from '../stores/state-key';
import type { Clock } from '../time/clock';
import { removeAbandonedTemporaries, writeFileAtomic } from './atomic-write';
import { currentLeaseToken } from './file-watch-lease';
import { abandonedResult, runPortCall } from './port-call';
import { SerialQueue } from './serial-queue';
import { systemClock } from './system-clock';

const COMPONENT = 'file-state-store';

/** The `format` marker of a state file. */
export const STATE_FILE_FORMAT = 'rollgate.state/v1';

/** Options for {@link createFileStateStore}. */
export interface FileStateStoreOptions {
  /** Directory of the snapshot files, created when missing. */
  readonly dir: string;
  /** The controller's clock, against which `ctx.deadline` is compared. Default `systemClock`. */
  readonly clock?: Clock;
  /**
   * The directory of the file watch leases (`createFileWatchLease`). When given, a save carrying
   * `ctx.fence` is refused with `LEASE_LOST` unless its token is the newest granted for the
   * fence's key, checked just before the file is replaced.
   */
  readonly leaseDir?: string;
}

/**
 * A {@link StateStore} with one JSON file per key (`<encoded key>.json` holding
 * `{ "format": "rollgate.state/v1", "key": ..., "snapshot": ... }`). `save` replaces the file
 * atomically (temporary file, fsync, rename, directory fsync), so after a crash `load` sees the
 * previous or the new snapshot, never a torn one; the temporary file a killed writer left is
 * removed before the store's first call. A missing key loads as `null`; an unreadable
 * file is `STATE_CORRUPT`; a key with path segments such as `..` is refused (`CONFIG_INVALID`).
 *
 * @throws RollgateError `CONFIG_INVALID` when `dir` is missing.
 */
export function createFileStateStore(options: FileStateStoreOptions): StateStore {
  const { dir } = options;
  const clock = options.clock ?? systemClock;
  if (typeof dir !== 'string' || dir.length === 0) {
    throw new RollgateError(
      'CONFIG_INVALID',
      'dir: give the directory for state snapshots, e.g. ".rollgate/state".',
      {
        component: COMPONENT,
      },
    );
  }
  const queue = new SerialQueue();
  // Before the first call: the temporary files a killed process left behind go.
  let tidied: Promise<unknown> | null = null;
  const call = <T>(ctx: PortContext, code: 'STORE_FAILED' | 'STATE_CORRUPT', op: () => Promise<Result<T>>) =>
    runPortCall(ctx, clock, COMPONENT, code, (abandoned) =>
      queue.run(async () => {
        tidied ??= removeAbandonedTemporaries(dir);
        await tidied;
        return abandoned() ? abandonedResult<T>(COMPONENT) : op();
      }),
    );

  return {
    load: (key, ctx) =>
      call(ctx, 'STATE_CORRUPT', async () => {
        const file = fileFor(dir, key);
        if (!file.ok) return file;
        let text: string;
        try {
          text = await readFile(file.value, 'utf8');
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'ENOENT') return ok(null);
          return fail(ioError(`Could not read the state file ${file.value}`, error));
        }
        return parseStateFile(text, key, file.value);
      }),

    save: (key, snapshot, ctx) =>
      call(ctx, 'STORE_FAILED', async () => {
        const file = fileFor(dir, key);
        if (!file.ok) return file;
        if (snapshot === undefined) {
          return fail(
            new RollgateError(
              'STORE_FAILED',
              `Refused to save an undefined snapshot for "${key}": save null to clear it.`,
              {
                component: COMPONENT,
              },
            ),
          );
        }
        let text: string;
        try {
          text = JSON.stringify({ format: STATE_FILE_FORMAT, key, snapshot });
        } catch (error) {
          return fail(
            new RollgateError(
              'STORE_FAILED',
              `The snapshot for "${key}" is not JSON-serialisable: ${messageOf(error)}`,
              {
                component: COMPONENT,
                cause: error,
              },
            ),
          );
        }
        if (ctx.fence && options.leaseDir !== undefined) {
          const current = await currentLeaseToken(options.leaseDir, ctx.fence.key);
          if (!current.ok) return current;
          if (current.value !== ctx.fence.token) {
            return fail(
              new RollgateError(
                'LEASE_LOST',
                `Refused to save "${key}": the write is fenced with token ${ctx.fence.token} of lease "${ctx.fence.key}", but token ${current.value ?? 'none'} is the newest; another controller owns the watch now.`,
                {
                  component: COMPONENT,
                  details: { key, lease: ctx.fence.key, token: ctx.fence.token, current: current.value },
                },
              ),
            );
          }
        }
        try {
          await mkdir(dir, { recursive: true });
          await writeFileAtomic(file.value, `${text}\n`);
        } catch (error) {
          return fail(ioError(`Could not write the state file ${file.value}`, error));
        }
        return ok(undefined);
      }),

    list: (prefix, ctx) =>
      call(ctx, 'STORE_FAILED', async () => {
        let names: string[];
        try {
          names = await readdir(dir);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'ENOENT') return ok([]);
          return fail(ioError(`Could not list the state directory ${dir}`, error));
        }
        const keys: string[] = [];
        for (const name of names) {
          if (!name.endsWith('.json')) continue;
          const key = stateKeyFromStem(name.slice(0, -'.json'.length));
          if (key?.startsWith(prefix)) keys.push(key);
        }
        return ok(keys.sort());
      }),
  };
}

function fileFor(dir: string, key: string): Result<string> {
  const checked = checkStateKey(key);
  if (!checked.ok) {
    return fail(
      new RollgateError(
        'CONFIG_INVALID',
        `Refused state key ${JSON.stringify(String(key))}: ${checked.problem}.`,
        {
          component: COMPONENT,
        },
      ),
    );
  }
  return ok(join(dir, `${checked.stem}.json`));
}

function parseStateFile(text: string, key: string, path: string): Result<unknown> {
  const corrupt = (what: string, cause?: unknown) =>
    fail(
      new RollgateError(
        'STATE_CORRUPT',
        `The state file ${path} is corrupt: ${what}. Inspect it, then restore it or delete it to start the watch afresh.`,
        { component: COMPONENT, cause, details: { path, key } },
      ),
    );
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return corrupt(`not valid JSON (${messageOf(error)})`, error);
  }
  if (
    typeof json !== 'object' ||
    json === null ||
    (json as { format?: unknown }).format !== STATE_FILE_FORMAT
  ) {
    return corrupt(`not a ${STATE_FILE_FORMAT} document`);
  }
  const doc = json as { key?: unknown; snapshot?: unknown };
  if (doc.key !== key)
    return corrupt(`it holds the key ${JSON.stringify(doc.key)}, not ${JSON.stringify(key)}`);
  if (!('snapshot' in doc)) return corrupt('it has no snapshot');
  return ok(doc.snapshot);
}

function ioError(what: string, error: unknown): RollgateError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return new RollgateError(
    'STORE_FAILED',
    `${what} (${code ?? messageOf(error)}); check the directory and its permissions.`,
    {
      component: COMPONENT,
      cause: error,
      retryable: code === 'EAGAIN' || code === 'EBUSY' || code === 'EMFILE' || code === 'ENFILE',
    },
  );
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
