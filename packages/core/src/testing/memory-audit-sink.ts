import type { AuditRecord } from '../audit/audit-record';
import { validateAuditRecord } from '../audit/audit-validation';
import type { AuditSink } from '../ports/audit-sink';
import { fail, ok } from '../ports/result';
import { contextError, decideFault, type FakeOptions } from './memory-faults';

const COMPONENT = 'memory-audit-sink';

/** An in-memory {@link AuditSink} that exposes what was written. */
export interface MemoryAuditSink extends AuditSink {
  /** Every stored record (one per watchId and revision), in write order; fresh copies. */
  readonly records: readonly AuditRecord[];
  /** Calls to `write` that passed validation, including idempotent repeats. */
  readonly writeCount: number;
}

/**
 * An {@link AuditSink} in memory that behaves like the file sink: records are validated against
 * the audit schema (`STORE_FAILED` naming the field), `write` is idempotent per `watchId` and
 * `revision` (the first record is kept; `read` answers the newest revision), and what is stored
 * is a JSON copy, as a file would hold.
 */
export function createMemoryAuditSink(options: FakeOptions = {}): MemoryAuditSink {
  const stored: string[] = [];
  const byRevision = new Set<string>();
  /** Index in `stored` of each watch's newest revision. */
  const newest = new Map<string, number>();
  let writeCount = 0;

  return {
    async write(record, ctx) {
      const early = contextError(ctx, options.clock, COMPONENT);
      if (early) return fail(early);
      const valid = validateAuditRecord(record, COMPONENT);
      if (!valid.ok) return fail(valid.error);
      const fault = decideFault(options.fault, {
        port: 'audit',
        method: 'write',
        subject: valid.value.watchId,
      });
      if (fault && fault.effect !== 'apply') return fail(fault.error);
      writeCount++;
      const key = `${valid.value.watchId}#${valid.value.revision ?? 1}`;
      if (!byRevision.has(key)) {
        byRevision.add(key);
        newest.set(valid.value.watchId, Math.max(newest.get(valid.value.watchId) ?? -1, stored.length));
        stored.push(JSON.stringify(valid.value));
      }
      return fault ? fail(fault.error) : ok(undefined);
    },

    async read(watchId, ctx) {
      const early = contextError(ctx, options.clock, COMPONENT);
      if (early) return fail(early);
      const fault = decideFault(options.fault, { port: 'audit', method: 'read', subject: watchId });
      if (fault) return fail(fault.error);
      const index = newest.get(watchId);
      const text = index === undefined ? undefined : stored[index];
      return ok(text === undefined ? null : (JSON.parse(text) as AuditRecord));
    },

    get records() {
      return stored.map((text) => JSON.parse(text) as AuditRecord);
    },
    get writeCount() {
      return writeCount;
    },
  };
}
