import type { PortContext } from '@rollgate/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createKubernetesExecutor, type KubernetesExecutor } from '../../src/executor/kubernetes-executor';
import { OPERATION_ANNOTATION } from '../../src/executor/rollback-patch';
import type { JsonObject } from '../../src/resources/json-value';
import { seedRollouts } from '../support/fixtures';
import { KubeApiDouble } from '../support/kube-api-double';

const ctx = (ms = 10_000): PortContext => ({
  signal: new AbortController().signal,
  deadline: Date.now() + ms,
});
const IMAGES = ['registry.example/web:1.0.0', 'registry.example/web:1.1.0', 'registry.example/web:1.2.0'];

function imageOf(d: JsonObject | undefined): unknown {
  const spec = d?.spec as JsonObject;
  const template = spec.template as JsonObject;
  return ((template.spec as JsonObject).containers as JsonObject[])[0]?.image;
}

describe('Kubernetes executor: rollout undo', () => {
  let double: KubeApiDouble;
  let executor: KubernetesExecutor;

  beforeEach(async () => {
    double = await KubeApiDouble.start();
    executor = createKubernetesExecutor({
      namespace: 'prod',
      deployment: 'web',
      server: double.url,
      token: double.token,
    });
  });
  afterEach(async () => {
    await executor.dispose();
    await double.close();
  });

  const patches = () => double.requestsMatching({ method: 'PATCH', kind: 'deployments' });

  it('lists owned ReplicaSets newest revision first and identifies the live one with images and digests', async () => {
    seedRollouts(double, IMAGES);
    // A ReplicaSet that matches the selector but belongs to nobody is not a candidate.
    double.put('replicasets', {
      metadata: {
        name: 'web-orphan',
        namespace: 'prod',
        labels: { app: 'web', 'pod-template-hash': 'orphan' },
      },
      spec: {
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { containers: [{ name: 'app', image: 'evil:1' }] },
        },
      },
    });
    const list = await executor.candidates(ctx());
    expect(list.ok).toBe(true);
    if (!list.ok) return;
    expect(list.value.map((a) => a.revision)).toEqual(['3', '2', '1']);
    expect(list.value.map((a) => a.attributes?.['image.app'])).toEqual([...IMAGES].reverse());
    expect(list.value.every((a) => a.id === `web@${a.digest}`)).toBe(true);
    const current = await executor.current(ctx());
    expect(current.ok && current.value.id).toBe(list.value[0]?.id);
    expect(current.ok && current.value.attributes?.['imageDigest.app']).toMatch(/^sha256:[0-9a-f]{64}$/);
    const orphan = await executor.cutover({ id: 'web@orphan' }, 'op-orphan', ctx());
    expect(!orphan.ok && orphan.error.code).toBe('ARTIFACT_NOT_FOUND');
  });

  it('rolls back to the previous revision by default with one JSON patch, and the controller reuses its ReplicaSet', async () => {
    seedRollouts(double, IMAGES);
    const before = await executor.candidates(ctx());
    if (!before.ok) throw new Error('candidates');
    const previous = before.value[1];
    const receipt = await executor.undo({}, 'op-prev', ctx());
    expect(receipt.ok).toBe(true);
    if (!receipt.ok) return;
    expect(receipt.value).toMatchObject({ operationId: 'op-prev', changed: true, to: { id: previous?.id } });
    expect(receipt.value.from?.revision).toBe('3');
    expect(patches()).toHaveLength(1);
    expect(patches()[0]?.contentType).toBe('application/json-patch+json');
    expect(imageOf(double.get('deployments', 'prod', 'web'))).toBe(IMAGES[1]);

    const gate = await executor.awaitReady(receipt.value.to, ctx());
    expect(gate.ok).toBe(true);
    const replicaSets = double.list('replicasets', 'prod');
    expect(replicaSets).toHaveLength(3);
    const after = await executor.current(ctx());
    expect(after.ok && after.value.id).toBe(previous?.id);
    // Same identity, new revision: a rollback makes the old ReplicaSet the newest revision.
    expect(after.ok && after.value.revision).toBe('4');
    const reused = replicaSets.find(
      (rs) => (rs.metadata as JsonObject).name === previous?.attributes?.replicaSet,
    );
    if (!reused) throw new Error('the reused ReplicaSet is missing');
    const reusedAnnotations = (reused.metadata as JsonObject).annotations as JsonObject;
    expect(reusedAnnotations['deployment.kubernetes.io/revision-history']).toBe('2');
  });

  it('rolls back to an explicit revision', async () => {
    seedRollouts(double, IMAGES);
    const target = await executor.resolveRevision(1, ctx());
    expect(target.ok && target.value.attributes?.['image.app']).toBe(IMAGES[0]);
    const receipt = await executor.undo({ toRevision: 1 }, 'op-rev1', ctx());
    expect(receipt.ok && receipt.value.changed).toBe(true);
    expect(imageOf(double.get('deployments', 'prod', 'web'))).toBe(IMAGES[0]);
    const missing = await executor.undo({ toRevision: 9 }, 'op-rev9', ctx());
    expect(!missing.ok && missing.error.code).toBe('ARTIFACT_NOT_FOUND');
    expect(!missing.ok && missing.error.message).toContain('unable to find specified revision 9 in history');
  });

  it('refuses a paused Deployment with a clear error and sends no patch', async () => {
    seedRollouts(double, IMAGES, { paused: true });
    const receipt = await executor.undo({}, 'op-paused', ctx());
    expect(receipt.ok).toBe(false);
    if (receipt.ok) return;
    expect(receipt.error.code).toBe('EXECUTOR_REFUSED');
    expect(receipt.error.message).toContain('paused');
    expect(receipt.error.message).toContain('kubectl rollout resume deployment/web -n prod');
    expect(patches()).toHaveLength(0);
  });

  it('is a no-op when the template already matches (ignoring pod-template-hash)', async () => {
    seedRollouts(double, IMAGES);
    const current = await executor.current(ctx());
    if (!current.ok) throw new Error('current');
    const receipt = await executor.cutover(current.value, 'op-same', ctx());
    expect(receipt.ok && receipt.value.changed).toBe(false);
    expect(receipt.ok && receipt.value.detail).toContain('already matches revision 3');
    expect(patches()).toHaveLength(0);
  });

  it('reports no rollout history when there is only one revision', async () => {
    seedRollouts(double, IMAGES.slice(0, 1));
    const receipt = await executor.undo({}, 'op-nohistory', ctx());
    expect(!receipt.ok && receipt.error.code).toBe('ARTIFACT_NOT_FOUND');
    expect(!receipt.ok && receipt.error.message).toContain('no rollout history found for deployment "web"');
  });

  it('copies annotations exactly as kubectl does', async () => {
    seedRollouts(double, IMAGES.slice(0, 1), {
      annotations: {
        'kubernetes.io/change-cause': 'deploy 1.0.0',
        'kubectl.kubernetes.io/last-applied-configuration': '{"v":"1.0.0"}',
      },
    });
    seedRollouts(double, IMAGES.slice(1, 2), {
      annotations: {
        'kubernetes.io/change-cause': 'deploy 1.1.0',
        'kubectl.kubernetes.io/last-applied-configuration': '{"v":"1.1.0"}',
        'team.example/oncall': 'added-in-1.1.0',
        'deprecated.deployment.rollback.to': '1',
      },
    });
    const receipt = await executor.undo({}, 'op-annotations', ctx());
    expect(receipt.ok).toBe(true);
    const patch = patches()[0]?.body as JsonObject[];
    expect(patch.map((op) => `${op.op} ${op.path}`)).toEqual([
      'replace /metadata/resourceVersion',
      'replace /spec/template',
      'replace /metadata/annotations',
    ]);
    const template = patch[1]?.value as JsonObject;
    expect((template.metadata as JsonObject).labels).toEqual({ app: 'web' });
    expect(patch[2]?.value).toEqual({
      'kubernetes.io/change-cause': 'deploy 1.0.0',
      'kubectl.kubernetes.io/last-applied-configuration': '{"v":"1.1.0"}',
      'deprecated.deployment.rollback.to': '1',
      'deployment.kubernetes.io/revision': '2',
      [OPERATION_ANNOTATION]: 'op-annotations',
    });
    const stored = double.get('deployments', 'prod', 'web') ?? {};
    const annotations = ((stored.metadata as JsonObject).annotations ?? {}) as JsonObject;
    expect(annotations['team.example/oncall']).toBeUndefined();
    expect(annotations['kubernetes.io/change-cause']).toBe('deploy 1.0.0');
  });

  it('is idempotent per operationId across processes: a resumed executor sees the annotation', async () => {
    seedRollouts(double, IMAGES);
    const first = await executor.undo({}, 'op-resume', ctx());
    expect(first.ok && first.value.changed).toBe(true);
    double.controller.settle('prod', 'web');
    const resumed = createKubernetesExecutor({
      namespace: 'prod',
      deployment: 'web',
      server: double.url,
      token: double.token,
    });
    try {
      const target = first.ok ? first.value.to : { id: 'x' };
      const replay = await resumed.cutover(target, 'op-resume', ctx());
      expect(replay.ok && replay.value.changed).toBe(false);
      expect(replay.ok && replay.value.detail).toContain('already applied');
      // Even a different target under the same operationId never switches twice.
      const other = await resumed.resolveRevision(3, ctx());
      if (!other.ok) throw new Error('resolve');
      const again = await resumed.cutover(other.value, 'op-resume', ctx());
      expect(again.ok && again.value.changed).toBe(false);
      expect(patches()).toHaveLength(1);
    } finally {
      await resumed.dispose();
    }
  });

  it('re-reads and retries after a 409 Conflict on the patch', async () => {
    seedRollouts(double, IMAGES);
    double.inject({ method: 'PATCH', kind: 'deployments' }, { kind: 'concurrent-write' }, 1);
    const receipt = await executor.undo({}, 'op-conflict', ctx());
    expect(receipt.ok && receipt.value.changed).toBe(true);
    expect(patches().map((r) => r.status)).toEqual([409, 200]);
    const [stale, fresh] = patches().map((r) => ((r.body as JsonObject[])[0] as JsonObject).value);
    expect(Number(fresh)).toBeGreaterThan(Number(stale));
    expect(imageOf(double.get('deployments', 'prod', 'web'))).toBe(IMAGES[1]);
  });

  it('gives up with CUTOVER_FAILED after a bounded number of conflicts', async () => {
    seedRollouts(double, IMAGES);
    const bounded = createKubernetesExecutor({
      namespace: 'prod',
      deployment: 'web',
      server: double.url,
      token: double.token,
      conflictRetries: 2,
    });
    try {
      double.inject(
        { method: 'PATCH', kind: 'deployments' },
        { kind: 'concurrent-write' },
        Number.POSITIVE_INFINITY,
      );
      const receipt = await bounded.undo({}, 'op-conflict-forever', ctx());
      expect(receipt.ok).toBe(false);
      if (receipt.ok) return;
      expect(receipt.error.code).toBe('CUTOVER_FAILED');
      expect(receipt.error.retryable).toBe(true);
      expect(receipt.error.message).toContain('3 attempts ended in 409 Conflict');
      expect(patches().map((r) => r.status)).toEqual([409, 409, 409]);
      expect(imageOf(double.get('deployments', 'prod', 'web'))).toBe(IMAGES[2]);
    } finally {
      await bounded.dispose();
    }
  });

  it('surfaces 422 Invalid as a non-retryable CUTOVER_FAILED with the server message', async () => {
    seedRollouts(double, IMAGES);
    double.inject(
      { method: 'PATCH', kind: 'deployments' },
      {
        kind: 'status',
        status: 422,
        json: {
          kind: 'Status',
          apiVersion: 'v1',
          status: 'Failure',
          reason: 'Invalid',
          code: 422,
          message: 'Deployment.apps "web" is invalid: spec.template.spec.containers[0].image: Required value',
        },
      },
    );
    const receipt = await executor.undo({}, 'op-invalid', ctx());
    expect(!receipt.ok && receipt.error.code).toBe('CUTOVER_FAILED');
    expect(!receipt.ok && receipt.error.retryable).toBe(false);
    expect(!receipt.ok && receipt.error.message).toContain(
      'spec.template.spec.containers[0].image: Required value',
    );
  });

  it('reports a Deployment that does not exist as ARTIFACT_NOT_FOUND', async () => {
    const result = await executor.current(ctx());
    expect(!result.ok && result.error.code).toBe('ARTIFACT_NOT_FOUND');
    expect(!result.ok && result.error.message).toContain(
      'deployments.apps "web" in namespace prod does not exist',
    );
  });
});
