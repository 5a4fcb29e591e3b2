import { insecureTestSigner } from '@rollgate/core/testing';
import {
  describeArtifactStoreContract,
  describeAuditSinkContract,
  describeStateStoreContract,
  describeWatchLeaseContract,
} from '@rollgate/testkit';
import { createPostgresArtifactStore } from '../src/postgres-artifact-store';
import { createPostgresAuditSink } from '../src/postgres-audit-sink';
import { createPostgresDatabase } from '../src/postgres-database';
import { createPostgresStateStore } from '../src/postgres-state-store';
import { createPostgresWatchLease } from '../src/postgres-watch-lease';
import { adminPool, freshSchema, postgresServer } from './support/postgres-server';

// The testkit contract suites, run against a real PostgreSQL: the same tables the file store
// and the in-memory fakes pass.

async function database(clock: Parameters<typeof createPostgresDatabase>[0]['clock']) {
  const server = await postgresServer();
  const schema = freshSchema();
  const db = createPostgresDatabase({ url: server.url, schema, ...(clock ? { clock } : {}) });
  return { db, schema, admin: await adminPool() };
}

describeStateStoreContract('postgres', async (clock) => {
  const { db, schema, admin } = await database(clock);
  return {
    store: createPostgresStateStore({ db }),
    // A row edited by hand into something that is not JSON any more.
    corrupt: async (key) => {
      await admin.query(
        `UPDATE "${schema}".state SET snapshot = left(snapshot, length(snapshot) / 2) WHERE key = $1`,
        [key],
      );
    },
    teardown: () => db.close(),
  };
});

describeAuditSinkContract('postgres', async (clock) => {
  const { db, schema, admin } = await database(clock);
  return {
    sink: createPostgresAuditSink({ db }),
    storedCount: async () => {
      const exists = await admin.query('SELECT to_regclass($1) AS t', [`"${schema}".audit`]);
      if (exists.rows[0]?.t === null) return 0;
      const count = async (table: string) =>
        Number((await admin.query(`SELECT count(*) AS n FROM "${schema}".${table}`)).rows[0]?.n);
      return (await count('audit')) + (await count('audit_history'));
    },
    teardown: () => db.close(),
  };
});

describeArtifactStoreContract(
  'postgres',
  async ({ clock, keep, brokenSigner }) => {
    const { db, schema, admin } = await database(clock);
    return {
      store: createPostgresArtifactStore({
        db,
        signer: brokenSigner ?? insecureTestSigner('ci-test'),
        ...(keep === undefined ? {} : { keep }),
      }),
      // Someone edits the row with SQL: the record and the columns that describe it.
      tamper: async (service, artifactId, patch) => {
        const { rows } = await admin.query(
          `SELECT record FROM "${schema}".artifacts WHERE service = $1 AND artifact_id = $2`,
          [service, artifactId],
        );
        const record = patch(rows[0]?.record);
        await admin.query(
          `UPDATE "${schema}".artifacts SET service = $3, artifact_id = $4, verified_at = $5, key_id = $6, record = $7
           WHERE service = $1 AND artifact_id = $2`,
          [service, artifactId, record.service, record.artifact.id, record.verifiedAt, record.keyId, record],
        );
      },
      teardown: () => db.close(),
    };
  },
  (keep) =>
    createPostgresArtifactStore({
      db: createPostgresDatabase({ url: 'postgresql://u@127.0.0.1:1/db' }),
      signer: insecureTestSigner(),
      keep,
    }),
  10,
);

describeWatchLeaseContract('postgres', async (clock) => {
  const { db, schema, admin } = await database(clock);
  return {
    lease: () => createPostgresWatchLease({ db, ttlMs: 10_000 }),
    state: createPostgresStateStore({ db }),
    // Expiry is the server's clock: move every grant's expiry into the past instead of waiting.
    expire: async () => {
      await admin.query(`UPDATE "${schema}".leases SET expires_at = now() - interval '1 millisecond'`);
    },
    teardown: () => db.close(),
  };
});
