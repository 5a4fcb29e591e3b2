/** One versioned change of the database schema. Versions are applied in order, each once. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  /** The SQL, given the quoted schema name (e.g. `"rollgate"`). */
  sql(schema: string): string;
}

/**
 * Every migration this package ships, oldest first. A released migration is never edited: a
 * change is a new version. `applyMigrations` records each in `<schema>.schema_migrations`.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'state, leases, artifacts and audit',
    sql: (s) => `
CREATE TABLE ${s}.state (
  key text PRIMARY KEY CHECK (key <> ''),
  -- The JSON text exactly as written (query it with snapshot::json ->> 'state').
  snapshot text NOT NULL,
  -- The lease fence of the controller that wrote it (null for an unfenced write).
  fence_key text,
  fence_token bigint,
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE ${s}.leases (
  key text PRIMARY KEY CHECK (key <> ''),
  owner text NOT NULL,
  -- The fencing token: only ever grows, one step per grant.
  token bigint NOT NULL CHECK (token > 0),
  expires_at timestamptz NOT NULL,
  acquired_at timestamptz NOT NULL,
  renewed_at timestamptz NOT NULL,
  released_at timestamptz
);

CREATE TABLE ${s}.artifacts (
  service text NOT NULL CHECK (service <> ''),
  artifact_id text NOT NULL CHECK (artifact_id <> ''),
  verified_at double precision NOT NULL,
  -- Storage order: for equal verified_at, the record stored later is the newer.
  seq bigserial NOT NULL,
  key_id text NOT NULL,
  record jsonb NOT NULL,
  PRIMARY KEY (service, artifact_id)
);
CREATE INDEX artifacts_newest ON ${s}.artifacts (service, verified_at DESC, seq DESC);

-- One row per watch, its newest revision: the columns a post-incident review filters on, the
-- full record as jsonb. Earlier revisions of a reopened watch move to audit_history.
CREATE TABLE ${s}.audit (
  watch_id text PRIMARY KEY CHECK (watch_id <> ''),
  revision integer NOT NULL DEFAULT 1 CHECK (revision >= 1),
  service text NOT NULL,
  outcome text NOT NULL,
  dry_run boolean NOT NULL,
  deployed_artifact text NOT NULL,
  failed_artifact text,
  restored_artifact text,
  deployed_at timestamptz NOT NULL,
  started_at timestamptz NOT NULL,
  finished_at timestamptz NOT NULL,
  reason text NOT NULL,
  record jsonb NOT NULL,
  written_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_service_finished ON ${s}.audit (service, finished_at DESC);
CREATE INDEX audit_outcome_finished ON ${s}.audit (outcome, finished_at DESC);
CREATE INDEX audit_record ON ${s}.audit USING gin (record jsonb_path_ops);

-- The earlier revisions of watches a human reopened (retry, abort or promote after an ending).
CREATE TABLE ${s}.audit_history (
  watch_id text NOT NULL,
  revision integer NOT NULL CHECK (revision >= 1),
  record jsonb NOT NULL,
  written_at timestamptz NOT NULL,
  PRIMARY KEY (watch_id, revision)
);
`,
  },
];

/** The newest schema version this package knows. */
export const SCHEMA_VERSION = MIGRATIONS.reduce((v, m) => Math.max(v, m.version), 0);
