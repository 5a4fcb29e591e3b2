import { type ArtifactRef, fail, ok, type Result } from '@rollgate/core';
import { executorError, quote } from '../errors/executor-error';
import type { ReleaseFacts } from './release-artifact';
import { rollbackCandidate } from './release-list';

/** Deployer's BAD_RELEASE rule: a release someone marked bad is never a target. */
export function selectableReleases(releases: readonly ReleaseFacts[]): ReleaseFacts[] {
  return releases.filter((r) => r.badMark === undefined);
}

/**
 * `dep rollback`'s default candidate among `releases` (newest first): the first release older
 * than `current` without a BAD_RELEASE mark; undefined when there is none.
 */
export function defaultCandidate(
  releases: readonly ReleaseFacts[],
  current: ReleaseFacts,
): ReleaseFacts | undefined {
  const name = rollbackCandidate(
    releases.map((r) => r.name),
    current.name,
    (n) => releases.find((r) => r.name === n)?.badMark !== undefined,
  );
  return releases.find((r) => r.name === name);
}

/**
 * The release a cutover to `target` switches to: `ARTIFACT_NOT_FOUND` when no release of the
 * list is that artifact (`where` says which list), `EXECUTOR_REFUSED` when it is marked
 * BAD_RELEASE, as `dep rollback` refuses it ("Rollback aborted.").
 */
export function targetRelease(
  releases: readonly ReleaseFacts[],
  target: ArtifactRef,
  ref: (facts: ReleaseFacts) => ArtifactRef,
  where: string,
): Result<ReleaseFacts> {
  const to = releases.find((r) => ref(r).id === target.id);
  if (to === undefined) {
    const available = selectableReleases(releases).map((r) => ref(r).id);
    return fail(
      executorError(
        'ARTIFACT_NOT_FOUND',
        `No release with artifact id ${quote(target.id)} ${where}: it must be in the release list ` +
          `(the last 300 lines of .dep/releases_log, directory present) with the same REVISION. Candidates: ${available.slice(0, 10).join(', ') || 'none'}.`,
        { details: { target: target.id, candidates: available } },
      ),
    );
  }
  if (to.badMark !== undefined) {
    return fail(
      executorError(
        'EXECUTOR_REFUSED',
        `Release ${quote(to.name)} is marked BAD_RELEASE (${quote(to.badMark, 60)}); Rollgate does not cut over to a release someone marked bad ` +
          `(dep rollback would answer "Rollback aborted."). If it is good, delete releases/${to.name}/BAD_RELEASE and retry.`,
        { details: { target: target.id } },
      ),
    );
  }
  return ok(to);
}
