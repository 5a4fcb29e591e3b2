import type { PortContext } from './abort';
import type { Result } from './result';

/**
 * What a write carries to prove its writer still owns the lease: the lease key and the fencing
 * token of the owner's grant. A controller that holds a lease puts it on every port call
 * (`PortContext.fence`); a store that keeps the leases refuses a write whose token is no longer
 * the current one, so a paused or partitioned old owner cannot overwrite a new owner's state.
 */
export interface LeaseFence {
  readonly key: string;
  readonly token: number;
}

/** A held lease, as {@link WatchLease.acquire} and {@link WatchLease.renew} return it. */
export interface LeaseGrant extends LeaseFence {
  /** Who holds it: unique per process and lease instance (host, pid and a random part). */
  readonly owner: string;
  /**
   * How long the grant lasts, counted from the moment the call that returned it was sent. The
   * holder measures it with its own clock, so it never assumes more than the store granted.
   */
  readonly ttlMs: number;
}

/**
 * Exclusive, expiring ownership of a key (the controller uses one per service), with a
 * monotonically increasing fencing token. Rules for implementers:
 * - `acquire` grants the key when nobody holds it, when the holder's grant expired, when the
 *   holder released it, or (where the implementation can tell) when the holder is dead. Every
 *   grant carries a token greater than every token granted for the key before. While another
 *   holder's grant is live it resolves `LEASE_HELD` (retryable) naming the holder and, in
 *   `details.retryInMs`, when to try again.
 * - `renew` extends a grant, keeping its token. It resolves `LEASE_LOST` once another holder
 *   has been granted the key (the token moved on); a grant that expired but that nobody took
 *   may be renewed, since no other write could have been fenced with a newer token.
 * - `release` ends a grant so the next `acquire` need not wait for it to expire. Releasing a
 *   grant that is no longer current does nothing and succeeds.
 * - The check and the change MUST be atomic in the backing store (a transaction, an exclusive
 *   create), never a read followed by a write in the client.
 * - Methods MUST NOT throw for storage failures: they resolve to a {@link Result}.
 */
export interface WatchLease {
  /** This instance's holder identity, shown to other contenders in `LEASE_HELD`. */
  readonly owner: string;
  /** How long a grant lasts without renewal. */
  readonly ttlMs: number;
  acquire(key: string, ctx: PortContext): Promise<Result<LeaseGrant>>;
  renew(grant: LeaseGrant, ctx: PortContext): Promise<Result<LeaseGrant>>;
  release(grant: LeaseGrant, ctx: PortContext): Promise<Result<void>>;
}

/**
 * The lease key of a service's watches. A dry run has its own key: it changes nothing, so it
 * may run beside the real watch, but never beside another dry run of the service.
 */
export function watchLeaseKey(service: string, dryRun = false): string {
  return dryRun ? `${service}--dry-run` : service;
}
