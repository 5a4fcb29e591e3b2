import type { ArtifactRef, Executor, PortContext, Result } from '@rollgate/core';

/** The Executor this package builds, with `dep rollback`'s own candidate choice on top. */
export interface DeployerExecutor extends Executor {
  readonly mode: 'local' | 'command';
  readonly supportsWeights: false;
  /**
   * The release `dep rollback` would pick without `rollback_candidate`: the first release older
   * than `current` in the release list that is not marked `BAD_RELEASE`. `ARTIFACT_NOT_FOUND`
   * ("No more releases you can revert to.") when there is none.
   */
  rollbackCandidate(ctx: PortContext): Promise<Result<ArtifactRef>>;
}
