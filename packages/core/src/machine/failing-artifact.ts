import type { ArtifactRef } from '../ports/executor';
import type { MachineSnapshot } from './machine-state';

/**
 * The artifact a watch judges, and rolls back when it fails: what the executor reported
 * serving at the start of the watch, else the artifact the deploy event named.
 */
export function failingArtifact(s: Pick<MachineSnapshot, 'watched' | 'deploy'>): ArtifactRef {
  return s.watched ?? { id: s.deploy.artifactId };
}
