import { describe, expect, it } from 'vitest';
import { findRevision } from '../../src/executor/revision-target';
import { parseReplicaSet, type ReplicaSetView } from '../../src/resources/kube-objects';

function rs(name: string, revision: string | undefined): ReplicaSetView {
  const parsed = parseReplicaSet({
    metadata: {
      name,
      uid: `${name}-uid`,
      annotations: revision === undefined ? {} : { 'deployment.kubernetes.io/revision': revision },
    },
    spec: { template: { metadata: { labels: { app: 'web' } } } },
  });
  if (typeof parsed === 'string') throw new Error(parsed);
  return parsed;
}

describe('findRevision (kubectl deploymentRevision)', () => {
  const owned = [rs('a', '3'), rs('b', '5'), rs('c', '4'), rs('d', undefined), rs('e', 'garbage')];

  it('picks the second-highest revision for toRevision 0, whatever the list order', () => {
    expect((findRevision('web', owned, 0) as ReplicaSetView).name).toBe('c');
    expect((findRevision('web', [...owned].reverse(), 0) as ReplicaSetView).name).toBe('c');
  });

  it('picks an explicit revision and reports a missing one', () => {
    expect((findRevision('web', owned, 3) as ReplicaSetView).name).toBe('a');
    expect(findRevision('web', owned, 9)).toEqual({
      reason: 'revision-not-found',
      message: 'unable to find specified revision 9 in history',
    });
  });

  it('reports no history with a single revision, and treats a missing annotation as revision 0', () => {
    expect(findRevision('web', [rs('only', '1')], 0)).toMatchObject({ reason: 'no-history' });
    expect((findRevision('web', [rs('only', '1'), rs('none', undefined)], 0) as ReplicaSetView).name).toBe(
      'none',
    );
    expect(findRevision('web', [rs('only', '1'), rs('bad', 'x')], 0)).toMatchObject({ reason: 'no-history' });
  });

  it('refuses a negative revision', () => {
    expect(findRevision('web', owned, -1)).toMatchObject({ reason: 'invalid-revision' });
  });
});
