import type { PortContext } from '@rollgate/core';
import { SimulatedClock } from '@rollgate/core/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KubeClient } from '../../src/connection/kube-client';
import { createKubeConnection, type KubeConnection } from '../../src/connection/kube-connection';
import { LeaseElection } from '../../src/election/leader-elector';
import { isMicroTime } from '../../src/election/micro-time';
import type { JsonObject } from '../../src/resources/json-value';
import { KubeApiDouble } from '../support/kube-api-double';

// One attempt at a time on a SimulatedClock: expiry is local time only, so the tests move it
// by hand while the requests go to the real API double.
describe('LeaseElection (client-go tryAcquireOrRenew)', () => {
  let double: KubeApiDouble;
  let clock: SimulatedClock;
  const connections: KubeConnection[] = [];
  const ctx = (): PortContext => ({ signal: new AbortController().signal, deadline: clock.now() + 5000 });

  function election(identity: string, leaseDurationSeconds = 15): LeaseElection {
    const connection = createKubeConnection({ server: double.url, token: `token-${identity}` });
    connections.push(connection);
    const client = new KubeClient({ connection, role: 'elector', component: 'test', clock });
    return new LeaseElection({
      client,
      clock,
      namespace: 'prod',
      name: 'rollgate',
      identity,
      leaseDurationSeconds,
    });
  }

  const lease = (): JsonObject => double.get('leases', 'prod', 'rollgate') ?? {};
  const spec = (): JsonObject => (lease().spec ?? {}) as JsonObject;
  const ghost = (renewTime: string, transitions = 4): void => {
    double.put('leases', {
      metadata: { name: 'rollgate', namespace: 'prod' },
      spec: {
        holderIdentity: 'ghost',
        leaseDurationSeconds: 15,
        acquireTime: renewTime,
        renewTime,
        leaseTransitions: transitions,
      },
    });
  };

  beforeEach(async () => {
    double = await KubeApiDouble.start({ tokens: ['token-a', 'token-b'] });
    clock = new SimulatedClock(Date.parse('2025-06-01T12:00:00Z'));
  });
  afterEach(async () => {
    await Promise.all(connections.splice(0).map((c) => c.close()));
    await double.close();
  });

  it('creates the Lease when absent, with six-digit MicroTimes and no transitions', async () => {
    const a = election('a');
    expect((await a.tryAcquireOrRenew(ctx())).ok).toBe(true);
    expect(spec()).toEqual({
      holderIdentity: 'a',
      leaseDurationSeconds: 15,
      acquireTime: '2025-06-01T12:00:00.000000Z',
      renewTime: '2025-06-01T12:00:00.000000Z',
      leaseTransitions: 0,
    });
    expect(double.requestsMatching({ method: 'POST', kind: 'leases' })).toHaveLength(1);
  });

  it('lets exactly one of two replicas create the absent Lease; the other gets 409 AlreadyExists', async () => {
    const a = election('a');
    const b = election('b');
    // Both see 404 before either creates.
    double.inject({ method: 'GET', kind: 'leases' }, { kind: 'barrier', parties: 2 }, 2);
    const [ra, rb] = await Promise.all([a.tryAcquireOrRenew(ctx()), b.tryAcquireOrRenew(ctx())]);
    expect([ra.ok, rb.ok].filter(Boolean)).toHaveLength(1);
    expect(
      double
        .requestsMatching({ method: 'POST', kind: 'leases' })
        .map((r) => r.status)
        .sort(),
    ).toEqual([201, 409]);
    expect(spec().holderIdentity).toBe(ra.ok ? 'a' : 'b');
  });

  it('treats another holder as expired only after leaseDuration without a change on the LOCAL clock', async () => {
    ghost('2000-01-01T00:00:00.000000Z');
    const b = election('b');
    expect((await b.tryAcquireOrRenew(ctx())).ok).toBe(false);
    clock.advance(14_999);
    expect((await b.tryAcquireOrRenew(ctx())).ok).toBe(false);
    clock.advance(2);
    expect((await b.tryAcquireOrRenew(ctx())).ok).toBe(true);
    expect(spec()).toMatchObject({ holderIdentity: 'b', leaseTransitions: 5 });
    expect(isMicroTime(String(spec().acquireTime))).toBe(true);
  });

  it('ignores a renewTime in the future: only observed change counts', async () => {
    ghost('2999-01-01T00:00:00.000000Z');
    const b = election('b');
    expect((await b.tryAcquireOrRenew(ctx())).ok).toBe(false);
    clock.advance(15_001);
    expect((await b.tryAcquireOrRenew(ctx())).ok).toBe(true);
  });

  it('never takes over a record that keeps changing', async () => {
    const b = election('b');
    for (let i = 0; i < 8; i++) {
      ghost(`2025-06-01T12:00:${String(i * 10).padStart(2, '0')}.000000Z`);
      expect((await b.tryAcquireOrRenew(ctx())).ok).toBe(false);
      clock.advance(10_000);
    }
    expect(spec().holderIdentity).toBe('ghost');
  });

  it('lets exactly one of two concurrent takeovers win; the loser gets 409 on its update', async () => {
    ghost('2025-06-01T11:00:00.000000Z', 0);
    const a = election('a');
    const b = election('b');
    expect((await a.tryAcquireOrRenew(ctx())).ok).toBe(false);
    expect((await b.tryAcquireOrRenew(ctx())).ok).toBe(false);
    clock.advance(15_001);
    // Both read the same resourceVersion before either writes.
    double.inject({ method: 'GET', kind: 'leases' }, { kind: 'barrier', parties: 2 }, 2);
    const [ra, rb] = await Promise.all([a.tryAcquireOrRenew(ctx()), b.tryAcquireOrRenew(ctx())]);
    expect([ra.ok, rb.ok].filter(Boolean)).toHaveLength(1);
    const puts = double.requestsMatching({ method: 'PUT', kind: 'leases' });
    expect(puts.map((p) => p.status).sort()).toEqual([200, 409]);
    const sentRvs = puts.map((p) => ((p.body as JsonObject).metadata as JsonObject).resourceVersion);
    expect(sentRvs[0]).toBe(sentRvs[1]);
    expect(spec()).toMatchObject({ holderIdentity: ra.ok ? 'a' : 'b', leaseTransitions: 1 });
  });

  it('renews on the fast path with the resourceVersion it wrote, keeping acquireTime and transitions', async () => {
    const a = election('a');
    await a.tryAcquireOrRenew(ctx());
    const writtenRv = (lease().metadata as JsonObject).resourceVersion;
    const getsBefore = double.requestsMatching({ method: 'GET', kind: 'leases' }).length;
    clock.advance(2_000);
    expect((await a.tryAcquireOrRenew(ctx())).ok).toBe(true);
    const put = double.requestsMatching({ method: 'PUT', kind: 'leases' }).at(-1);
    if (!put) throw new Error('no renewal was sent');
    expect(((put.body as JsonObject).metadata as JsonObject).resourceVersion).toBe(writtenRv);
    expect(double.requestsMatching({ method: 'GET', kind: 'leases' })).toHaveLength(getsBefore);
    expect(spec()).toMatchObject({
      acquireTime: '2025-06-01T12:00:00.000000Z',
      renewTime: '2025-06-01T12:00:02.000000Z',
      leaseTransitions: 0,
    });
  });

  it('releases by writing an empty holder, so a standby takes over at once', async () => {
    const a = election('a');
    const b = election('b');
    await a.tryAcquireOrRenew(ctx());
    expect((await b.tryAcquireOrRenew(ctx())).ok).toBe(false);
    expect(await a.release(ctx())).toBe(true);
    expect(spec()).toMatchObject({ holderIdentity: '', leaseDurationSeconds: 1 });
    expect((await b.tryAcquireOrRenew(ctx())).ok).toBe(true);
    expect(spec()).toMatchObject({ holderIdentity: 'b', leaseTransitions: 1 });
  });

  it('does not act on a failed read (RBAC) and reports it', async () => {
    double.deny.push({ verb: 'get', kind: 'leases' });
    const errors: string[] = [];
    const connection = createKubeConnection({ server: double.url, token: 'token-a' });
    connections.push(connection);
    const e = new LeaseElection({
      client: new KubeClient({ connection, role: 'elector', component: 'test', clock }),
      clock,
      namespace: 'prod',
      name: 'rollgate',
      identity: 'a',
      leaseDurationSeconds: 15,
      onError: (error) => errors.push(error.message),
    });
    expect((await e.tryAcquireOrRenew(ctx())).ok).toBe(false);
    expect(errors[0]).toContain('may not get leases.coordination.k8s.io in namespace prod');
  });
});
