import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { fail, type LeaseGrant, ok, RollgateError, type WatchLease } from '@rollgate/core';
import type { PostgresDatabase } from './postgres-database';

const COMPONENT = 'postgres-watch-lease';

/** Options of {@link createPostgresWatchLease}. */
export interface PostgresWatchLeaseOptions {
  readonly db: PostgresDatabase;
  /** How long a grant lasts without renewal (default 15 000 ms; the controller renews every third). */
  readonly ttlMs?: number;
  /** This holder's identity; default `<host>/<pid>/<random>`, unique per process and instance. */
  readonly owner?: string;
}

/**
 * A {@link WatchLease} in the `leases` table: one row per key with the holder, the fencing
 * token and the expiry. Every operation is one statement, so the database orders concurrent
 * contenders: `acquire` is an upsert that takes the row only when it is expired or released
 * (bumping the token), `renew` and `release` update it only while the token is still theirs.
 * Expiry is measured by the database server's clock, never by a controller's, so controllers
 * on machines whose clocks disagree still agree on who holds a lease.
 *
 * @throws RollgateError `CONFIG_INVALID` when `ttlMs` is not a positive number.
 */
export function createPostgresWatchLease(options: PostgresWatchLeaseOptions): WatchLease {
  const { db } = options;
  const ttlMs = options.ttlMs ?? 15_000;
  if (!(Number.isFinite(ttlMs) && ttlMs > 0)) {
    throw new RollgateError(
      'CONFIG_INVALID',
      `ttlMs: give the lease duration in ms, above 0 (got ${ttlMs}).`,
      {
        component: COMPONENT,
      },
    );
  }
  const owner = options.owner ?? `${hostname()}/${process.pid}/${randomBytes(3).toString('hex')}`;
  const leases = db.table('leases');
  const grant = (key: string, token: string | number): LeaseGrant => ({
    key,
    token: Number(token),
    owner,
    ttlMs,
  });

  return {
    owner,
    ttlMs,
    acquire: (key, ctx) => {
      if (typeof key !== 'string' || key.length === 0) {
        return Promise.resolve(
          fail(
            new RollgateError('CONFIG_INVALID', 'A lease key must be a non-empty string (the service).', {
              component: COMPONENT,
            }),
          ),
        );
      }
      return db.run(ctx, `Acquiring the lease "${key}"`, async (q) => {
        const taken = await q.query<{ token: string }>(
          `INSERT INTO ${leases} AS l (key, owner, token, expires_at, acquired_at, renewed_at, released_at)
           VALUES ($1, $2, 1, now() + $3 * interval '1 millisecond', now(), now(), NULL)
           ON CONFLICT (key) DO UPDATE
             SET owner = EXCLUDED.owner, token = l.token + 1, expires_at = EXCLUDED.expires_at,
                 acquired_at = now(), renewed_at = now(), released_at = NULL
             WHERE l.expires_at <= now() OR l.owner = EXCLUDED.owner
           RETURNING token`,
          [key, owner, ttlMs],
        );
        const row = taken.rows[0];
        if (row) return ok(grant(key, row.token));
        const held = await q.query<{ owner: string; token: string; retry_ms: number }>(
          `SELECT owner, token, greatest(0, extract(epoch FROM expires_at - now()) * 1000)::float8 AS retry_ms
           FROM ${leases} WHERE key = $1`,
          [key],
        );
        const holder = held.rows[0];
        const retryInMs = Math.ceil(holder?.retry_ms ?? 0);
        return fail(
          new RollgateError(
            'LEASE_HELD',
            `Another controller is watching "${key}": its lease is held by ${holder?.owner ?? 'another controller'} for up to ${Math.ceil(retryInMs / 1000)} s more. Wait for it to finish (rollgate watch --wait), or stop that process.`,
            {
              component: COMPONENT,
              retryable: true,
              details: { key, holder: holder?.owner ?? null, retryInMs, token: Number(holder?.token ?? 0) },
            },
          ),
        );
      });
    },

    renew: (held, ctx) =>
      db.run(ctx, `Renewing the lease "${held.key}"`, async (q) => {
        const renewed = await q.query(
          `UPDATE ${leases} SET expires_at = now() + $4 * interval '1 millisecond', renewed_at = now()
           WHERE key = $1 AND token = $2 AND owner = $3 AND released_at IS NULL`,
          [held.key, held.token, owner, ttlMs],
        );
        if (renewed.rowCount === 1) return ok(grant(held.key, held.token));
        const current = await q.query<{ owner: string; token: string }>(
          `SELECT owner, token FROM ${leases} WHERE key = $1`,
          [held.key],
        );
        const now = current.rows[0];
        return fail(
          new RollgateError(
            'LEASE_LOST',
            `The lease of "${held.key}" (token ${held.token}) was taken over${now ? ` by ${now.owner} (token ${now.token})` : ''}; this controller stops without acting.`,
            {
              component: COMPONENT,
              details: { key: held.key, token: held.token, current: now ? Number(now.token) : null },
            },
          ),
        );
      }),

    release: (held, ctx) =>
      db.run(ctx, `Releasing the lease "${held.key}"`, async (q) => {
        await q.query(
          `UPDATE ${leases} SET expires_at = now(), released_at = now()
           WHERE key = $1 AND token = $2 AND owner = $3 AND released_at IS NULL`,
          [held.key, held.token, owner],
        );
        return ok(undefined);
      }),
  };
}
