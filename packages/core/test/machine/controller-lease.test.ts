import { describe, expect, it } from 'vitest';
import { RollgateError } from '../../src/errors/rollgate-error';
import type { Controller } from '../../src/machine/controller';
import type { LeaseEvent } from '../../src/machine/lease-keeper';
import type { Command } from '../../src/machine/machine-state';
import type { PortContext } from '../../src/ports/abort';
import type { LeaseFence } from '../../src/ports/watch-lease';
import { watchLeaseKey } from '../../src/ports/watch-lease';
import { createMemoryWatchLease } from '../../src/testing/memory-watch-lease';
import { runOnClock } from '../../src/testing/simulated-clock';
import { DEPLOY_AT, errorsFrom, world } from './world';

const KEY = watchLeaseKey('checkout');
const deploy = { artifactId: 'v2', deployedAt: DEPLOY_AT };

/** Records what a controller did: its commands, lease events and the fences of its saves. */
function observe(controller: Controller) {
  const commands: Command['type'][] = [];
  const lease: LeaseEvent[] = [];
  controller.events.on('command', (c) => commands.push(c.type));
  controller.events.on('lease', (e) => lease.push(e));
  return { commands, lease };
}

describe('controller with a watch lease', () => {
  it('acquires before the first step, fences every save with its token, and releases at the end', async () => {
    const w = world({ after: errorsFrom(2), leases: true });
    const leases = w.leases;
    const fences: (LeaseFence | undefined)[] = [];
    const save = w.state.save.bind(w.state);
    w.state.save = (key: string, snapshot: unknown, ctx: PortContext) => {
      fences.push(ctx.fence);
      return save(key, snapshot, ctx);
    };
    const lease = createMemoryWatchLease({ table: leases, owner: 'controller-a', ttlMs: 15_000 });
    const controller = w.restart({ lease });
    const seen = observe(controller);
    const result = await w.watch(controller);

    expect(result.outcome).toBe('rolled-back');
    expect(w.executor.switches).toHaveLength(1);
    expect(seen.lease[0]).toMatchObject({ type: 'acquired', key: KEY, token: 1 });
    expect(seen.lease.at(-1)).toMatchObject({ type: 'released', key: KEY, token: 1 });
    expect(fences.length).toBeGreaterThan(5);
    expect(fences.every((f) => f?.key === KEY && f.token === 1)).toBe(true);
    // Released: the next controller need not wait for it to expire.
    expect(leases.get(KEY)?.expiresAt).toBeLessThanOrEqual(w.clock.now());
  });

  it('refuses a second controller while the first holds the lease, naming the holder, doing nothing', async () => {
    const w = world({ leases: true });
    const leases = w.leases;
    leases.set(KEY, { owner: 'host-a/4242/ab12', token: 7, expiresAt: w.clock.now() + 10_000 });
    const second = w.restart({ lease: createMemoryWatchLease({ table: leases, owner: 'host-b/99/cd34' }) });
    const seen = observe(second);
    const error = await w.watch(second).then(
      () => null,
      (e: unknown) => e,
    );
    expect(RollgateError.is(error) && error.code).toBe('LEASE_HELD');
    expect((error as RollgateError).message).toContain('host-a/4242/ab12');
    expect((error as RollgateError).retryable).toBe(true);
    expect(seen.commands).toEqual([]);
    expect(w.state.saveCount).toBe(0);
    expect(leases.get(KEY)?.token).toBe(7);
  });

  it('with waitForLease, waits for a crashed holder to expire, then runs with a greater token', async () => {
    const w = world({ after: errorsFrom(2), leases: true });
    const leases = w.leases;
    const crashedUntil = w.clock.now() + 20_000;
    leases.set(KEY, { owner: 'crashed-controller', token: 3, expiresAt: crashedUntil });
    const next = w.restart({ lease: createMemoryWatchLease({ table: leases, owner: 'next' }) });
    const seen = observe(next);
    const result = await runOnClock(w.clock, next.watch(deploy, { waitForLease: true }));
    expect(result.outcome).toBe('rolled-back');
    expect(seen.lease[0]).toMatchObject({ type: 'waiting', holder: 'crashed-controller' });
    const acquired = seen.lease.find((e) => e.type === 'acquired');
    expect(acquired).toMatchObject({ token: 4 });
    expect(acquired?.at).toBeGreaterThanOrEqual(crashedUntil);
  });

  it('a waiting controller resumes the finished watch without a second cutover', async () => {
    const w = world({ after: errorsFrom(2), leases: true });
    const leases = w.leases;
    const a = w.restart({ lease: createMemoryWatchLease({ table: leases, owner: 'a' }) });
    const b = w.restart({ lease: createMemoryWatchLease({ table: leases, owner: 'b' }) });
    const seenB = observe(b);
    const [ra, rb] = await runOnClock(
      w.clock,
      Promise.all([a.watch(deploy), b.watch(deploy, { waitForLease: true })]),
    );
    expect(ra.outcome).toBe('rolled-back');
    expect(rb.outcome).toBe('rolled-back');
    // The waiting controller returns the stored (JSON) snapshot of the finished watch.
    expect(rb.snapshot).toEqual(JSON.parse(JSON.stringify(ra.snapshot)));
    expect(w.executor.switches).toHaveLength(1);
    expect(seenB.commands).toEqual([]);
    expect(w.audit.records).toHaveLength(1);
  });

  it('stops before the next command once another controller took the lease over', async () => {
    const w = world({ after: errorsFrom(2), leases: true });
    const leases = w.leases;
    const a = w.restart({ lease: createMemoryWatchLease({ table: leases, owner: 'a' }) });
    const seen = observe(a);
    let commandsAtTakeover = -1;
    a.events.on('command', (c) => {
      if (c.type === 'retrieve-target' && commandsAtTakeover < 0) {
        // Another controller is granted the lease while this one reads the artifact store.
        leases.set(KEY, { owner: 'b', token: 2, expiresAt: w.clock.now() + 60_000 });
        commandsAtTakeover = seen.commands.length;
      }
    });
    const error = await w.watch(a).then(
      () => null,
      (e: unknown) => e,
    );
    expect(RollgateError.is(error) && error.code).toBe('LEASE_LOST');
    expect(seen.commands.length).toBe(commandsAtTakeover);
    expect(w.executor.switches).toEqual([]);
    expect(seen.lease.some((e) => e.type === 'lost')).toBe(true);
    expect(seen.lease.some((e) => e.type === 'released')).toBe(false);
    expect(leases.get(KEY)).toMatchObject({ owner: 'b', token: 2 });
  });

  it("refuses a partitioned owner's stale write after a new owner took over; one cutover in all", async () => {
    const w = world({ after: errorsFrom(2), leases: true });
    const leases = w.leases;
    let partitioned = false;
    const ttlMs = 15_000;
    const a = w.restart({
      lease: createMemoryWatchLease({
        table: leases,
        owner: 'a',
        ttlMs,
        fault: () =>
          partitioned ? new RollgateError('STORE_FAILED', 'partitioned', { retryable: true }) : undefined,
      }),
    });
    const b = w.restart({ lease: createMemoryWatchLease({ table: leases, owner: 'b', ttlMs }) });
    const seenA = observe(a);
    const seenB = observe(b);
    let aCommandsAfterB = 0;
    let bHolds = false;
    b.events.on('lease', (e) => {
      if (e.type === 'acquired') bHolds = true;
    });
    a.events.on('command', () => {
      if (bHolds) aCommandsAfterB++;
    });
    // A loses its link to the lease during the bake, while it waits for the next evaluation.
    a.events.on('evaluation', () => {
      if (!partitioned && w.clock.now() > DEPLOY_AT + 5_000) partitioned = true;
    });
    const [ra, rb] = await runOnClock(
      w.clock,
      Promise.allSettled([a.watch(deploy), b.watch(deploy, { waitForLease: true })]),
    );
    expect(ra.status).toBe('rejected');
    const aError = ra.status === 'rejected' ? (ra.reason as RollgateError) : null;
    expect(['LEASE_LOST', 'STORE_FAILED']).toContain(aError?.code);
    expect(rb.status === 'fulfilled' && rb.value.outcome).toBe('rolled-back');
    expect(aCommandsAfterB).toBe(0);
    expect(w.executor.switches).toHaveLength(1);
    expect(seenB.lease.find((e) => e.type === 'acquired')).toMatchObject({ token: 2 });
    expect(seenA.lease.some((e) => e.type === 'renew-failed')).toBe(true);
    expect(w.audit.records).toHaveLength(1);
  });

  it('rides out a lease store outage: retries the renewal, reports it, and finishes', async () => {
    const w = world({ after: errorsFrom(2), leases: true });
    const leases = w.leases;
    let failures = 0;
    const a = w.restart({
      lease: createMemoryWatchLease({
        table: leases,
        owner: 'a',
        fault: (call) => {
          if (call.method === 'renew' && failures < 4) {
            failures++;
            return new RollgateError('STORE_FAILED', 'connection refused', { retryable: true });
          }
          return undefined;
        },
      }),
    });
    const seen = observe(a);
    const result = await w.watch(a);
    expect(result.outcome).toBe('rolled-back');
    expect(seen.lease.filter((e) => e.type === 'renew-failed')).toHaveLength(4);
    expect(w.executor.switches).toHaveLength(1);
  });

  it('gives up without acting when the lease store stays down past leaseOutageMs', async () => {
    const w = world({ after: errorsFrom(2), leases: true });
    const leases = w.leases;
    let down = false;
    const a = w.restart({
      leaseOutageMs: 30_000,
      lease: createMemoryWatchLease({
        table: leases,
        owner: 'a',
        fault: (call) =>
          down && call.method === 'renew'
            ? new RollgateError('STORE_FAILED', 'connection refused', { retryable: true })
            : undefined,
      }),
    });
    const seen = observe(a);
    a.events.on('command', (c) => {
      if (c.type === 'retrieve-target') down = true;
    });
    const error = await w.watch(a).then(
      () => null,
      (e: unknown) => e,
    );
    expect(RollgateError.is(error) && error.code).toBe('STORE_FAILED');
    expect((error as RollgateError).message).toMatch(
      /Could not renew the watch lease.*stopped without acting/,
    );
    expect(seen.commands.at(-1)).toBe('retrieve-target');
    expect(w.executor.switches).toEqual([]);
  });
});
