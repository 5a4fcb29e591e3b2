import { REVISION_ANNOTATION, type ReplicaSetView } from '../resources/kube-objects';

/** Why no ReplicaSet was found for a revision. */
export interface RevisionNotFound {
  readonly reason: 'revision-not-found' | 'no-history' | 'invalid-revision';
  readonly message: string;
}

/**
 * kubectl's `deploymentRevision`: with `toRevision` 0 the ReplicaSet with the second-highest
 * revision (the previous rollout), otherwise the one whose revision annotation equals
 * `toRevision`. Only owned ReplicaSets are passed in.
 */
export function findRevision(
  deploymentName: string,
  owned: readonly ReplicaSetView[],
  toRevision: number,
): ReplicaSetView | RevisionNotFound {
  if (!Number.isInteger(toRevision) || toRevision < 0) {
    return {
      reason: 'invalid-revision',
      message: `unable to find specified revision ${toRevision} in history`,
    };
  }
  let latest: ReplicaSetView | undefined;
  let latestRevision = -1;
  let previous: ReplicaSetView | undefined;
  let previousRevision = -1;
  for (const rs of owned) {
    // Like deploymentutil.Revision: a missing annotation is revision 0, an unparseable one is skipped.
    if (rs.revision === undefined && rs.annotations[REVISION_ANNOTATION] !== undefined) continue;
    const v = rs.revision ?? 0;
    if (toRevision === 0) {
      if (latestRevision < v) {
        previous = latest;
        previousRevision = latestRevision;
        latest = rs;
        latestRevision = v;
      } else if (previousRevision < v) {
        previous = rs;
        previousRevision = v;
      }
    } else if (v === toRevision) {
      return rs;
    }
  }
  if (toRevision > 0) {
    return {
      reason: 'revision-not-found',
      message: `unable to find specified revision ${toRevision} in history`,
    };
  }
  if (previous === undefined) {
    return {
      reason: 'no-history',
      message: `no rollout history found for deployment ${JSON.stringify(deploymentName)}`,
    };
  }
  return previous;
}
