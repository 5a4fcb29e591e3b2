import {
  checkStateKey,
  fail,
  ok,
  type PortContext,
  type Result,
  RollgateError,
  type StateStore,
} from '@rollgate/core';
import type { PostgresDatabase } from './postgres-database';

const COMPONENT = 'postgres-state-store';

/** Options of {@link createPostgresStateStore}. */
export interface PostgresStateStoreOptions {
  readonly db: PostgresDatabase;
}

/**
 * A {@link StateStore} in the `state` table: one row per key holding the snapshot's JSON text.
 * Keys follow the file store's rules (so a key that works in one store works in every one).
 * `save` is one statement; when the call carries `ctx.fence`, the same statement locks the
 * lease row (`FOR SHARE`) and writes only if the fence's token is still the lease's, so a
 * takeover and a stale owner's write are ordered by the database: the stale write is refused
 * with `LEASE_LOST` and changes nothing.
 */
export function createPostgresStateStore(options: PostgresStateStoreOptions): StateStore {
  const { db } = options;
  const state = db.table('state');
  const leases = db.table('leases');

  return {
    load: (key, ctx) => {
      const checked = keyError(key);
      if (checked) return Promise.resolve(fail(checked));
      return db.run(ctx, `Loading the state "${key}"`, async (q) => {
        const { rows } = await q.query<{ snapshot: string }>(`SELECT snapshot FROM ${state} WHERE key = $1`, [
          key,
        ]);
        const row = rows[0];
        if (!row) return ok(null);
        try {
          return ok(JSON.parse(row.snapshot) as unknown);
        } catch (error) {
          return fail(
            new RollgateError(
              'STATE_CORRUPT',
              `The state row "${key}" in ${state} on ${db.display} is corrupt: not valid JSON. Inspect it, then restore it or delete the row to start the watch afresh.`,
              { component: COMPONENT, cause: error, details: { key } },
            ),
          );
        }
      });
    },

    save: (key, snapshot, ctx) => {
      const checked = keyError(key);
      if (checked) return Promise.resolve(fail(checked));
      const text = encode(key, snapshot);
      if (!text.ok) return Promise.resolve(text);
      return db.run(ctx, `Saving the state "${key}"`, (q) => fencedSave(q, key, text.value, ctx));
    },

    list: (prefix, ctx) =>
      db.run(ctx, `Listing the state keys under "${prefix}"`, async (q) => {
        const { rows } = await q.query<{ key: string }>(
          `SELECT key FROM ${state} WHERE starts_with(key, $1)`,
          [String(prefix)],
        );
        // Sorted here, in JavaScript's order, exactly as the other stores sort.
        return ok(rows.map((r) => r.key).sort());
      }),
  };

  async function fencedSave(
    q: Parameters<Parameters<PostgresDatabase['run']>[2]>[0],
    key: string,
    text: string,
    ctx: PortContext,
  ): Promise<Result<void>> {
    const fence = ctx.fence;
    if (!fence) {
      await q.query(
        `INSERT INTO ${state} (key, snapshot, fence_key, fence_token, updated_at) VALUES ($1, $2, NULL, NULL, now())
         ON CONFLICT (key) DO UPDATE SET snapshot = EXCLUDED.snapshot, fence_key = NULL, fence_token = NULL, updated_at = now()`,
        [key, text],
      );
      return ok(undefined);
    }
    const { rowCount } = await q.query(
      `WITH fence AS (SELECT key, token FROM ${leases} WHERE key = $3 AND token = $4 FOR SHARE)
       INSERT INTO ${state} (key, snapshot, fence_key, fence_token, updated_at)
       SELECT $1, $2, fence.key, fence.token, now() FROM fence
       ON CONFLICT (key) DO UPDATE SET snapshot = EXCLUDED.snapshot, fence_key = EXCLUDED.fence_key,
         fence_token = EXCLUDED.fence_token, updated_at = now()`,
      [key, text, fence.key, fence.token],
    );
    if (rowCount === 1) return ok(undefined);
    return fail(
      new RollgateError(
        'LEASE_LOST',
        `Refused to save "${key}": the write is fenced with token ${fence.token} of lease "${fence.key}", which is no longer the lease's token; another controller owns the watch now.`,
        { component: COMPONENT, details: { key, lease: fence.key, token: fence.token } },
      ),
    );
  }
}

function keyError(key: string): RollgateError | undefined {
  const checked = checkStateKey(key);
  return checked.ok
    ? undefined
    : new RollgateError(
        'CONFIG_INVALID',
        `Refused state key ${JSON.stringify(String(key))}: ${checked.problem}.`,
        {
          component: COMPONENT,
        },
      );
}

function encode(key: string, snapshot: unknown): Result<string> {
  if (snapshot === undefined) {
    return fail(
      new RollgateError(
        'STORE_FAILED',
        `Refused to save an undefined snapshot for "${key}": save null to clear it.`,
        {
          component: COMPONENT,
        },
      ),
    );
  }
  try {
    return ok(JSON.stringify(snapshot));
  } catch (error) {
    return fail(
      new RollgateError(
        'STORE_FAILED',
        `The snapshot for "${key}" is not JSON-serialisable: ${error instanceof Error ? error.message : String(error)}`,
        { component: COMPONENT, cause: error },
      ),
    );
  }
}
