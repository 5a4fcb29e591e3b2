import { describe, expect, it } from 'vitest';
import { artifactId, digestOf, indexDigests, toArtifactRef } from '../../src/executor/artifact-ref';
import { type PodView, parseDeployment, parsePod, parseReplicaSet } from '../../src/resources/kube-objects';

const sha = `sha256:${'a'.repeat(64)}`;

describe('artifact refs', () => {
  it('extracts image digests from the imageID forms runtimes report', () => {
    expect(digestOf(`docker-pullable://registry.example/web@${sha}`)).toBe(sha);
    expect(digestOf(`registry.example/web@${sha}`)).toBe(sha);
    expect(digestOf(sha)).toBe(sha);
    expect(digestOf('')).toBeUndefined();
    expect(digestOf('docker://1234')).toBeUndefined();
  });

  it('builds a stable id from the pod-template-hash and carries images with digests', () => {
    const deployment = parseDeployment({
      metadata: { name: 'web', namespace: 'prod', uid: 'd', resourceVersion: '1' },
      spec: { selector: { matchLabels: { app: 'web' } }, template: {} },
    });
    const rs = parseReplicaSet({
      metadata: {
        name: 'web-5d8f7',
        uid: 'r',
        creationTimestamp: '2025-01-01T00:00:00Z',
        labels: { 'pod-template-hash': '5d8f7' },
        annotations: { 'deployment.kubernetes.io/revision': '7' },
      },
      spec: {
        template: {
          metadata: { labels: { 'pod-template-hash': '5d8f7' } },
          spec: {
            containers: [
              { name: 'app', image: 'registry.example/web:1.4.2' },
              { name: 'proxy', image: 'envoy:1' },
            ],
          },
        },
      },
    });
    const pod = parsePod({
      metadata: { name: 'web-5d8f7-x', labels: { 'pod-template-hash': '5d8f7' } },
      status: { containerStatuses: [{ name: 'app', imageID: `registry.example/web@${sha}` }] },
    });
    if (typeof deployment === 'string' || typeof rs === 'string' || typeof pod === 'string')
      throw new Error('fixture');
    const ref = toArtifactRef(deployment, rs, indexDigests([pod as PodView]));
    expect(artifactId('web', rs)).toBe('web@5d8f7');
    expect(ref).toEqual({
      id: 'web@5d8f7',
      revision: '7',
      digest: '5d8f7',
      target: 'registry.example/web:1.4.2,envoy:1',
      createdAt: Date.parse('2025-01-01T00:00:00Z'),
      attributes: {
        namespace: 'prod',
        deployment: 'web',
        replicaSet: 'web-5d8f7',
        'image.app': 'registry.example/web:1.4.2',
        'imageDigest.app': sha,
        'image.proxy': 'envoy:1',
      },
    });
  });
});
