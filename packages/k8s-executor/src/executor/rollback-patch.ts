import type { JsonValue } from '../resources/json-value';
import type { DeploymentView, ReplicaSetView } from '../resources/kube-objects';
import { withoutHashLabel } from './template-equality';

/** Where a cutover records its operationId on the Deployment, so a resumed controller sees it. */
export const OPERATION_ANNOTATION = 'rollgate.dev/operation-id';

/**
 * Annotations a rollback keeps from the Deployment instead of copying from the ReplicaSet
 * (kubectl `annotationsToSkip`).
 */
export const ANNOTATIONS_TO_SKIP: ReadonlySet<string> = new Set([
  'kubectl.kubernetes.io/last-applied-configuration',
  'deployment.kubernetes.io/revision',
  'deployment.kubernetes.io/revision-history',
  'deployment.kubernetes.io/desired-replicas',
  'deployment.kubernetes.io/max-replicas',
  'deprecated.deployment.rollback.to',
]);

/** One RFC 6902 operation. */
export type JsonPatchOperation =
  | { readonly op: 'add' | 'replace' | 'test'; readonly path: string; readonly value: JsonValue }
  | { readonly op: 'remove'; readonly path: string };

/**
 * The Deployment annotations after a rollback, as kubectl computes them: the skipped keys keep the
 * Deployment's values, every other key comes from the ReplicaSet (so annotations the Deployment
 * gained after that revision are dropped), and {@link OPERATION_ANNOTATION} records `operationId`
 * (a stale one copied from the ReplicaSet is overwritten).
 */
export function rollbackAnnotations(
  deployment: DeploymentView,
  rs: ReplicaSetView,
  operationId: string,
): Record<string, string> {
  const annotations: Record<string, string> = {};
  for (const key of ANNOTATIONS_TO_SKIP) {
    const value = deployment.annotations[key];
    if (value !== undefined) annotations[key] = value;
  }
  for (const [key, value] of Object.entries(rs.annotations)) {
    if (!ANNOTATIONS_TO_SKIP.has(key)) annotations[key] = value;
  }
  annotations[OPERATION_ANNOTATION] = operationId;
  return annotations;
}

/**
 * The `application/json-patch+json` body of a rollback: kubectl's two `replace` operations
 * (`/spec/template` with the ReplicaSet's template minus the hash label, `/metadata/annotations`)
 * preceded by a `replace` of `/metadata/resourceVersion` with the value that was read. The API
 * server rejects an update whose resourceVersion is stale with 409 Conflict, so the patch only
 * applies to the Deployment the decision was made on. (A `test` operation would fail with 422
 * instead, indistinguishable from a real validation error.) When the Deployment has no
 * annotations at all, `add` creates the map: RFC 6902 `replace` needs an existing target.
 */
export function rollbackPatch(
  deployment: DeploymentView,
  rs: ReplicaSetView,
  operationId: string,
): JsonPatchOperation[] {
  return [
    { op: 'replace', path: '/metadata/resourceVersion', value: deployment.resourceVersion },
    { op: 'replace', path: '/spec/template', value: withoutHashLabel(rs.template) },
    {
      op: deployment.hasAnnotations ? 'replace' : 'add',
      path: '/metadata/annotations',
      value: rollbackAnnotations(deployment, rs, operationId),
    },
  ];
}
