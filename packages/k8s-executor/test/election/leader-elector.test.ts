import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLeaderElector, type LeaderElector } from '../../src/election/leader-elector';
import type { JsonObject } from '../../src/resources/json-value';
import { waitFor } from '../support/fixtures';
import { KubeApiDouble } from '../support/kube-api-double';

interface Timeline {
  readonly events: Array<{ who: string; what: 'start' | 'stop'; at: number }>;
  acting: Set<string>;
  overlaps: number;
}

// Short timings keep the run fast: lease 1 s, renew deadline 0.7 s, retry 0.2 s (real time).
// The tests assert orderings and lower bounds, which a busy machine cannot break; upper bounds
// are set in lease durations, and each test may take well over vitest's 5 s default under load.
describe('createLeaderElector (real time, two replicas)', { timeout: 30_000 }, () => {
  let double: KubeApiDouble;
  let electors: LeaderElector[];
  let timeline: Timeline;
  let monitor: ReturnType<typeof setInterval>;

  /** Short real-time durations by default; a test of stability gets headroom for a busy machine. */
  function elector(identity: string, timing = { lease: 1, renew: 0.7, retry: 0.2 }): LeaderElector {
    const e = createLeaderElector({
      namespace: 'prod',
      name: 'rollgate-controller',
      identity,
      server: double.url,
      token: `token-${identity}`,
      leaseDurationSeconds: timing.lease,
      renewDeadlineSeconds: timing.renew,
      retryPeriodSeconds: timing.retry,
      onStartedLeading: (signal) => {
        // The old leader must have stopped acting before anyone else starts.
        if (timeline.acting.size > 0) timeline.overlaps++;
        timeline.acting.add(identity);
        timeline.events.push({ who: identity, what: 'start', at: performance.now() });
        signal.addEventListener('abort', () => timeline.acting.delete(identity), { once: true });
      },
      onStoppedLeading: () => timeline.events.push({ who: identity, what: 'stop', at: performance.now() }),
    });
    electors.push(e);
    return e;
  }

  beforeEach(async () => {
    double = await KubeApiDouble.start({ tokens: ['token-a', 'token-b'] });
    electors = [];
    timeline = { events: [], acting: new Set(), overlaps: 0 };
    // Checked continuously, not only at the end.
    monitor = setInterval(() => {
      if (electors.filter((e) => e.isLeader()).length > 1) timeline.overlaps++;
    }, 2);
  });
  afterEach(async () => {
    clearInterval(monitor);
    for (const f of double.faults) f.times = 0;
    await Promise.all(electors.map((e) => e.stop()));
    await double.close();
  });

  const lease = (): JsonObject =>
    (double.get('leases', 'prod', 'rollgate-controller')?.spec ?? {}) as JsonObject;

  it('elects exactly one of two racing replicas, keeps it while it renews, and hands over on stop', async () => {
    // A renew deadline of 3 s: an event loop stalled by other work on a shared CI machine must not
    // read as a lost lease here (losing it under a real stall is tested below, on purpose).
    const stable = { lease: 4, renew: 3, retry: 0.25 };
    const a = elector('a', stable);
    const b = elector('b', stable);
    a.start();
    b.start();
    // Budgets, not expected times: on a CI machine at load 30 no leader was elected within 10 s.
    await waitFor(() => a.isLeader() || b.isLeader(), 30_000, 'a leader');
    const [leader, standby] = a.isLeader() ? [a, b] : [b, a];
    await new Promise((r) => setTimeout(r, 1500));
    expect(leader.isLeader()).toBe(true);
    expect(standby.isLeader()).toBe(false);
    expect(standby.leader()).toBe(leader.identity);
    expect(timeline.events.filter((e) => e.what === 'start')).toHaveLength(1);
    const renewals = double.requestsMatching({
      method: 'PUT',
      kind: 'leases',
      token: `token-${leader.identity}`,
    });
    // 1.5 s at a 0.25 s retry period is about six renewals; a stalled event loop may skip some.
    expect(renewals.length).toBeGreaterThanOrEqual(2);

    const stoppedAt = performance.now();
    await leader.stop();
    expect(leader.signal).toBeUndefined();
    await waitFor(() => standby.isLeader(), 30_000, 'the standby to take over');
    // Released (empty holder), so the standby did not have to wait a full lease duration.
    const release = double
      .requestsMatching({ method: 'PUT', kind: 'leases', token: `token-${leader.identity}` })
      .find((r) => ((r.body as JsonObject).spec as JsonObject).holderIdentity === '');
    expect(release?.status).toBe(200);
    expect(performance.now() - stoppedAt).toBeLessThan(stable.lease * 1000);
    expect(lease()).toMatchObject({ holderIdentity: standby.identity, leaseTransitions: 1 });
    expect(timeline.overlaps).toBe(0);
  }, 90_000);

  it('fails over when the holder stops renewing; the old leader stops acting before the new one starts', async () => {
    const a = elector('a');
    a.start();
    await waitFor(() => a.isLeader(), 10_000, 'a to lead');
    const b = elector('b');
    b.start();
    await new Promise((r) => setTimeout(r, 300));
    expect(b.isLeader()).toBe(false);

    // Partition a from the API server: its requests hang.
    const cutAt = performance.now();
    double.inject({ token: 'token-a' }, { kind: 'hang' }, Number.POSITIVE_INFINITY);
    await waitFor(() => b.isLeader(), 10_000, 'b to take over');

    const aStop = timeline.events.find((e) => e.who === 'a' && e.what === 'stop');
    const bStart = timeline.events.find((e) => e.who === 'b' && e.what === 'start');
    expect(aStop).toBeDefined();
    expect(bStart).toBeDefined();
    if (!aStop || !bStart) return;
    expect(aStop.at).toBeLessThan(bStart.at);
    // a gave up (within its renew deadline of the last renewal) before b started; b waited at
    // least a renew deadline after the cut, as the lease had not changed for a lease duration.
    expect(bStart.at - cutAt).toBeGreaterThan(700);
    expect(a.isLeader()).toBe(false);
    expect(timeline.overlaps).toBe(0);
    expect(lease()).toMatchObject({ holderIdentity: 'b', leaseTransitions: 1 });
  });

  it('validates timings like client-go', () => {
    const base = { namespace: 'prod', name: 'l', identity: 'a', server: 'http://127.0.0.1:1', token: 'x' };
    expect(() => createLeaderElector({ ...base, leaseDurationSeconds: 2, renewDeadlineSeconds: 2 })).toThrow(
      /leaseDurationSeconds must be greater than renewDeadlineSeconds/,
    );
    expect(() => createLeaderElector({ ...base, renewDeadlineSeconds: 2, retryPeriodSeconds: 2 })).toThrow(
      /1.2 x retryPeriodSeconds/,
    );
    expect(() => createLeaderElector({ ...base, leaseDurationSeconds: 1.5 })).toThrow(/must be an integer/);
    expect(() => createLeaderElector({ ...base, identity: '' })).toThrow(/identity/);
  });

  it('keeps campaigning when a callback throws', async () => {
    const errors: string[] = [];
    const e = createLeaderElector({
      namespace: 'prod',
      name: 'rollgate-controller',
      identity: 'a',
      server: double.url,
      token: 'token-a',
      leaseDurationSeconds: 1,
      renewDeadlineSeconds: 0.7,
      retryPeriodSeconds: 0.2,
      onStartedLeading: () => {
        throw new Error('boom');
      },
      onError: (error) => errors.push(error.message),
    });
    electors.push(e);
    e.start();
    await waitFor(() => e.isLeader(), 10_000, 'a to lead');
    await new Promise((r) => setTimeout(r, 500));
    expect(e.isLeader()).toBe(true);
    expect(errors.some((m) => m.includes('onStartedLeading callback threw'))).toBe(true);
  });
});
