import { readFile, readlink, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fail, ok, type Result } from '@rollgate/core';
import { executorError, quote } from '../errors/executor-error';
import { normaliseRevision, type ReleaseFacts } from '../release/release-artifact';
import { releaseList } from '../release/release-list';
import { releaseNameProblem } from '../release/release-name';
import { parseReleasesLog, RELEASES_LOG_WINDOW, type ReleaseLogEntry } from '../release/releases-log';
import { tailFile } from './tail-file';

/** A consistent read of one deploy_path. */
export interface LocalDeployState {
  /** The raw target of the `current` link (`releases/42` or an absolute path). */
  readonly currentLink: string;
  readonly current: ReleaseFacts;
  /** Deployer's release list, newest first, each with its facts (BAD ones included). */
  readonly releases: readonly ReleaseFacts[];
}

/** Paths inside a deploy_path, named as Deployer names them. */
export function deployPaths(deployPath: string) {
  return {
    current: join(deployPath, 'current'),
    releases: join(deployPath, 'releases'),
    dep: join(deployPath, '.dep'),
    releasesLog: join(deployPath, '.dep', 'releases_log'),
    lock: join(deployPath, '.dep', 'deploy.lock'),
    release: (name: string) => join(deployPath, 'releases', name),
  };
}

/**
 * Reads `current`, the release list and each listed release's REVISION and BAD_RELEASE, the way
 * `dep rollback` sees them. Platform problems (no deploy_path, no `current` link, `current`
 * pointing nowhere) resolve to `EXECUTOR_UNAVAILABLE`; malformed log lines go to `warn`.
 */
export async function readLocalState(
  deployPath: string,
  warn: (message: string) => void,
): Promise<Result<LocalDeployState>> {
  const paths = deployPaths(deployPath);
  const where = (await isDirectory(deployPath))
    ? undefined
    : `deploy path ${quote(deployPath)} does not exist or is not a directory; set options.deployPath to Deployer's deploy_path`;
  if (where !== undefined)
    return fail(executorError('EXECUTOR_UNAVAILABLE', `Cannot read the releases: ${where}.`));

  const current = await readCurrentRelease(deployPath);
  if (!current.ok) return current;

  const lines = (await tailFile(paths.releasesLog, RELEASES_LOG_WINDOW)) ?? [];
  const parsed = parseReleasesLog(lines, releaseNameProblem, `${paths.releasesLog}`);
  for (const warning of parsed.warnings) warn(warning);

  const listed: ReleaseLogEntry[] = [];
  for (const entry of releaseList(parsed.entries, () => true)) {
    if (await isDirectory(paths.release(entry.name))) listed.push(entry);
  }
  const releases = await Promise.all(listed.map((entry) => readReleaseFacts(deployPath, entry.name, entry)));
  const currentFacts =
    releases.find((r) => r.name === current.value.name) ??
    (await readReleaseFacts(deployPath, current.value.name, undefined));
  return ok({
    currentLink: current.value.link,
    current: currentFacts,
    releases,
  });
}

/** The release `current` points at, checked to be an existing directory under `releases/`. */
export async function readCurrentRelease(
  deployPath: string,
): Promise<Result<{ name: string; link: string }>> {
  const paths = deployPaths(deployPath);
  let link: string;
  try {
    link = await readlink(paths.current);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? `${quote(paths.current)} does not exist; deploy at least once (dep deploy) before Rollgate can roll back`
        : code === 'EINVAL'
          ? `${quote(paths.current)} is not a symlink; Deployer's layout needs current -> releases/<name>`
          : `${quote(paths.current)} cannot be read (${code ?? 'unknown error'})`;
    return fail(
      executorError('EXECUTOR_UNAVAILABLE', `Cannot tell the current release: ${why}.`, { cause: error }),
    );
  }
  // Deployer names the current release `basename(readlink current)`; so do we.
  const name = basename(link.replace(/\/+$/, ''));
  const problem = releaseNameProblem(name);
  if (problem !== undefined) {
    return fail(
      executorError(
        'EXECUTOR_UNAVAILABLE',
        `current points at ${quote(link)}, whose release name is not valid (${problem}); point current at releases/<name>.`,
      ),
    );
  }
  if (!(await isDirectory(paths.release(name)))) {
    return fail(
      executorError(
        'EXECUTOR_UNAVAILABLE',
        `current points at ${quote(link)}, but ${quote(paths.release(name))} is not a directory; repair the current link.`,
      ),
    );
  }
  return ok({ name, link });
}

/** REVISION and BAD_RELEASE of one release. */
export async function readReleaseFacts(
  deployPath: string,
  name: string,
  log: ReleaseLogEntry | undefined,
): Promise<ReleaseFacts> {
  const dir = deployPaths(deployPath).release(name);
  const facts: { name: string; revision?: string; badMark?: string; log?: ReleaseLogEntry } = { name };
  const revision = await readSmallFile(join(dir, 'REVISION'));
  if (revision !== undefined) {
    const normalised = normaliseRevision(revision);
    if (normalised !== undefined) facts.revision = normalised;
  }
  const bad = await readSmallFile(join(dir, 'BAD_RELEASE'));
  if (bad !== undefined) facts.badMark = bad.trim().slice(0, 200) || 'marked';
  if (log !== undefined) facts.log = log;
  return facts;
}

async function readSmallFile(path: string): Promise<string | undefined> {
  try {
    const text = await readFile(path, 'utf8');
    return text.slice(0, 4096);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw error;
  }
}

/** True for a directory (following symlinks, like `[ -d ]`). */
export async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}
