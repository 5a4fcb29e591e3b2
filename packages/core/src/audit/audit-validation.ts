import { RollgateError } from '../errors/rollgate-error';
import { fail, ok, type Result } from '../ports/result';
import { type AuditRecord, AuditRecordSchema } from './audit-record';

// Pure (no node: imports): the in-memory AuditSink in @rollgate/core/testing validates the same way.

/** Why a value is not an audit record: the offending field paths and a one-line description. */
export interface AuditRecordProblem {
  /** Dotted paths of every offending field, e.g. `breach.window.start`. */
  readonly fields: readonly string[];
  /** The first problem, e.g. `outcome: Invalid option: expected one of ...`. */
  readonly description: string;
  readonly cause: unknown;
}

/** Parses `value` as an audit record (unknown keys dropped), or says which field is wrong. */
export function parseAuditRecord(
  value: unknown,
):
  | { readonly ok: true; readonly record: AuditRecord }
  | { readonly ok: false; readonly problem: AuditRecordProblem } {
  const parsed = AuditRecordSchema.safeParse(value);
  if (parsed.success) return { ok: true, record: parsed.data };
  const issues = parsed.error.issues;
  const fields = issues.map((issue) =>
    issue.path.length > 0 ? issue.path.map(String).join('.') : '(record)',
  );
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
  return {
    ok: false,
    problem: {
      fields,
      description: `${fields[0] ?? '(record)'}: ${issues[0]?.message ?? 'invalid'}${more}`,
      cause: parsed.error,
    },
  };
}

/**
 * Validates an audit record before it is written. An invalid record is a `STORE_FAILED` error
 * naming the first offending field (all of them in `details.fields`), with the zod error as
 * `cause`.
 */
export function validateAuditRecord(record: unknown, component: string): Result<AuditRecord> {
  const parsed = parseAuditRecord(record);
  if (parsed.ok) return ok(parsed.record);
  const watchId = (record as { watchId?: unknown } | null)?.watchId;
  const which = typeof watchId === 'string' && watchId.length > 0 ? ` for watch ${watchId}` : '';
  return fail(
    new RollgateError(
      'STORE_FAILED',
      `Refused an audit record${which} that does not match the audit schema: ${parsed.problem.description}. The code that built the record must fill that field.`,
      { component, cause: parsed.problem.cause, details: { fields: parsed.problem.fields } },
    ),
  );
}

/**
 * The newest revision of one watch's record among `records` (the last written wins a tie), or
 * null: a watch reopened by a human has one record per ending, and the newest tells it all.
 */
export function newestRevision(records: readonly AuditRecord[], watchId: string): AuditRecord | null {
  let best: AuditRecord | null = null;
  for (const r of records) {
    if (r.watchId !== watchId) continue;
    if (best === null || (r.revision ?? 1) >= (best.revision ?? 1)) best = r;
  }
  return best;
}
