import { RollgateError } from '../errors/rollgate-error';
import { fail, ok } from '../ports/result';
import type { LeaseFence, LeaseGrant, WatchLease } from '../ports/watch-lease';
import type { Clock } from '../time/clock';
import { contextError, decideFault, type FaultInjector } from './memory-faults';

const COMPONENT = 'memory-watch-lease';

/** One key's lease as a {@link MemoryLeaseTable} holds it. */
export interface MemoryLeaseEntry {
  readonly owner: string;
  readonly token: number;
  /** Epoch ms by the table's clock; a released lease expires at once. */
  readonly expiresAt: number;
}

/**
 * The shared storage behind in-memory leases: give every lease instance (one per simulated
 * controller) and the in-memory state store the same table, and fenced writes are checked
 * against it, as a database would.
 */
export interface MemoryLeaseTable {
  readonly clock: Clock;
  /** The current lease of `key`, or undefined when it was never granted. */
  get(key: string): MemoryLeaseEntry | undefined;
  /** Whether a write fenced with `fence` may happen now: its token is the key's current one. */
  admits(fence: LeaseFence): boolean;
  /** Stores a lease directly, e.g. one left by a holder that crashed. */
  set(key: string, entry: MemoryLeaseEntry): void;
  /** Grants so far over all keys: how often a token moved on (renewals do not count). */
  readonly grants: number;
}

/** Creates an empty {@link MemoryLeaseTable} whose expiries are measured by `clock`. */
export function createMemoryLeaseTable(clock: Clock): MemoryLeaseTable {
  const entries = new Map<string, MemoryLeaseEntry>();
  let grants = 0;
  return {
    clock,
    get: (key) => entries.get(key),
    set: (key, entry) => {
      if (entry.token !== entries.get(key)?.token) grants++;
      entries.set(key, entry);
    },
    admits: (fence) => entries.get(fence.key)?.token === fence.token,
    get grants() {
      return grants;
    },
  };
}

/** Options of {@link createMemoryWatchLease}. */
export interface MemoryWatchLeaseOptions {
  /** Shared with the other contenders and the fenced stores. */
  readonly table: MemoryLeaseTable;
  /** This holder's identity (default `memory-holder-<n>`). */
  readonly owner?: string;
  /** Default 15 000. */
  readonly ttlMs?: number;
  /** Fails calls on demand (`port: 'lease'`, method `acquire` or `renew`). */
  readonly fault?: FaultInjector;
}

let instances = 0;

/**
 * A {@link WatchLease} in memory with the semantics every implementation has: a grant while
 * the key is free, expired or released, a token one greater than the last, `LEASE_HELD` while
 * another holder's grant is live, `LEASE_LOST` on renewing a grant whose token moved on.
 */
export function createMemoryWatchLease(options: MemoryWatchLeaseOptions): WatchLease {
  const { table } = options;
  const clock = table.clock;
  const owner = options.owner ?? `memory-holder-${++instances}`;
  const ttlMs = options.ttlMs ?? 15_000;
  if (!(ttlMs > 0)) {
    throw new RollgateError('CONFIG_INVALID', 'ttlMs: give the lease duration in ms, above 0.', {
      component: COMPONENT,
    });
  }
  const grant = (key: string, token: number): LeaseGrant => ({ key, token, owner, ttlMs });

  return {
    owner,
    ttlMs,
    async acquire(key, ctx) {
      const early = contextError(ctx, clock, COMPONENT);
      if (early) return fail(early);
      if (typeof key !== 'string' || key.length === 0) {
        return fail(
          new RollgateError('CONFIG_INVALID', 'A lease key must be a non-empty string (the service).', {
            component: COMPONENT,
          }),
        );
      }
      const fault = decideFault(options.fault, { port: 'lease', method: 'acquire', subject: key });
      if (fault) return fail(fault.error);
      const now = clock.now();
      const current = table.get(key);
      if (current && current.expiresAt > now && current.owner !== owner) {
        return fail(heldError(key, current, now));
      }
      const token = (current?.token ?? 0) + 1;
      table.set(key, { owner, token, expiresAt: now + ttlMs });
      return ok(grant(key, token));
    },
    async renew(held, ctx) {
      const early = contextError(ctx, clock, COMPONENT);
      if (early) return fail(early);
      const fault = decideFault(options.fault, { port: 'lease', method: 'renew', subject: held.key });
      if (fault) return fail(fault.error);
      const current = table.get(held.key);
      if (current?.token !== held.token || current.owner !== owner) return fail(lostError(held, current));
      table.set(held.key, { ...current, expiresAt: clock.now() + ttlMs });
      return ok(grant(held.key, held.token));
    },
    async release(held, ctx) {
      const early = contextError(ctx, clock, COMPONENT);
      if (early) return fail(early);
      const current = table.get(held.key);
      if (current?.token === held.token && current.owner === owner) {
        table.set(held.key, { ...current, expiresAt: clock.now() });
      }
      return ok(undefined);
    },
  };
}

function heldError(key: string, current: MemoryLeaseEntry, now: number): RollgateError {
  const retryInMs = current.expiresAt - now;
  return new RollgateError(
    'LEASE_HELD',
    `The watch lease of "${key}" is held by ${current.owner} for another ${Math.ceil(retryInMs / 1000)} s; another controller is watching. Wait for it, or run with --wait.`,
    { component: COMPONENT, retryable: true, details: { key, holder: current.owner, retryInMs } },
  );
}

function lostError(held: LeaseGrant, current: MemoryLeaseEntry | undefined): RollgateError {
  return new RollgateError(
    'LEASE_LOST',
    `The watch lease of "${held.key}" (token ${held.token}) was taken over${current ? ` by ${current.owner} (token ${current.token})` : ''}; this controller stops without acting.`,
    { component: COMPONENT, details: { key: held.key, token: held.token, current: current?.token ?? null } },
  );
}
