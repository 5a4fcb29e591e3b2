import { type RunningPostgres, startPostgres } from '@rollgate/testkit/postgres';
import pg from 'pg';
import { afterAll } from 'vitest';

// One real PostgreSQL per test file, started on first use; every store under test gets its own
// schema in it, so tests stay apart without paying for a server each.

let running: Promise<RunningPostgres> | undefined;
const pools: pg.Pool[] = [];
let schemas = 0;

/** The file's server, started on first call. */
export function postgresServer(): Promise<RunningPostgres> {
  running ??= startPostgres();
  return running;
}

/** A schema name nobody used yet in this server. */
export function freshSchema(prefix = 't'): string {
  return `${prefix}_${process.pid}_${++schemas}`;
}

/** A plain driver pool on the server, for the test's own SQL (inspecting and editing rows). */
export async function adminPool(): Promise<pg.Pool> {
  const server = await postgresServer();
  const pool = new pg.Pool({ connectionString: server.url, max: 2 });
  pool.on('error', () => undefined);
  pools.push(pool);
  return pool;
}

afterAll(async () => {
  await Promise.all(pools.splice(0).map((p) => p.end().catch(() => undefined)));
  await (await running)?.stop();
  running = undefined;
}, 60_000);
