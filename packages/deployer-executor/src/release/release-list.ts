import type { ReleaseLogEntry } from './releases-log';

/**
 * Deployer's `releases_list`: the names from the log window, newest first, whose
 * `releases/<name>` directory still exists. A name logged twice (a release name reused after a
 * failed deploy) appears once, with its newest log line.
 */
export function releaseList(
  entries: readonly ReleaseLogEntry[],
  exists: (name: string) => boolean,
): ReleaseLogEntry[] {
  const seen = new Set<string>();
  const out: ReleaseLogEntry[] = [];
  for (let i = entries.length - 1; i >= 0; i--) {
    const entry = entries[i];
    if (entry === undefined || seen.has(entry.name)) continue;
    seen.add(entry.name);
    if (exists(entry.name)) out.push(entry);
  }
  return out;
}

/**
 * `dep rollback`'s default candidate: the first release after `current` in the newest-first
 * list that is not marked `BAD_RELEASE`. Undefined when there is none, which Deployer reports as
 * "No more releases you can revert to." (including when `current` is not in the list at all).
 */
export function rollbackCandidate(
  names: readonly string[],
  current: string,
  isBad: (name: string) => boolean,
): string | undefined {
  const at = names.indexOf(current);
  if (at < 0) return undefined;
  return names.slice(at + 1).find((name) => !isBad(name));
}
