import type { ArtifactRef } from '@rollgate/core';
import type { ReleaseLogEntry } from './releases-log';

/** What the executor knows about one release directory. */
export interface ReleaseFacts {
  readonly name: string;
  /** Trimmed contents of `releases/<name>/REVISION` when present and usable. */
  readonly revision?: string;
  /** Contents of `releases/<name>/BAD_RELEASE` (`<time>,<user>`) when the release is marked bad. */
  readonly badMark?: string;
  /** The release's newest line in the releases_log window, if it has one. */
  readonly log?: ReleaseLogEntry;
}

const REVISION = /^[\x21-\x3f\x41-\x7e]{1,256}$/;

/**
 * The revision to use from a `REVISION` file, or undefined when it is empty or unusable (not
 * printable ASCII without spaces, contains `@`, longer than 256 characters): an unusable file
 * would make an ambiguous artifact id.
 */
export function normaliseRevision(raw: string): string | undefined {
  const value = raw.trim();
  return REVISION.test(value) ? value : undefined;
}

/**
 * The artifact id of a release: `<release>@<revision>` (`42@9fceb02d0ae598e95dc970b74767f19372d61af8`)
 * when `REVISION` is present, else `<release>`. Both parts are on-disk facts that never change
 * for a release, so the id is stable; binding the revision means a verification recorded for
 * one build can never select a different build that reused the release name.
 */
export function artifactId(release: string, revision: string | undefined): string {
  return revision === undefined ? release : `${release}@${revision}`;
}

/** The ArtifactRef of a release; `attributes` adds mode-specific facts (hosts, deploy path). */
export function releaseArtifact(
  facts: ReleaseFacts,
  attributes: Readonly<Record<string, string>>,
): ArtifactRef {
  const ref: {
    id: string;
    revision?: string;
    target?: string;
    createdAt?: number;
    attributes: Record<string, string>;
  } = {
    id: artifactId(facts.name, facts.revision),
    attributes: { release: facts.name, ...attributes },
  };
  if (facts.revision !== undefined) ref.revision = facts.revision;
  if (facts.log?.target !== undefined) ref.target = facts.log.target;
  if (facts.log?.createdAt !== undefined) ref.createdAt = facts.log.createdAt;
  if (facts.log?.user !== undefined) ref.attributes.deployedBy = facts.log.user;
  if (facts.badMark !== undefined) ref.attributes.badRelease = facts.badMark;
  return ref;
}
