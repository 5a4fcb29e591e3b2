import type { LeaseGrant, PortContext, StateStore, WatchLease } from '@rollgate/core';
import { SimulatedClock } from '@rollgate/core/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { abortedContext, errorOf, liveContext, okValue } from './store-fixtures';

/** What the lease suite needs from an implementation. */
export interface WatchLeaseContractHarness {
  /** A new contender (its own holder identity) on the shared lease storage. */
  lease(): WatchLease;
  /** A state store that checks `ctx.fence` against the same leases. */
  readonly state: StateStore;
  /** Lets every live grant expire: advances the clock given to `setup`, or waits out the ttl. */
  expire(): Promise<void>;
  teardown(): Promise<void>;
}

/**
 * The suite every `WatchLease` runs (the file lease, the in-memory fake, the PostgreSQL lease),
 * with the state store it fences: one holder at a time, tokens that only grow, `LEASE_HELD`
 * naming the holder, `LEASE_LOST` on renewing a grant that was taken over, release and expiry,
 * a race of contenders with exactly one winner, and fenced saves of a stale token refused.
 */
export function describeWatchLeaseContract(
  name: string,
  setup: (clock: SimulatedClock) => Promise<WatchLeaseContractHarness>,
): void {
  describe(`WatchLease contract: ${name}`, () => {
    let h: WatchLeaseContractHarness;
    let clock: SimulatedClock;
    const ctx = (): PortContext => liveContext(clock.now());
    const fenced = (grant: LeaseGrant): PortContext => ({
      ...ctx(),
      fence: { key: grant.key, token: grant.token },
    });
    beforeEach(async () => {
      clock = new SimulatedClock(1_700_000_000_000);
      h = await setup(clock);
    });
    afterEach(async () => h.teardown());

    it('grants a free key, refuses a second holder with LEASE_HELD naming the first', async () => {
      const a = h.lease();
      const b = h.lease();
      expect(a.owner).not.toBe(b.owner);
      const grant = okValue(await a.acquire('checkout', ctx()));
      expect(grant).toMatchObject({ key: 'checkout', owner: a.owner, ttlMs: a.ttlMs });
      expect(Number.isSafeInteger(grant.token) && grant.token > 0).toBe(true);
      const held = errorOf(await b.acquire('checkout', ctx()));
      expect(held.code).toBe('LEASE_HELD');
      expect(held.retryable).toBe(true);
      expect(held.message).toContain(a.owner);
      expect(held.details.holder).toBe(a.owner);
      expect(Number(held.details.retryInMs)).toBeGreaterThan(0);
      expect(Number(held.details.retryInMs)).toBeLessThanOrEqual(a.ttlMs);
    });

    it('keeps keys apart', async () => {
      const a = h.lease();
      const b = h.lease();
      okValue(await a.acquire('checkout', ctx()));
      okValue(await b.acquire('search', ctx()));
      okValue(await b.acquire('checkout--dry-run', ctx()));
    });

    it('renews with the same token; a released key is granted at once with a greater token', async () => {
      const a = h.lease();
      const b = h.lease();
      const first = okValue(await a.acquire('checkout', ctx()));
      const renewed = okValue(await a.renew(first, ctx()));
      expect(renewed.token).toBe(first.token);
      okValue(await a.release(renewed, ctx()));
      const second = okValue(await b.acquire('checkout', ctx()));
      expect(second.token).toBeGreaterThan(first.token);
      expect(errorOf(await a.renew(first, ctx())).code).toBe('LEASE_LOST');
    });

    it('grants an expired key to another holder; the old holder learns LEASE_LOST and cannot release it', async () => {
      const a = h.lease();
      const b = h.lease();
      const c = h.lease();
      const old = okValue(await a.acquire('checkout', ctx()));
      await h.expire();
      const taken = okValue(await b.acquire('checkout', ctx()));
      expect(taken.token).toBeGreaterThan(old.token);
      const lost = errorOf(await a.renew(old, ctx()));
      expect(lost.code).toBe('LEASE_LOST');
      expect(lost.retryable).toBe(false);
      okValue(await a.release(old, ctx()));
      expect(errorOf(await c.acquire('checkout', ctx())).code).toBe('LEASE_HELD');
    });

    it('renews a grant that expired while nobody took it, keeping its token', async () => {
      const a = h.lease();
      const grant = okValue(await a.acquire('checkout', ctx()));
      await h.expire();
      expect(okValue(await a.renew(grant, ctx())).token).toBe(grant.token);
      expect(errorOf(await h.lease().acquire('checkout', ctx())).code).toBe('LEASE_HELD');
    });

    it('only ever grows the token, over every hand-over', async () => {
      const tokens: number[] = [];
      for (let i = 0; i < 5; i++) {
        const holder = h.lease();
        const grant = okValue(await holder.acquire('checkout', ctx()));
        tokens.push(grant.token);
        if (i % 2 === 0) okValue(await holder.release(grant, ctx()));
        else await h.expire();
      }
      expect(tokens).toEqual([...tokens].sort((x, y) => x - y));
      expect(new Set(tokens).size).toBe(tokens.length);
    });

    it('lets exactly one of several racing contenders win', async () => {
      const contenders = Array.from({ length: 6 }, () => h.lease());
      const results = await Promise.all(contenders.map((l) => l.acquire('race', ctx())));
      const winners = results.filter((r) => r.ok);
      expect(winners).toHaveLength(1);
      for (const r of results) if (!r.ok) expect(r.error.code).toBe('LEASE_HELD');
    });

    it('refuses a fenced save of a stale token with LEASE_LOST and keeps the newer snapshot', async () => {
      const a = h.lease();
      const b = h.lease();
      const old = okValue(await a.acquire('checkout', ctx()));
      okValue(await h.state.save('watch/w1', { by: 'a', step: 1 }, fenced(old)));
      await h.expire();
      const current = okValue(await b.acquire('checkout', ctx()));
      okValue(await h.state.save('watch/w1', { by: 'b', step: 2 }, fenced(current)));
      const refused = errorOf(await h.state.save('watch/w1', { by: 'a', step: 3 }, fenced(old)));
      expect(refused.code).toBe('LEASE_LOST');
      expect(okValue(await h.state.load('watch/w1', ctx()))).toEqual({ by: 'b', step: 2 });
      // Unfenced saves (a controller without a lease) are not affected.
      okValue(await h.state.save('watch/w2', { by: 'no lease' }, ctx()));
    });

    it('honours an aborted signal and refuses an empty key', async () => {
      const a = h.lease();
      expect(errorOf(await a.acquire('checkout', abortedContext(clock.now()))).code).toBe('ABORTED');
      expect(errorOf(await a.acquire('', ctx())).code).toBe('CONFIG_INVALID');
      okValue(await h.lease().acquire('checkout', ctx()));
    });
  });
}
