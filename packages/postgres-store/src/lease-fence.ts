import { fail, ok, type PortContext, type Result, RollgateError } from '@rollgate/core';
import type { PostgresDatabase, Queryable } from './postgres-database';

/**
 * Inside a transaction, as its last statement: when the call carries `ctx.fence`, locks the
 * lease row (`FOR SHARE`) and checks that the fence's token is still the lease's, so the
 * transaction commits only while the writer owns the lease: a takeover either waits for the
 * commit or is seen here. `LEASE_LOST` otherwise (the caller rolls back).
 */
export async function checkFence(
  q: Queryable,
  db: PostgresDatabase,
  ctx: PortContext,
  what: string,
  component: string,
): Promise<Result<void>> {
  const fence = ctx.fence;
  if (!fence) return ok(undefined);
  const { rowCount } = await q.query(
    `SELECT 1 FROM ${db.table('leases')} WHERE key = $1 AND token = $2 FOR SHARE`,
    [fence.key, fence.token],
  );
  if (rowCount === 1) return ok(undefined);
  return fail(
    new RollgateError(
      'LEASE_LOST',
      `Refused ${what}: the write is fenced with token ${fence.token} of lease "${fence.key}", which is no longer the lease's token; another controller owns the watch now.`,
      { component, details: { lease: fence.key, token: fence.token } },
    ),
  );
}
