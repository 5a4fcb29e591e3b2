import type { MetricRequest, MetricSource, PortContext, ReadResult } from '@rollgate/core';
import { SimulatedClock } from '@rollgate/core/testing';
import { describeMetricSourceContract } from '@rollgate/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPodHealthSource, podSelectorFor } from '../../src/health/pod-health-source';
import { KubeApiDouble } from '../support/kube-api-double';
import { podManifest } from '../support/pods';

const ctx = (now = Date.now()): PortContext => ({
  signal: new AbortController().signal,
  deadline: now + 5000,
});
const request = (
  query: MetricRequest['query'],
  now = Date.now(),
  extra: Partial<MetricRequest> = {},
): MetricRequest => ({
  query,
  start: now - 60_000,
  end: now,
  stepMs: 30_000,
  ...extra,
});
const sampleOf = (r: ReadResult): number | undefined =>
  r.status === 'ok' ? r.series[0]?.samples[0]?.v : undefined;

describeMetricSourceContract('kubernetes pod health (API double)', async () => {
  const double = await KubeApiDouble.start();
  double.put('pods', podManifest('web-aaa-1', { hash: 'aaa' }));
  double.put('pods', podManifest('web-aaa-2', { hash: 'aaa', ready: false }));
  const failingDouble = await KubeApiDouble.start();
  failingDouble.inject(
    {},
    { kind: 'status', status: 503, text: 'upstream connect error' },
    Number.POSITIVE_INFINITY,
  );
  const hangingDouble = await KubeApiDouble.start();
  hangingDouble.inject({}, { kind: 'hang' }, Number.POSITIVE_INFINITY);
  const make = (d: KubeApiDouble): MetricSource =>
    createPodHealthSource({ namespace: 'prod', server: d.url, token: d.token });
  const source = make(double);
  const failing = make(failingDouble);
  const hanging = make(hangingDouble);
  return {
    source,
    failing,
    hanging,
    query: { measure: 'ready', selector: { 'pod-template-hash': 'aaa' } },
    emptyQuery: { measure: 'ready', selector: { 'pod-template-hash': 'nothing-here' } },
    range: () => ({ start: Date.now() - 60_000, end: Date.now(), stepMs: 15_000 }),
    now: () => Date.now(),
    async teardown() {
      await Promise.all([source.dispose(), failing.dispose(), hanging.dispose()]);
      await Promise.all([double.close(), failingDouble.close(), hangingDouble.close()]);
    },
  };
});

describe('pod health source', () => {
  let double: KubeApiDouble;
  let source: MetricSource;
  const clock = new SimulatedClock(Date.now());

  beforeEach(async () => {
    double = await KubeApiDouble.start();
    source = createPodHealthSource({ namespace: 'prod', server: double.url, token: double.token, clock });
  });
  afterEach(async () => {
    await source.dispose();
    await double.close();
  });

  it('reads the Ready fraction of one ReplicaSet, stamped at the clock now, ignoring terminating pods', async () => {
    double.put('pods', podManifest('web-new-1', { hash: 'new' }));
    double.put('pods', podManifest('web-new-2', { hash: 'new' }));
    double.put('pods', podManifest('web-new-3', { hash: 'new', ready: false }));
    double.put('pods', podManifest('web-new-4', { hash: 'new', ready: false, terminating: true }));
    double.put('pods', podManifest('web-old-1', { hash: 'old', ready: false }));
    const result = await source.read(
      request({ measure: 'ready', selector: podSelectorFor({ id: 'web@new', digest: 'new' }) }, clock.now()),
      ctx(clock.now()),
    );
    expect(result.status).toBe('ok');
    if (result.status !== 'ok') return;
    expect(result.series).toEqual([{ labels: {}, samples: [{ t: clock.now(), v: 2 / 3 }] }]);
    const sent = double.requestsMatching({ verb: 'list', kind: 'pods' })[0];
    expect(sent?.query.labelSelector).toBe('pod-template-hash=new');
  });

  it('counts restarts per step and reports OOMKilled and CrashLoopBackOff', async () => {
    double.put(
      'pods',
      podManifest('web-new-1', {
        hash: 'new',
        restarts: 2,
        startedAgoMs: 5_000,
        lastTerminated: 'OOMKilled',
        exitCode: 137,
      }),
    );
    double.put(
      'pods',
      podManifest('web-new-2', {
        hash: 'new',
        ready: false,
        restarts: 1,
        startedAgoMs: 5_000,
        waiting: 'CrashLoopBackOff',
        lastTerminated: 'Error',
      }),
    );
    const query = { measure: 'restarts', selector: { 'pod-template-hash': 'new' } } as const;
    const first = await source.read(request(query, clock.now()), ctx(clock.now()));
    expect(sampleOf(first)).toBe(3);
    expect(first.status === 'ok' && first.warnings).toEqual([
      'OOMKilled: pod web-new-1 container app (last terminated with exit code 137, 2 restarts)',
      'CrashLoopBackOff: pod web-new-2 container app (waiting, 1 restarts)',
      'Error: pod web-new-2 container app (last terminated with exit code 1, 1 restarts)',
    ]);
    clock.advance(30_000);
    double.put(
      'pods',
      podManifest('web-new-1', { hash: 'new', restarts: 4, lastTerminated: 'OOMKilled', exitCode: 137 }),
    );
    const second = await source.read(request(query, clock.now()), ctx(clock.now()));
    expect(sampleOf(second)).toBe(2);
    clock.advance(30_000);
    const third = await source.read(request(query, clock.now()), ctx(clock.now()));
    expect(sampleOf(third)).toBe(0);
  });

  it('baselines restarts of pods that started before the source first saw them', async () => {
    double.put('pods', podManifest('web-new-1', { hash: 'new', restarts: 7, startedAgoMs: 3_600_000 }));
    const result = await source.read(
      request({ measure: 'restarts', selector: { 'pod-template-hash': 'new' } }, clock.now()),
      ctx(clock.now()),
    );
    expect(sampleOf(result)).toBe(0);
    expect(
      result.status === 'ok' && result.warnings?.some((w) => w.startsWith('baseline: 1 container')),
    ).toBe(true);
  });

  it('splits by a pod label when segmentBy is set', async () => {
    double.put('pods', podManifest('web-new-1', { hash: 'new', labels: { zone: 'a' } }));
    double.put('pods', podManifest('web-new-2', { hash: 'new', ready: false, labels: { zone: 'b' } }));
    const result = await source.read(
      request({ measure: 'ready', selector: { 'pod-template-hash': 'new' } }, clock.now(), {
        segmentBy: 'zone',
      }),
      ctx(clock.now()),
    );
    expect(result.status === 'ok' && result.series.map((s) => [s.labels, s.samples[0]?.v])).toEqual([
      [{ zone: 'a' }, 1],
      [{ zone: 'b' }, 0],
    ]);
  });

  it('answers no-data for an empty selector, no pods, or a past range', async () => {
    const empty = await source.read(
      request({ measure: 'ready', selector: {} }, clock.now()),
      ctx(clock.now()),
    );
    expect(empty.status).toBe('no-data');
    const none = await source.read(
      request({ measure: 'ready', selector: { 'pod-template-hash': 'gone' } }, clock.now()),
      ctx(clock.now()),
    );
    expect(none.status === 'no-data' && none.reason).toContain(
      'No live pods match labelSelector pod-template-hash=gone',
    );
    const past = await source.read(
      request({ measure: 'ready', selector: { 'pod-template-hash': 'x' } }, clock.now() - 3_600_000),
      ctx(clock.now()),
    );
    expect(past.status === 'no-data' && past.reason).toContain('no history');
    expect(double.requestsMatching({ kind: 'pods' })).toHaveLength(1);
  });

  it('refuses other measures and selector syntax that could widen the query with SOURCE_BAD_QUERY', async () => {
    const latency = await source.read(
      request({ measure: 'latency-quantile', selector: { app: 'web' }, quantile: 0.99 }, clock.now()),
      ctx(clock.now()),
    );
    expect(latency.status === 'error' && latency.error.code).toBe('SOURCE_BAD_QUERY');
    const injected = await source.read(
      request({ measure: 'ready', selector: { app: 'web,tier!=x' } }, clock.now()),
      ctx(clock.now()),
    );
    expect(injected.status === 'error' && injected.error.code).toBe('SOURCE_BAD_QUERY');
    expect(double.requestsMatching({ kind: 'pods' })).toHaveLength(0);
  });

  it('describes the API call it makes', () => {
    expect(
      source.describe(request({ measure: 'ready', selector: { 'pod-template-hash': 'new', app: 'web' } })),
    ).toBe(
      'GET /api/v1/namespaces/prod/pods?labelSelector=app=web,pod-template-hash=new (ready: fraction of pods with condition Ready=True; current value only)',
    );
  });

  it('maps 403 to SOURCE_AUTH naming the list pods permission', async () => {
    double.deny.push({ verb: 'list', kind: 'pods' });
    const result = await source.read(
      request({ measure: 'ready', selector: { 'pod-template-hash': 'new' } }, clock.now()),
      ctx(clock.now()),
    );
    expect(result.status === 'error' && result.error.code).toBe('SOURCE_AUTH');
    expect(result.status === 'error' && result.error.message).toContain(
      'RBAC: the service account (or user) may not list pods in namespace prod',
    );
  });

  it('maps 429 to SOURCE_RATE_LIMITED with Retry-After, and 5xx to retryable SOURCE_UNAVAILABLE', async () => {
    double.inject(
      { kind: 'pods' },
      {
        kind: 'status',
        status: 429,
        text: 'Too many requests, please try again later.',
        headers: { 'Retry-After': '4' },
      },
    );
    const limited = await source.read(
      request({ measure: 'ready', selector: { 'pod-template-hash': 'new' } }, clock.now()),
      ctx(clock.now()),
    );
    expect(limited.status === 'error' && limited.error.code).toBe('SOURCE_RATE_LIMITED');
    expect(limited.status === 'error' && limited.error.retryAfterMs).toBe(4000);
    double.inject(
      { kind: 'pods' },
      {
        kind: 'status',
        status: 504,
        json: { kind: 'Status', code: 504, reason: 'Timeout', message: 'timeout' },
      },
    );
    const down = await source.read(
      request({ measure: 'ready', selector: { 'pod-template-hash': 'new' } }, clock.now()),
      ctx(clock.now()),
    );
    expect(down.status === 'error' && down.error.code).toBe('SOURCE_UNAVAILABLE');
    expect(down.status === 'error' && down.error.retryable).toBe(true);
  });

  it('requires an explicit connection: a metric source reads no environment', () => {
    expect(() => createPodHealthSource({ namespace: 'prod' })).toThrow(/No cluster connection/);
  });
});
