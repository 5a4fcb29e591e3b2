import { describe, expect, it } from 'vitest';
import {
  ANNOTATIONS_TO_SKIP,
  OPERATION_ANNOTATION,
  rollbackAnnotations,
  rollbackPatch,
} from '../../src/executor/rollback-patch';
import {
  type DeploymentView,
  parseDeployment,
  parseReplicaSet,
  type ReplicaSetView,
} from '../../src/resources/kube-objects';

function deployment(annotations: Record<string, string> | undefined): DeploymentView {
  const d = parseDeployment({
    metadata: {
      name: 'web',
      namespace: 'prod',
      uid: 'd-uid',
      resourceVersion: '42',
      generation: 3,
      ...(annotations ? { annotations } : {}),
    },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: { containers: [{ name: 'app', image: 'web:3' }] },
      },
    },
  });
  if (typeof d === 'string') throw new Error(d);
  return d;
}

function replicaSet(annotations: Record<string, string>): ReplicaSetView {
  const rs = parseReplicaSet({
    metadata: {
      name: 'web-abc',
      uid: 'rs-uid',
      labels: { app: 'web', 'pod-template-hash': 'abc' },
      annotations,
    },
    spec: {
      template: {
        metadata: { labels: { app: 'web', 'pod-template-hash': 'abc' } },
        spec: { containers: [{ name: 'app', image: 'web:1' }] },
      },
    },
  });
  if (typeof rs === 'string') throw new Error(rs);
  return rs;
}

describe('rollbackAnnotations (kubectl annotationsToSkip)', () => {
  it('keeps the skipped keys from the Deployment, copies the rest from the ReplicaSet, records the operation', () => {
    const d = deployment({
      'kubectl.kubernetes.io/last-applied-configuration': '{"deployment":"v3"}',
      'deployment.kubernetes.io/revision': '3',
      'deployment.kubernetes.io/revision-history': '1',
      'deployment.kubernetes.io/desired-replicas': '2',
      'deployment.kubernetes.io/max-replicas': '3',
      'deprecated.deployment.rollback.to': '1',
      'kubernetes.io/change-cause': 'deploy v3',
      'team.example/added-later': 'yes',
    });
    const rs = replicaSet({
      'kubectl.kubernetes.io/last-applied-configuration': '{"deployment":"v1"}',
      'deployment.kubernetes.io/revision': '1',
      'deployment.kubernetes.io/revision-history': '',
      'deployment.kubernetes.io/desired-replicas': '5',
      'deployment.kubernetes.io/max-replicas': '6',
      'kubernetes.io/change-cause': 'deploy v1',
      'rollgate.dev/operation-id': 'stale-op',
    });
    expect(rollbackAnnotations(d, rs, 'op-7')).toEqual({
      'kubectl.kubernetes.io/last-applied-configuration': '{"deployment":"v3"}',
      'deployment.kubernetes.io/revision': '3',
      'deployment.kubernetes.io/revision-history': '1',
      'deployment.kubernetes.io/desired-replicas': '2',
      'deployment.kubernetes.io/max-replicas': '3',
      'deprecated.deployment.rollback.to': '1',
      'kubernetes.io/change-cause': 'deploy v1',
      [OPERATION_ANNOTATION]: 'op-7',
    });
  });

  it('lists exactly the six kubectl exclusions', () => {
    expect([...ANNOTATIONS_TO_SKIP].sort()).toEqual([
      'deployment.kubernetes.io/desired-replicas',
      'deployment.kubernetes.io/max-replicas',
      'deployment.kubernetes.io/revision',
      'deployment.kubernetes.io/revision-history',
      'deprecated.deployment.rollback.to',
      'kubectl.kubernetes.io/last-applied-configuration',
    ]);
  });
});

describe('rollbackPatch', () => {
  it('guards on resourceVersion, replaces the template without the hash label and the annotations', () => {
    const ops = rollbackPatch(
      deployment({ 'deployment.kubernetes.io/revision': '3' }),
      replicaSet({ a: 'b' }),
      'op-1',
    );
    expect(ops).toEqual([
      { op: 'replace', path: '/metadata/resourceVersion', value: '42' },
      {
        op: 'replace',
        path: '/spec/template',
        value: {
          metadata: { labels: { app: 'web' } },
          spec: { containers: [{ name: 'app', image: 'web:1' }] },
        },
      },
      {
        op: 'replace',
        path: '/metadata/annotations',
        value: { 'deployment.kubernetes.io/revision': '3', a: 'b', [OPERATION_ANNOTATION]: 'op-1' },
      },
    ]);
  });

  it('adds the annotations map when the Deployment has none (replace needs an existing target)', () => {
    const ops = rollbackPatch(deployment(undefined), replicaSet({}), 'op-1');
    expect(ops[2]).toEqual({
      op: 'add',
      path: '/metadata/annotations',
      value: { [OPERATION_ANNOTATION]: 'op-1' },
    });
  });
});
