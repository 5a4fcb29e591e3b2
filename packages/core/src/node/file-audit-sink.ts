import { mkdir, open, truncate } from 'node:fs/promises';
import { dirname } from 'node:path';
import { newestRevision, validateAuditRecord } from '../audit/audit-validation';
import { RollgateError } from '../errors/rollgate-error';
import type { PortContext } from '../ports/abort';
import type { AuditSink } from '../ports/audit-sink';
import { fail, ok, type Result } from '../ports/result';
import type { Clock } from '../time/clock';
import { fsyncDirectory } from './atomic-write';
import { loadAuditFile } from './audit-file';
import { abandonedResult, runPortCall } from './port-call';
import { SerialQueue } from './serial-queue';
import { systemClock } from './system-clock';

const COMPONENT = 'file-audit-sink';

/** Options for {@link createFileAuditSink}. */
export interface FileAuditSinkOptions {
  /** The JSON-lines file; it and its directory are created when missing. */
  readonly path: string;
  /** The controller's clock, against which `ctx.deadline` is compared. Default `systemClock`. */
  readonly clock?: Clock;
  /**
   * Receives problems that do not stop the sink (a torn final line found and dropped).
   * Default: `process.emitWarning`, so they are never silent.
   */
  readonly onWarning?: (message: string) => void;
}

/**
 * An {@link AuditSink} writing one JSON record per line. Each record is validated against the
 * audit schema first (`STORE_FAILED` naming the field when invalid). `write` is idempotent per
 * `watchId` and `revision`: the file is checked before the append, and a second write of a
 * known revision keeps the first record; `read` answers the newest revision. Each append is one `write` of the whole line followed by fsync; if a crash
 * tears it anyway, reads ignore the torn final line (and report it), and the next write cuts it
 * off before appending.
 *
 * One process should write a given file: calls within a process are serialised.
 *
 * @throws RollgateError `CONFIG_INVALID` when `path` is missing.
 */
export function createFileAuditSink(options: FileAuditSinkOptions): AuditSink {
  const { path } = options;
  const clock = options.clock ?? systemClock;
  const warn =
    options.onWarning ??
    ((message: string) => process.emitWarning(message, { code: 'ROLLGATE_AUDIT_TORN_LINE' }));
  if (typeof path !== 'string' || path.length === 0) {
    throw new RollgateError('CONFIG_INVALID', 'path: give the audit file, e.g. ".rollgate/audit.jsonl".', {
      component: COMPONENT,
    });
  }
  const queue = new SerialQueue();
  const call = <T>(ctx: PortContext, op: () => Promise<Result<T>>) =>
    runPortCall(ctx, clock, COMPONENT, 'STORE_FAILED', (abandoned) =>
      queue.run(() => (abandoned() ? Promise.resolve(abandonedResult<T>(COMPONENT)) : op())),
    );
  const tornMessage = (line: number, bytes: number, action: string) =>
    `The audit file ${path} ends with a torn line (line ${line}, ${bytes} bytes) left by an interrupted write; ${action}.`;

  return {
    write: (record, ctx) => {
      const valid = validateAuditRecord(record, COMPONENT);
      if (!valid.ok) return Promise.resolve(fail(valid.error));
      return call(ctx, async () => {
        const current = await loadAuditFile(path);
        if (!current.ok) return current;
        const file = current.value;
        const revision = valid.value.revision ?? 1;
        if (file.records.some((r) => r.watchId === valid.value.watchId && (r.revision ?? 1) === revision))
          return ok(undefined);
        const line = `${file.missingNewline ? '\n' : ''}${JSON.stringify(valid.value)}\n`;
        try {
          await mkdir(dirname(path), { recursive: true });
          if (file.tornTail) {
            warn(tornMessage(file.tornTail.line, file.tornTail.bytes, 'it was removed before appending'));
            await truncate(path, file.completeBytes);
          }
          const handle = await open(path, 'a');
          try {
            await handle.writeFile(line, 'utf8');
            await handle.sync();
          } finally {
            await handle.close();
          }
          if (file.completeBytes === 0 && file.records.length === 0) await fsyncDirectory(dirname(path));
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code;
          return fail(
            new RollgateError(
              'STORE_FAILED',
              `Could not append to the audit file ${path} (${code ?? 'unknown error'}); check the path and its permissions.`,
              {
                component: COMPONENT,
                cause: error,
                retryable: code === 'EAGAIN' || code === 'EBUSY' || code === 'ENOSPC' || code === 'EMFILE',
              },
            ),
          );
        }
        return ok(undefined);
      });
    },

    read: (watchId, ctx) =>
      call(ctx, async () => {
        const current = await loadAuditFile(path);
        if (!current.ok) return current;
        const { tornTail, records } = current.value;
        if (tornTail) warn(tornMessage(tornTail.line, tornTail.bytes, 'it was ignored'));
        return ok(newestRevision(records, watchId));
      }),
  };
}
