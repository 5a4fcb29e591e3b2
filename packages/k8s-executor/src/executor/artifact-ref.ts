import type { ArtifactRef } from '@rollgate/core';
import { isJsonObject } from '../resources/json-value';
import type { DeploymentView, PodView, ReplicaSetView } from '../resources/kube-objects';
import { POD_TEMPLATE_HASH_LABEL, REVISION_ANNOTATION } from '../resources/kube-objects';

/** Image digests seen on running pods: pod-template-hash → container name → `sha256:...`. */
export type DigestIndex = ReadonlyMap<string, ReadonlyMap<string, string>>;

/**
 * The stable id of a ReplicaSet's artifact: `<deployment>@<pod-template-hash>`. A rollback reuses
 * the old ReplicaSet and bumps its revision, so the revision is not an identity; the hash is.
 */
export function artifactId(deploymentName: string, rs: ReplicaSetView): string {
  return `${deploymentName}@${rs.podTemplateHash ?? rs.name}`;
}

/** The `sha256:...` part of a container status `imageID` (`docker-pullable://repo@sha256:...`). */
export function digestOf(imageID: string | undefined): string | undefined {
  if (!imageID) return undefined;
  const at = imageID.lastIndexOf('@');
  const tail = at === -1 ? imageID.replace(/^[a-z-]+:\/\//, '') : imageID.slice(at + 1);
  return /^sha256:[0-9a-f]{64}$/.test(tail) ? tail : undefined;
}

/** Collects image digests per pod-template-hash from the pods' container statuses. */
export function indexDigests(pods: readonly PodView[]): DigestIndex {
  const index = new Map<string, Map<string, string>>();
  for (const pod of pods) {
    const hash = pod.labels[POD_TEMPLATE_HASH_LABEL];
    if (hash === undefined) continue;
    for (const cs of pod.containers) {
      const digest = digestOf(cs.imageID);
      if (digest === undefined) continue;
      let byContainer = index.get(hash);
      if (!byContainer) {
        byContainer = new Map();
        index.set(hash, byContainer);
      }
      if (!byContainer.has(cs.name)) byContainer.set(cs.name, digest);
    }
  }
  return index;
}

function containerImages(template: ReplicaSetView['template']): Array<{ name: string; image: string }> {
  const spec = template.spec;
  if (!isJsonObject(spec) || !Array.isArray(spec.containers)) return [];
  const out: Array<{ name: string; image: string }> = [];
  for (const c of spec.containers) {
    if (isJsonObject(c) && typeof c.name === 'string' && typeof c.image === 'string') {
      out.push({ name: c.name, image: c.image });
    }
  }
  return out;
}

/**
 * A ReplicaSet as an {@link ArtifactRef}: `revision` is the revision annotation, `digest` the
 * pod-template-hash, `target` the images, and `attributes` carry `image.<container>`,
 * `imageDigest.<container>` (when a running pod reports it), the ReplicaSet name and namespace.
 */
export function toArtifactRef(
  deployment: DeploymentView,
  rs: ReplicaSetView,
  digests: DigestIndex,
): ArtifactRef {
  const attributes: Record<string, string> = {
    namespace: deployment.namespace,
    deployment: deployment.name,
    replicaSet: rs.name,
  };
  const images = containerImages(rs.template);
  const known = rs.podTemplateHash === undefined ? undefined : digests.get(rs.podTemplateHash);
  for (const { name, image } of images) {
    attributes[`image.${name}`] = image;
    const digest = known?.get(name);
    if (digest !== undefined) attributes[`imageDigest.${name}`] = digest;
  }
  const ref: {
    id: string;
    revision?: string;
    digest?: string;
    target?: string;
    createdAt?: number;
    attributes: Record<string, string>;
  } = { id: artifactId(deployment.name, rs), attributes };
  const revision = rs.annotations[REVISION_ANNOTATION];
  if (revision !== undefined) ref.revision = revision;
  if (rs.podTemplateHash !== undefined) ref.digest = rs.podTemplateHash;
  if (images.length > 0) ref.target = images.map((i) => i.image).join(',');
  if (rs.createdAt !== undefined) ref.createdAt = rs.createdAt;
  return ref;
}

/** The owned ReplicaSet an artifact names, matched by its stable id (`<deployment>@<hash>`). */
export function findArtifactReplicaSet(
  deploymentName: string,
  owned: readonly ReplicaSetView[],
  target: ArtifactRef,
): ReplicaSetView | undefined {
  return owned.find((rs) => artifactId(deploymentName, rs) === target.id);
}
