import type { DeploymentView, ReplicaSetView } from '../resources/kube-objects';
import { equalIgnoreHash } from './template-equality';

/**
 * ReplicaSets the Deployment controls: already matched by its selector (the list query) AND
 * carrying an owner reference with `controller: true` and the Deployment's uid. A ReplicaSet that
 * only matches the selector (orphaned, or another controller's) is never a rollback target.
 */
export function ownedReplicaSets(
  deployment: DeploymentView,
  replicaSets: readonly ReplicaSetView[],
): ReplicaSetView[] {
  return replicaSets.filter((rs) =>
    rs.ownerReferences.some((ref) => ref.controller && ref.uid === deployment.uid),
  );
}

/** Newest revision first; ReplicaSets without a revision last, then by name for a stable order. */
export function byRevisionDescending(a: ReplicaSetView, b: ReplicaSetView): number {
  const ra = a.revision ?? -1;
  const rb = b.revision ?? -1;
  return rb - ra || a.name.localeCompare(b.name);
}

/**
 * The deployment controller's "new ReplicaSet": the oldest owned ReplicaSet whose template
 * equals the Deployment's (ignoring the hash label). Undefined while the controller has not
 * created it yet.
 */
export function findNewReplicaSet(
  deployment: DeploymentView,
  owned: readonly ReplicaSetView[],
): ReplicaSetView | undefined {
  const sorted = [...owned].sort(
    (a, b) => (a.createdAt ?? 0) - (b.createdAt ?? 0) || a.name.localeCompare(b.name),
  );
  return sorted.find((rs) => equalIgnoreHash(rs.template, deployment.template));
}
