import { type AuditSink, fail, ok, validateAuditRecord } from '@rollgate/core';
import { checkFence } from './lease-fence';
import type { PostgresDatabase } from './postgres-database';

const COMPONENT = 'postgres-audit-sink';

/** Options of {@link createPostgresAuditSink}. */
export interface PostgresAuditSinkOptions {
  readonly db: PostgresDatabase;
}

/**
 * An {@link AuditSink} in the `audit` table: one row per watch (its newest revision), with the
 * columns a review filters on (service, outcome, artifacts, times) and the full record as
 * `jsonb` (docs/stores.md has example queries); earlier revisions of a watch a human reopened
 * are kept in `audit_history`. Every record is validated against the audit schema first (an
 * invalid one is `STORE_FAILED` naming the field, and nothing is written). Idempotent per watch
 * id and revision: a second write of the same revision keeps the first record and succeeds.
 * PostgreSQL's `jsonb` cannot hold the NUL character, so one in a text field is stored as U+FFFD.
 */
export function createPostgresAuditSink(options: PostgresAuditSinkOptions): AuditSink {
  const { db } = options;
  const audit = db.table('audit');
  const history = db.table('audit_history');
  return {
    write: (record, ctx) => {
      const valid = validateAuditRecord(record, COMPONENT);
      if (!valid.ok) return Promise.resolve(valid);
      const r = valid.value;
      return db.transaction(ctx, `Writing the audit record of ${r.watchId}`, async (q) => {
        const revision = r.revision ?? 1;
        const record = JSON.stringify(withoutNul(r));
        // The row of `audit` is the newest revision. A newer one moves the row's record to
        // `audit_history` and takes its place; an older one (a late replay) goes to the history;
        // a revision already stored is kept as first written. The row lock orders writers.
        const { rows } = await q.query<{ revision: number }>(
          `SELECT revision FROM ${audit} WHERE watch_id = $1 FOR UPDATE`,
          [r.watchId],
        );
        const stored = rows[0]?.revision;
        if (stored !== undefined && revision < stored) {
          await q.query(
            `INSERT INTO ${history} (watch_id, revision, record, written_at)
             VALUES ($1, $2, $3::jsonb, now()) ON CONFLICT (watch_id, revision) DO NOTHING`,
            [r.watchId, revision, record],
          );
        } else if (stored === undefined || revision > stored) {
          if (stored !== undefined) {
            await q.query(
              `INSERT INTO ${history} (watch_id, revision, record, written_at)
               SELECT watch_id, revision, record, written_at FROM ${audit} WHERE watch_id = $1
               ON CONFLICT (watch_id, revision) DO NOTHING`,
              [r.watchId],
            );
          }
          await q.query(
            `INSERT INTO ${audit} (watch_id, revision, service, outcome, dry_run, deployed_artifact,
               failed_artifact, restored_artifact, deployed_at, started_at, finished_at, reason, record)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13::jsonb)
             ON CONFLICT (watch_id) DO UPDATE SET
               revision = EXCLUDED.revision, service = EXCLUDED.service, outcome = EXCLUDED.outcome,
               dry_run = EXCLUDED.dry_run, deployed_artifact = EXCLUDED.deployed_artifact,
               failed_artifact = EXCLUDED.failed_artifact, restored_artifact = EXCLUDED.restored_artifact,
               deployed_at = EXCLUDED.deployed_at, started_at = EXCLUDED.started_at,
               finished_at = EXCLUDED.finished_at, reason = EXCLUDED.reason, record = EXCLUDED.record,
               written_at = now()
             WHERE ${audit}.revision < EXCLUDED.revision`,
            [
              r.watchId,
              revision,
              r.service,
              r.outcome,
              r.dryRun,
              r.deploy.artifactId,
              r.failedArtifact?.id ?? null,
              r.restoredArtifact?.id ?? null,
              r.deploy.deployedAt,
              r.startedAt,
              r.finishedAt,
              withoutNul(r.reason),
              record,
            ],
          );
        }
        // Checked last, so the lease row is locked only for the commit.
        return checkFence(q, db, ctx, `the audit record of ${r.watchId}`, COMPONENT);
      });
    },

    read: (watchId, ctx) =>
      db.run(ctx, `Reading the audit record of ${watchId}`, async (q) => {
        const { rows } = await q.query<{ record: unknown }>(
          `SELECT record FROM ${audit} WHERE watch_id = $1`,
          [watchId],
        );
        const row = rows[0];
        if (!row) return ok(null);
        const valid = validateAuditRecord(row.record, COMPONENT);
        return valid.ok ? ok(valid.value) : fail(valid.error);
      }),
  };
}

/** A copy with every NUL character in a string replaced by U+FFFD. */
function withoutNul<T>(value: T): T {
  if (typeof value === 'string') return value.replaceAll('\u0000', '\ufffd') as T;
  if (Array.isArray(value)) return value.map(withoutNul) as T;
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [withoutNul(k), withoutNul(v)])) as T;
  }
  return value;
}
