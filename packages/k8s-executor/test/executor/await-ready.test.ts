import type { ArtifactRef, PortContext } from '@rollgate/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createKubernetesExecutor, type KubernetesExecutor } from '../../src/executor/kubernetes-executor';
import { deploymentManifest, seedRollouts } from '../support/fixtures';
import { KubeApiDouble } from '../support/kube-api-double';

// A generous default budget: a loaded CI machine once needed more than 10 s for the undo's
// API calls. The tests of the deadline itself pass their own.
const ctx = (ms = 30_000, signal = new AbortController().signal): PortContext => ({
  signal,
  deadline: Date.now() + ms,
});
const IMAGES = ['registry.example/web:1.0.0', 'registry.example/web:1.1.0'];

describe('Kubernetes executor: readiness gate (kubectl rollout status)', () => {
  let double: KubeApiDouble;
  let executor: KubernetesExecutor;

  async function rollBack(): Promise<ArtifactRef> {
    const receipt = await executor.undo({}, `op-${Math.random()}`, ctx());
    if (!receipt.ok) throw receipt.error;
    return receipt.value.to;
  }

  // The controller is held while the gate starts, so the gate certainly waits on a watch.
  function resumeControllerSoon(): void {
    setTimeout(() => {
      double.controller.mode = 'normal';
      double.controller.schedule('prod', 'web');
    }, 50);
  }

  beforeEach(async () => {
    double = await KubeApiDouble.start();
    executor = createKubernetesExecutor({
      namespace: 'prod',
      deployment: 'web',
      server: double.url,
      token: double.token,
      retryDelayMs: 20,
    });
  });
  afterEach(async () => {
    await executor.dispose();
    await double.close();
  });

  it('passes once the rollout completes, following a watch stream', async () => {
    seedRollouts(double, IMAGES);
    double.controller.mode = 'stopped';
    const target = await rollBack();
    resumeControllerSoon();
    const gate = await executor.awaitReady(target, ctx());
    expect(gate.ok).toBe(true);
    if (gate.ok) expect(gate.value.detail).toMatch(/successfully rolled out: 2\/2 updated, 2 available/);
    expect(double.requestsMatching({ verb: 'watch', kind: 'deployments' }).length).toBeGreaterThan(0);
    const status = double.get('deployments', 'prod', 'web')?.status as Record<string, unknown>;
    expect(status).toMatchObject({ updatedReplicas: 2, replicas: 2, availableReplicas: 2 });
  });

  it('fails the gate with GATE_FAILED when the controller reports ProgressDeadlineExceeded', async () => {
    seedRollouts(double, IMAGES, { progressDeadlineSeconds: 1 });
    double.controller.mode = 'never-available';
    const target = await rollBack();
    const started = Date.now();
    const gate = await executor.awaitReady(target, ctx());
    expect(gate.ok).toBe(false);
    if (gate.ok) return;
    expect(gate.error.code).toBe('GATE_FAILED');
    expect(gate.error.message).toContain('exceeded its progress deadline');
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('waits while the generation is not observed and times out at ctx.deadline', async () => {
    seedRollouts(double, IMAGES);
    double.controller.mode = 'stopped';
    const target = await rollBack();
    const gate = await executor.awaitReady(target, ctx(400));
    expect(gate.ok).toBe(false);
    if (gate.ok) return;
    expect(gate.error.code).toBe('TIMEOUT');
    expect(gate.error.retryable).toBe(true);
    expect(gate.error.message).toContain('spec update to be observed');
  });

  it('bounds the wait by progressDeadlineSeconds when the controller never reports', async () => {
    seedRollouts(double, IMAGES, { progressDeadlineSeconds: 1 });
    double.controller.mode = 'stopped';
    const quick = createKubernetesExecutor({
      namespace: 'prod',
      deployment: 'web',
      server: double.url,
      token: double.token,
      progressDeadlineGraceMs: 100,
    });
    try {
      const target = await rollBack();
      const gate = await quick.awaitReady(target, ctx(10_000));
      expect(!gate.ok && gate.error.code).toBe('GATE_FAILED');
      expect(!gate.ok && gate.error.message).toContain('made no progress for 1 s');
    } finally {
      await quick.dispose();
    }
  });

  it('re-lists after a watch answers 410 Expired and still passes', async () => {
    seedRollouts(double, IMAGES);
    double.controller.mode = 'stopped';
    const target = await rollBack();
    double.inject({ verb: 'watch', kind: 'deployments' }, { kind: 'expire-watch' }, 1);
    const pending = executor.awaitReady(target, ctx());
    setTimeout(() => {
      double.controller.mode = 'normal';
      double.controller.schedule('prod', 'web');
    }, 50);
    const gate = await pending;
    expect(gate.ok).toBe(true);
    const watches = double.requestsMatching({ verb: 'watch', kind: 'deployments' });
    expect(watches.length).toBeGreaterThanOrEqual(2);
    expect(double.watchExpirations).toBe(1);
    const lists = double.requestsMatching({ verb: 'list', kind: 'deployments' });
    expect(lists.some((g) => g.at >= (watches[0]?.at ?? 0))).toBe(true);
    // Every watch resumes from the resourceVersion of the latest list or event.
    expect(
      watches.every((w) => w.query.resourceVersion !== undefined && w.query.resourceVersion !== ''),
    ).toBe(true);
  });

  it('re-lists when the watch request itself answers HTTP 410 Gone', async () => {
    seedRollouts(double, IMAGES);
    double.controller.mode = 'stopped';
    const target = await rollBack();
    resumeControllerSoon();
    double.inject(
      { verb: 'watch', kind: 'deployments' },
      {
        kind: 'status',
        status: 410,
        json: {
          kind: 'Status',
          status: 'Failure',
          code: 410,
          reason: 'Gone',
          message: 'too old resource version: 1 (2)',
        },
      },
      1,
    );
    const gate = await executor.awaitReady(target, ctx());
    expect(gate.ok).toBe(true);
    const watches = double.requestsMatching({ verb: 'watch', kind: 'deployments' });
    expect(watches[0]?.status).toBe(410);
    expect(watches.length).toBeGreaterThanOrEqual(2);
  });

  it('re-lists when the history is compacted under a dropped watch (410 for the old resourceVersion)', async () => {
    seedRollouts(double, IMAGES);
    double.controller.mode = 'stopped';
    const target = await rollBack();
    const pending = executor.awaitReady(target, ctx());
    setTimeout(() => {
      // Unrelated writes move the resourceVersion on, then etcd compacts and the server restarts.
      double.put('pods', { metadata: { name: 'other', namespace: 'prod', labels: { app: 'other' } } });
      double.store.compact();
      double.dropWatches();
      setTimeout(() => {
        double.controller.mode = 'normal';
        double.controller.schedule('prod', 'web');
      }, 50);
    }, 50);
    expect((await pending).ok).toBe(true);
    expect(double.watchExpirations).toBe(1);
  });

  it('rides out a transient 503 on the watch', async () => {
    seedRollouts(double, IMAGES);
    double.controller.mode = 'stopped';
    const target = await rollBack();
    resumeControllerSoon();
    const fault = double.inject(
      { verb: 'watch', kind: 'deployments' },
      {
        kind: 'status',
        status: 503,
        json: { kind: 'Status', code: 503, reason: 'ServiceUnavailable', message: 'etcd leader changed' },
      },
      1,
    );
    const gate = await executor.awaitReady(target, ctx());
    expect(gate.ok).toBe(true);
    expect(fault.times).toBe(0);
  });

  it('fails when the Deployment moves to another template while waiting', async () => {
    seedRollouts(double, IMAGES);
    double.controller.mode = 'stopped';
    const target = await rollBack();
    const pending = executor.awaitReady(target, ctx());
    setTimeout(
      () => double.apply('deployments', deploymentManifest({ image: 'registry.example/web:9.9.9' })),
      50,
    );
    const gate = await pending;
    expect(!gate.ok && gate.error.code).toBe('GATE_FAILED');
    expect(!gate.ok && gate.error.message).toContain('template changed');
  });

  it('stops with ABORTED when the caller gives up mid-wait', async () => {
    seedRollouts(double, IMAGES);
    double.controller.mode = 'stopped';
    const target = await rollBack();
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('shutdown')), 50);
    const gate = await executor.awaitReady(target, ctx(10_000, controller.signal));
    expect(!gate.ok && gate.error.code).toBe('ABORTED');
  });
});
