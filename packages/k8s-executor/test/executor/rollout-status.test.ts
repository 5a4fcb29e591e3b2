import { describe, expect, it } from 'vitest';
import { progressFingerprint, rolloutStatus } from '../../src/executor/rollout-status';
import { type DeploymentView, parseDeployment } from '../../src/resources/kube-objects';

function d(generation: number, status: Record<string, unknown>, replicas = 3): DeploymentView {
  const parsed = parseDeployment({
    metadata: { name: 'web', namespace: 'prod', uid: 'u', resourceVersion: '1', generation },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } } },
    },
    status,
  });
  if (typeof parsed === 'string') throw new Error(parsed);
  return parsed;
}

describe('rolloutStatus (kubectl rollout status)', () => {
  it('waits until the generation is observed', () => {
    const s = rolloutStatus(
      d(4, { observedGeneration: 3, replicas: 3, updatedReplicas: 3, availableReplicas: 3 }),
    );
    expect(s.state).toBe('waiting');
    expect(s.message).toContain('spec update to be observed');
  });

  it('fails on ProgressDeadlineExceeded once the generation is observed', () => {
    const s = rolloutStatus(
      d(4, {
        observedGeneration: 4,
        conditions: [
          {
            type: 'Progressing',
            status: 'False',
            reason: 'ProgressDeadlineExceeded',
            message: 'ReplicaSet "web-x" has timed out progressing.',
          },
        ],
      }),
    );
    expect(s).toEqual({
      state: 'failed',
      message:
        'deployment "web" exceeded its progress deadline: ReplicaSet "web-x" has timed out progressing.',
    });
  });

  it('waits for updated, then old replicas to go, then availability', () => {
    expect(
      rolloutStatus(d(2, { observedGeneration: 2, replicas: 3, updatedReplicas: 2, availableReplicas: 3 }))
        .message,
    ).toContain('2 out of 3 new replicas have been updated');
    expect(
      rolloutStatus(d(2, { observedGeneration: 2, replicas: 4, updatedReplicas: 3, availableReplicas: 3 }))
        .message,
    ).toContain('1 old replicas are pending termination');
    expect(
      rolloutStatus(d(2, { observedGeneration: 2, replicas: 3, updatedReplicas: 3, availableReplicas: 2 }))
        .message,
    ).toContain('2 of 3 updated replicas are available');
  });

  it('is done when every condition holds', () => {
    expect(
      rolloutStatus(d(2, { observedGeneration: 2, replicas: 3, updatedReplicas: 3, availableReplicas: 3 }))
        .state,
    ).toBe('done');
    expect(rolloutStatus(d(1, { observedGeneration: 1 }, 0)).state).toBe('done');
  });

  it('fingerprints progress', () => {
    const a = d(2, { observedGeneration: 2, replicas: 3, updatedReplicas: 1 });
    const b = d(2, { observedGeneration: 2, replicas: 3, updatedReplicas: 2 });
    expect(progressFingerprint(a)).not.toBe(progressFingerprint(b));
  });
});
