import type { ArtifactRef, CutoverReceipt, PortContext, Result } from '@rollgate/core';
import type { ReleaseFacts } from './release-artifact';

/** One consistent read of the releases: what `current` points at and the release list. */
export interface ReleaseView {
  readonly current: ReleaseFacts;
  /** Deployer's release list, newest first. */
  readonly releases: readonly ReleaseFacts[];
}

/**
 * How the Deployer executor reaches the releases: by running the project's `dep` on every
 * selected host (command mode) or on a release directory on this machine (local mode). The
 * executor around it ({@link ReleaseExecutor}) holds what both share: the call guard, the
 * rollback-candidate rule, the BAD_RELEASE rule, one cutover at a time and the readiness gate.
 */
export interface ReleaseSource<V extends ReleaseView = ReleaseView> {
  readonly name: 'deployer-command' | 'deployer-local';
  readonly mode: 'command' | 'local';
  /** Removes known secrets from text that may have come from the source (a deploy.php's output). */
  redact(text: string): string;
  /** Runs before every call (local mode tidies what a killed process left, once). */
  prepare(): Promise<void>;
  /** Reads `current` and the release list. */
  read(ctx: PortContext): Promise<Result<V>>;
  /** The artifact a release of `view` is. */
  ref(facts: ReleaseFacts, view: V): ArtifactRef;
  /** Where the release list of `view` is read, for messages ("on every selected host (web1, web2)"). */
  where(view: V): string;
  /** Why there is no rollback candidate; follows "No more releases you can revert to.". */
  noCandidate(view: V): { readonly why: string; readonly details: Readonly<Record<string, unknown>> };
  /**
   * Switches `current` to `target` for `operationId` (non-empty, checked by the executor),
   * idempotently; the executor runs one at a time.
   */
  cutover(target: ArtifactRef, operationId: string, ctx: PortContext): Promise<Result<CutoverReceipt>>;
  /** The readiness gate's check that `current` is still `target`; the text describes what was seen. */
  checkCurrent(target: ArtifactRef, ctx: PortContext): Promise<Result<string>>;
  dispose(): Promise<void>;
}
