import { type Clock, fail, ok, type PortContext, type Result, RollgateError } from '@rollgate/core';
import { systemClock } from '@rollgate/core/node';
import pg from 'pg';
import { parseConnectionTarget } from './connection-target';
import { MIGRATIONS, SCHEMA_VERSION } from './migrations';
import { storeError } from './postgres-error';

const COMPONENT = 'postgres-store';

/** Options of {@link createPostgresDatabase}. */
export interface PostgresDatabaseOptions {
  /** `postgresql://user:password@host:5432/database`; the password never appears in errors. */
  readonly url: string;
  /** The schema holding Rollgate's tables (default `rollgate`): letters, digits and `_`. */
  readonly schema?: string;
  /** Connections in the pool (default 4). */
  readonly poolSize?: number;
  /**
   * `apply` (default): on first use, apply the migrations this version ships (under an advisory
   * lock, so concurrent controllers apply each once). `verify`: never change the schema; fail
   * with `CONFIG_INVALID` when it is behind, for users without DDL rights (run
   * `applyMigrations` once as an owner).
   */
  readonly migrations?: 'apply' | 'verify';
  /** The controller's clock, against which `ctx.deadline` is compared. Default `systemClock`. */
  readonly clock?: Clock;
  /** How long to wait for a connection (default 10 000 ms). */
  readonly connectTimeoutMs?: number;
  /** Shown in `pg_stat_activity` (default `rollgate`). */
  readonly applicationName?: string;
}

/** A client or the pool: anything that runs a query. */
export type Queryable = Pick<pg.PoolClient, 'query'>;

/** The connection pool and schema every PostgreSQL store of one database shares. */
export interface PostgresDatabase {
  /** The schema name, unquoted. */
  readonly schema: string;
  /** The URL without its password, for messages. */
  readonly display: string;
  /** `"schema"."name"`. */
  table(name: 'state' | 'leases' | 'artifacts' | 'audit' | 'audit_history' | 'schema_migrations'): string;
  /**
   * Runs `work` under `ctx` once the schema is ready: `ABORTED` or `TIMEOUT` when the caller
   * gives up first (the statement then finishes in the background; every write is one
   * transaction, so it lands whole or not at all), a driver error as `STORE_FAILED` (retryable
   * for restarts and dropped connections), never a throw.
   */
  run<T>(ctx: PortContext, what: string, work: (db: Queryable) => Promise<Result<T>>): Promise<Result<T>>;
  /** Like `run`, inside one transaction: committed when `work` resolves ok, rolled back otherwise. */
  transaction<T>(
    ctx: PortContext,
    what: string,
    work: (client: Queryable) => Promise<Result<T>>,
  ): Promise<Result<T>>;
  /** Applies the pending migrations now (see `migrations`); resolves the versions before and after. */
  migrate(ctx: PortContext): Promise<Result<{ readonly from: number; readonly to: number }>>;
  /** Closes the pool. Calls after it fail with `STORE_FAILED`. */
  close(): Promise<void>;
}

const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/**
 * Opens (lazily: nothing connects before the first call) the PostgreSQL database the stores
 * share. Validates the options at once.
 *
 * @throws RollgateError `CONFIG_INVALID` for a malformed URL, schema or pool size.
 */
export function createPostgresDatabase(options: PostgresDatabaseOptions): PostgresDatabase {
  const target = parseConnectionTarget(options.url);
  const schema = options.schema ?? 'rollgate';
  if (!SCHEMA_NAME.test(schema)) {
    throw new RollgateError(
      'CONFIG_INVALID',
      `schema: ${JSON.stringify(schema)} is not a plain identifier; use letters, digits and "_" (default "rollgate").`,
      { component: COMPONENT },
    );
  }
  const poolSize = options.poolSize ?? 4;
  if (!(Number.isInteger(poolSize) && poolSize >= 1 && poolSize <= 100)) {
    throw new RollgateError(
      'CONFIG_INVALID',
      `poolSize: give a whole number from 1 to 100 (got ${poolSize}).`,
      {
        component: COMPONENT,
      },
    );
  }
  const mode = options.migrations ?? 'apply';
  if (mode !== 'apply' && mode !== 'verify') {
    throw new RollgateError(
      'CONFIG_INVALID',
      `migrations: use "apply" or "verify" (got ${JSON.stringify(mode)}).`,
      {
        component: COMPONENT,
      },
    );
  }
  const clock = options.clock ?? systemClock;
  const quoted = `"${schema}"`;
  const pool = new pg.Pool({
    connectionString: options.url,
    max: poolSize,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
    idleTimeoutMillis: 10_000,
    keepAlive: true,
    application_name: options.applicationName ?? 'rollgate',
  });
  // An idle connection the server drops (a restart) is reported here; without a listener the
  // process would crash. The next query opens a new connection.
  pool.on('error', () => undefined);
  let closed = false;
  let ready: Promise<Result<void>> | null = null;

  const fromDriver = (error: unknown, what: string) => storeError(error, what, target, COMPONENT);

  async function withClient<T>(
    what: string,
    work: (client: pg.PoolClient) => Promise<Result<T>>,
  ): Promise<Result<T>> {
    if (closed) {
      return fail(
        new RollgateError('STORE_FAILED', `${what}: the PostgreSQL store was closed.`, {
          component: COMPONENT,
        }),
      );
    }
    let client: pg.PoolClient;
    try {
      client = await pool.connect();
    } catch (error) {
      return fail(fromDriver(error, `${what}: connecting`));
    }
    let broken = false;
    // While checked out the pool's listener does not cover the client: a server that drops the
    // connection between two queries (a restart) emits 'error' here, which would crash the
    // process without a listener. The next query then fails and is reported as usual.
    const onError = () => {
      broken = true;
    };
    client.on('error', onError);
    try {
      return await work(client);
    } catch (error) {
      broken = true;
      return fail(fromDriver(error, what));
    } finally {
      client.off('error', onError);
      // A client whose query failed mid-way may be in an unknown state: drop it from the pool.
      client.release(broken);
    }
  }

  async function migrateWith(client: pg.PoolClient): Promise<Result<{ from: number; to: number }>> {
    await client.query('BEGIN');
    try {
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`rollgate.migrations/${schema}`]);
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoted}`);
      await client.query(
        `CREATE TABLE IF NOT EXISTS ${quoted}.schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
      );
      const from = await versionWith(client);
      if (from > SCHEMA_VERSION) {
        await client.query('ROLLBACK');
        return fail(newerSchema(from));
      }
      for (const migration of MIGRATIONS) {
        if (migration.version <= from) continue;
        await client.query(migration.sql(quoted));
        await client.query(`INSERT INTO ${quoted}.schema_migrations (version, name) VALUES ($1, $2)`, [
          migration.version,
          migration.name,
        ]);
      }
      await client.query('COMMIT');
      return ok({ from, to: SCHEMA_VERSION });
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }

  async function versionWith(client: Queryable): Promise<number> {
    const exists = await client.query('SELECT to_regclass($1) AS t', [`${quoted}.schema_migrations`]);
    if (exists.rows[0]?.t === null) return 0;
    const { rows } = await client.query(
      `SELECT coalesce(max(version), 0) AS v FROM ${quoted}.schema_migrations`,
    );
    return Number(rows[0]?.v ?? 0);
  }

  function newerSchema(version: number): RollgateError {
    return new RollgateError(
      'CONFIG_INVALID',
      `The database schema ${schema} on ${target.display} is at version ${version}, newer than this @rollgate/postgres-store understands (${SCHEMA_VERSION}): upgrade Rollgate.`,
      { component: COMPONENT },
    );
  }

  function ensureReady(): Promise<Result<void>> {
    ready ??= withClient('Preparing the schema', async (client) => {
      if (mode === 'apply') {
        const migrated = await migrateWith(client);
        return migrated.ok ? ok(undefined) : migrated;
      }
      const version = await versionWith(client);
      if (version > SCHEMA_VERSION) return fail(newerSchema(version));
      if (version < SCHEMA_VERSION) {
        return fail(
          new RollgateError(
            'CONFIG_INVALID',
            `The database schema ${schema} on ${target.display} is at version ${version}, this Rollgate needs ${SCHEMA_VERSION}, and migrations are set to "verify": apply them once as the schema's owner (applyMigrations, or migrations: "apply").`,
            { component: COMPONENT },
          ),
        );
      }
      return ok(undefined);
    }).then((result) => {
      // A failure (the server was down) is not remembered: the next call tries again.
      if (!result.ok) ready = null;
      return result;
    });
    return ready;
  }

  const run: PostgresDatabase['run'] = (ctx, what, work) =>
    withContext(ctx, clock, async () => {
      const prepared = await ensureReady();
      if (!prepared.ok) return prepared;
      return withClient(what, work);
    });

  return {
    schema,
    display: target.display,
    table: (name) => `${quoted}.${name}`,
    run,
    transaction: <T>(ctx: PortContext, what: string, work: (client: Queryable) => Promise<Result<T>>) =>
      run<T>(ctx, what, async (client) => {
        await client.query('BEGIN');
        let result: Result<T>;
        try {
          result = await work(client);
        } catch (error) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw error;
        }
        await client.query(result.ok ? 'COMMIT' : 'ROLLBACK');
        return result;
      }),
    migrate: (ctx) =>
      withContext(ctx, clock, async () => {
        const migrated = await withClient('Applying the migrations', migrateWith);
        if (migrated.ok) ready = Promise.resolve(ok(undefined));
        return migrated;
      }),
    async close() {
      if (closed) return;
      closed = true;
      await pool.end().catch(() => undefined);
    },
  };
}

/**
 * Runs `operation` under `ctx`: `ABORTED` when the signal fired or fires first, `TIMEOUT`
 * (retryable) when the deadline passed or passes first, a throw turned into `STORE_FAILED`.
 */
async function withContext<T>(
  ctx: PortContext,
  clock: Clock,
  operation: () => Promise<Result<T>>,
): Promise<Result<T>> {
  if (ctx.signal.aborted) return fail(aborted(ctx.signal.reason));
  const remaining = ctx.deadline - clock.now();
  if (!(remaining > 0)) return fail(timedOut());
  let timer: unknown;
  let onAbort: (() => void) | undefined;
  const interrupted = new Promise<Result<T>>((resolve) => {
    onAbort = () => resolve(fail(aborted(ctx.signal.reason)));
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    if (remaining <= 2 ** 31 - 1) timer = clock.setTimeout(() => resolve(fail(timedOut())), remaining);
  });
  const guarded = operation().catch((error: unknown) =>
    fail<T>(RollgateError.from(error, 'STORE_FAILED', COMPONENT)),
  );
  try {
    return await Promise.race([guarded, interrupted]);
  } finally {
    if (timer !== undefined) clock.clearTimeout(timer);
    if (onAbort) ctx.signal.removeEventListener('abort', onAbort);
  }
}

function aborted(reason: unknown): RollgateError {
  return new RollgateError('ABORTED', 'The operation was aborted by the caller.', {
    component: COMPONENT,
    cause: reason,
  });
}

function timedOut(): RollgateError {
  return new RollgateError('TIMEOUT', 'The PostgreSQL call did not finish before its deadline; try again.', {
    component: COMPONENT,
    retryable: true,
  });
}
