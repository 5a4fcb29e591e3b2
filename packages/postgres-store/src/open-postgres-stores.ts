import type { ArtifactStore, AuditSink, Signer, StateStore, WatchLease } from '@rollgate/core';
import { createPostgresArtifactStore } from './postgres-artifact-store';
import { createPostgresAuditSink } from './postgres-audit-sink';
import {
  createPostgresDatabase,
  type PostgresDatabase,
  type PostgresDatabaseOptions,
} from './postgres-database';
import { createPostgresStateStore } from './postgres-state-store';
import { createPostgresWatchLease } from './postgres-watch-lease';

/** Options of {@link openPostgresStores}. */
export interface PostgresStoresOptions extends PostgresDatabaseOptions {
  /** Signs verifications and checks them when read back. */
  readonly signer: Signer;
  /** Verified artifacts kept per service (default 5, at least 3). */
  readonly keep?: number;
  /** Watch lease duration (default 15 000 ms). */
  readonly leaseTtlMs?: number;
  /** This controller's lease holder identity (default `<host>/<pid>/<random>`). */
  readonly owner?: string;
}

/** Every Rollgate store on one PostgreSQL database, sharing one connection pool. */
export interface PostgresStores {
  readonly db: PostgresDatabase;
  readonly state: StateStore;
  readonly artifacts: ArtifactStore;
  readonly audit: AuditSink;
  readonly lease: WatchLease;
  /** Closes the pool; call it when the controller is done. */
  close(): Promise<void>;
}

/**
 * Opens the state store, artifact store, audit sink and watch lease on one database: what a
 * controller needs (`createController({ ...stores, lease: stores.lease })`). Nothing connects
 * before the first call; the schema is migrated on first use unless `migrations: 'verify'`.
 *
 * @throws RollgateError `CONFIG_INVALID` for bad options (the URL's password is never shown).
 */
export function openPostgresStores(options: PostgresStoresOptions): PostgresStores {
  const db = createPostgresDatabase(options);
  return {
    db,
    state: createPostgresStateStore({ db }),
    artifacts: createPostgresArtifactStore({
      db,
      signer: options.signer,
      ...(options.keep === undefined ? {} : { keep: options.keep }),
    }),
    audit: createPostgresAuditSink({ db }),
    lease: createPostgresWatchLease({
      db,
      ...(options.leaseTtlMs === undefined ? {} : { ttlMs: options.leaseTtlMs }),
      ...(options.owner === undefined ? {} : { owner: options.owner }),
    }),
    close: () => db.close(),
  };
}
