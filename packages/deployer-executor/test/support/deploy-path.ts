import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PortContext } from '@rollgate/core';

/** One release of a fixture deploy_path. */
export interface FixtureRelease {
  readonly name: string;
  /** REVISION contents; omitted means no REVISION file. */
  readonly revision?: string;
  /** Writes BAD_RELEASE. */
  readonly bad?: boolean;
  readonly target?: string;
  /** Leave the directory out (a release whose directory was deleted). */
  readonly deleted?: boolean;
  /** Leave the log line out. */
  readonly unlogged?: boolean;
}

/** A Deployer deploy_path layout. Releases are listed oldest first, like releases_log. */
export interface FixtureSpec {
  readonly releases: readonly FixtureRelease[];
  /** The release `current` points at (relative link `releases/<name>`). */
  readonly current?: string;
  /** Raw lines appended to the log after the generated ones. */
  readonly extraLogLines?: readonly string[];
  readonly locked?: boolean;
}

/** A sha-like revision for a release name, deterministic. */
export function shaOf(name: string): string {
  let h = 0x811c9dc5;
  for (const ch of name) h = Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0;
  return h.toString(16).padStart(8, '0').repeat(5);
}

/** The JSON line Deployer appends to releases_log for a release. */
export function logLine(name: string, index: number, target = `v1.${index}.0`): string {
  const created = new Date(Date.UTC(2024, 4, 1, 12, index, 0)).toISOString().slice(0, 19);
  return JSON.stringify({ created_at: `${created}+0000`, release_name: name, user: 'ci', target });
}

/** Creates a deploy_path under `root` following `spec`; returns its absolute path. */
export async function buildDeployPath(root: string, spec: FixtureSpec, name = 'app'): Promise<string> {
  const deployPath = join(root, name);
  await mkdir(join(deployPath, 'releases'), { recursive: true });
  await mkdir(join(deployPath, '.dep'), { recursive: true });
  await mkdir(join(deployPath, 'shared'), { recursive: true });
  const lines: string[] = [];
  spec.releases.forEach((r, i) => {
    if (!r.unlogged) lines.push(logLine(r.name, i, r.target));
  });
  lines.push(...(spec.extraLogLines ?? []));
  await writeFile(join(deployPath, '.dep', 'releases_log'), lines.map((l) => `${l}\n`).join(''));
  for (const r of spec.releases) {
    if (r.deleted) continue;
    const dir = join(deployPath, 'releases', r.name);
    await mkdir(dir, { recursive: true });
    if (r.revision !== undefined) await writeFile(join(dir, 'REVISION'), `${r.revision}\n`);
    if (r.bad) await writeFile(join(dir, 'BAD_RELEASE'), '2024-05-01T13:00:00+0000,ci\n');
  }
  const last = spec.releases[spec.releases.length - 1];
  await writeFile(join(deployPath, '.dep', 'latest_release'), `${last?.name ?? 0}\n`);
  if (spec.current !== undefined) await symlink(`releases/${spec.current}`, join(deployPath, 'current'));
  if (spec.locked) await writeFile(join(deployPath, '.dep', 'deploy.lock'), 'ci\n');
  return deployPath;
}

/** Releases `1..n` with revisions, current on the newest. */
export function simpleSpec(n: number): FixtureSpec {
  const releases = Array.from({ length: n }, (_, i) => ({
    name: String(i + 1),
    revision: shaOf(String(i + 1)),
  }));
  return { releases, current: String(n) };
}

/** A fresh temporary directory and its cleanup. */
export async function tempRoot(): Promise<{ root: string; cleanup: () => Promise<void> }> {
  const root = await mkdtemp(join(tmpdir(), 'rollgate-deployer-'));
  return { root, cleanup: () => rm(root, { recursive: true, force: true }) };
}

/** A PortContext with a generous deadline. */
export function ctx(ms = 30_000): PortContext {
  return { signal: new AbortController().signal, deadline: Date.now() + ms };
}
