import {
  type ArtifactStore,
  type CheckedVerification,
  checkVerification,
  fail,
  isValidKeep,
  MIN_KEEP,
  ok,
  type PortContext,
  type Result,
  RollgateError,
  type Signer,
  signVerification,
  type VerificationRecord,
  verificationPayloadProblem,
} from '@rollgate/core';
import { checkFence } from './lease-fence';
import type { PostgresDatabase } from './postgres-database';

const COMPONENT = 'postgres-artifact-store';

/** Options of {@link createPostgresArtifactStore}. */
export interface PostgresArtifactStoreOptions {
  readonly db: PostgresDatabase;
  /** Signs new records and checks every record read back. */
  readonly signer: Signer;
  /** Verified artifacts kept per service. Default 5, at least 3. */
  readonly keep?: number;
}

interface ArtifactRow {
  readonly service: string;
  readonly artifact_id: string;
  readonly verified_at: number;
  readonly key_id: string;
  readonly record: VerificationRecord;
}

/**
 * An {@link ArtifactStore} in the `artifacts` table, with the file store's semantics: one row
 * per service and artifact (a re-recorded artifact replaces its row), the `keep` newest per
 * service kept, newest first by `verifiedAt` then by storage order, every record read back
 * checked with its signature. `record` runs in one transaction that holds a per-service
 * advisory lock, so concurrent controllers never lose a record or keep too many. A row whose
 * columns disagree with its signed record (someone edited one but not the other) comes back as
 * `signatureValid: false`, never skipped.
 *
 * @throws RollgateError `CONFIG_INVALID` when `keep` is below 3.
 */
export function createPostgresArtifactStore(options: PostgresArtifactStoreOptions): ArtifactStore {
  const { db, signer } = options;
  const keep = options.keep ?? 5;
  if (!isValidKeep(keep)) {
    throw new RollgateError(
      'CONFIG_INVALID',
      `keep: must be an integer of at least ${MIN_KEEP} (got ${keep}).`,
      {
        component: COMPONENT,
      },
    );
  }
  const artifacts = db.table('artifacts');
  const columns = 'service, artifact_id, verified_at, key_id, record';

  async function checked(row: ArtifactRow): Promise<CheckedVerification> {
    const result = await checkVerification(row.record, signer);
    const r = row.record;
    if (
      result.signatureValid &&
      (r.service !== row.service ||
        r.artifact?.id !== row.artifact_id ||
        r.verifiedAt !== row.verified_at ||
        r.keyId !== row.key_id)
    ) {
      return {
        record: r,
        signatureValid: false,
        problem: `the row's columns (service ${row.service}, artifact ${row.artifact_id}, verified_at ${row.verified_at}) disagree with its signed record: it was edited outside Rollgate`,
      };
    }
    return result;
  }

  return {
    async record(payload, ctx) {
      const problem = verificationPayloadProblem(payload);
      if (problem !== null) {
        return fail(
          new RollgateError('STORE_FAILED', `Refused to record a verification: ${problem}.`, {
            component: COMPONENT,
          }),
        );
      }
      if (ctx.signal.aborted) {
        return fail(
          new RollgateError('ABORTED', 'The operation was aborted by the caller.', { component: COMPONENT }),
        );
      }
      let signed: VerificationRecord;
      try {
        signed = await signVerification(payload, signer);
      } catch (error) {
        return fail(RollgateError.from(error, 'STORE_FAILED', COMPONENT));
      }
      return db.transaction(ctx, `Recording the verification of ${payload.artifact.id}`, async (q) => {
        await q.query('SELECT pg_advisory_xact_lock(hashtext($1))', [
          `rollgate.artifacts/${db.schema}/${signed.service}`,
        ]);
        await q.query(`DELETE FROM ${artifacts} WHERE service = $1 AND artifact_id = $2`, [
          signed.service,
          signed.artifact.id,
        ]);
        await q.query(
          `INSERT INTO ${artifacts} (service, artifact_id, verified_at, key_id, record) VALUES ($1, $2, $3, $4, $5::jsonb)`,
          [signed.service, signed.artifact.id, signed.verifiedAt, signed.keyId, JSON.stringify(signed)],
        );
        await q.query(
          `DELETE FROM ${artifacts} WHERE service = $1 AND artifact_id NOT IN (
             SELECT artifact_id FROM ${artifacts} WHERE service = $1 ORDER BY verified_at DESC, seq DESC LIMIT $2)`,
          [signed.service, keep],
        );
        // Checked last, so the lease row is locked only for the commit.
        const fenced = await checkFence(q, db, ctx, `the verification of ${payload.artifact.id}`, COMPONENT);
        return fenced.ok ? ok(signed) : fenced;
      });
    },

    lastVerified: (service, { excluding }, ctx) =>
      db.run(ctx, `Reading the last verified artifact of ${service}`, async (q) => {
        const { rows } = await q.query<ArtifactRow>(
          `SELECT ${columns} FROM ${artifacts} WHERE service = $1 AND NOT (artifact_id = ANY($2::text[]))
           ORDER BY verified_at DESC, seq DESC LIMIT 1`,
          [service, [...excluding]],
        );
        const row = rows[0];
        return ok(row ? await checked(row) : null);
      }),

    list: (service, ctx) =>
      db.run(ctx, `Listing the verified artifacts of ${service}`, async (q) => {
        const { rows } = await q.query<ArtifactRow>(
          `SELECT ${columns} FROM ${artifacts} WHERE service = $1 ORDER BY verified_at DESC, seq DESC`,
          [service],
        );
        return ok(await Promise.all(rows.map(checked)));
      }),
  };
}

/** Every service with a verified artifact in the database, sorted (for `rollgate artifacts --all`). */
export function listArtifactServices(
  db: PostgresDatabase,
  ctx: PortContext,
): Promise<Result<readonly string[]>> {
  return db.run(ctx, 'Listing the services with verified artifacts', async (q) => {
    const { rows } = await q.query<{ service: string }>(
      `SELECT DISTINCT service FROM ${db.table('artifacts')} ORDER BY service`,
    );
    return ok(rows.map((r) => r.service));
  });
}
