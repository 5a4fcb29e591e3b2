export type { ConnectionTarget } from './connection-target';
export { parseConnectionTarget } from './connection-target';
export type { Migration } from './migrations';
export { MIGRATIONS, SCHEMA_VERSION } from './migrations';
export type { PostgresStores, PostgresStoresOptions } from './open-postgres-stores';
export { openPostgresStores } from './open-postgres-stores';
export { create } from './options/create';
export {
  type PostgresStoreOptions,
  type PostgresStoreOptionsParsed,
  PostgresStoreOptionsSchema,
} from './options/postgres-store-options-schema';
export type { PostgresArtifactStoreOptions } from './postgres-artifact-store';
export { createPostgresArtifactStore, listArtifactServices } from './postgres-artifact-store';
export type { PostgresAuditSinkOptions } from './postgres-audit-sink';
export { createPostgresAuditSink } from './postgres-audit-sink';
export type { PostgresDatabase, PostgresDatabaseOptions, Queryable } from './postgres-database';
export { createPostgresDatabase } from './postgres-database';
export type { PostgresStateStoreOptions } from './postgres-state-store';
export { createPostgresStateStore } from './postgres-state-store';
export type { PostgresWatchLeaseOptions } from './postgres-watch-lease';
export { createPostgresWatchLease } from './postgres-watch-lease';
