/**
 * `@rollgate/testkit/postgres`: a real, throwaway PostgreSQL for tests and benchmarks. Node
 * only; it never imports vitest or a PostgreSQL driver, so scripts can use it too.
 */
export type { FindPostgresBinariesOptions, PostgresBinaries } from './find-postgres-binaries';
export { findPostgresBinaries, POSTGRES_INSTALL_HINT } from './find-postgres-binaries';
export type { RunningPostgres, StartPostgresOptions } from './start-postgres';
export { startPostgres } from './start-postgres';
