import type { DeploymentView } from '../resources/kube-objects';

/** kubectl's reason on the Progressing condition once the progress deadline has passed. */
export const PROGRESS_DEADLINE_EXCEEDED = 'ProgressDeadlineExceeded';

/** Where a rollout stands, with kubectl's wording. */
export interface RolloutStatus {
  readonly state: 'done' | 'waiting' | 'failed';
  readonly message: string;
}

/**
 * `kubectl rollout status` for a Deployment: done when the controller has observed the current
 * generation, the Progressing condition is not ProgressDeadlineExceeded, every desired replica
 * is updated, no old replica is left and every updated replica is available.
 */
export function rolloutStatus(d: DeploymentView): RolloutStatus {
  const name = JSON.stringify(d.name);
  if (d.generation > d.status.observedGeneration) {
    return {
      state: 'waiting',
      message: `Waiting for deployment spec update to be observed (generation ${d.generation}, observed ${d.status.observedGeneration})`,
    };
  }
  const progressing = d.status.conditions.find((c) => c.type === 'Progressing');
  if (progressing?.reason === PROGRESS_DEADLINE_EXCEEDED) {
    const detail = progressing.message ? `: ${progressing.message}` : '';
    return { state: 'failed', message: `deployment ${name} exceeded its progress deadline${detail}` };
  }
  const s = d.status;
  if (s.updatedReplicas < d.replicas) {
    return {
      state: 'waiting',
      message: `Waiting for deployment ${name} rollout to finish: ${s.updatedReplicas} out of ${d.replicas} new replicas have been updated`,
    };
  }
  if (s.replicas > s.updatedReplicas) {
    return {
      state: 'waiting',
      message: `Waiting for deployment ${name} rollout to finish: ${s.replicas - s.updatedReplicas} old replicas are pending termination`,
    };
  }
  if (s.availableReplicas < s.updatedReplicas) {
    return {
      state: 'waiting',
      message: `Waiting for deployment ${name} rollout to finish: ${s.availableReplicas} of ${s.updatedReplicas} updated replicas are available`,
    };
  }
  return { state: 'done', message: `deployment ${name} successfully rolled out` };
}

/** A fingerprint of the status fields that move when a rollout makes progress. */
export function progressFingerprint(d: DeploymentView): string {
  const s = d.status;
  return [
    d.generation,
    s.observedGeneration,
    s.replicas,
    s.updatedReplicas,
    s.readyReplicas,
    s.availableReplicas,
  ].join('/');
}
