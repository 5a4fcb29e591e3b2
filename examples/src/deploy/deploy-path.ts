import { createHash } from 'node:crypto';
import { appendFile, mkdir, readlink, rename, symlink, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { ReleaseBehaviour } from '../service/release-behaviour';

/** One release as `dep deploy` leaves it. */
export interface DeployedRelease {
  readonly name: string;
  /** The git sha in `REVISION`. */
  readonly revision: string;
  /** The artifact id Rollgate's Deployer executor gives it: `<release>@<REVISION>`. */
  readonly artifactId: string;
}

/** A Deployer `deploy_path` (docs/adapters/deployer.md) on this machine. */
export interface DeployPath {
  readonly path: string;
  /**
   * What `dep deploy` does before the switch: `releases/<name>` with its files and `REVISION`,
   * a `.dep/releases_log` line and `.dep/latest_release`.
   */
  addRelease(name: string, behaviour: ReleaseBehaviour): Promise<DeployedRelease>;
  /** What `dep deploy` does last: `current -> releases/<name>`, swapped atomically. */
  switchTo(name: string): Promise<void>;
  /** The release `current` points at. */
  current(): Promise<string>;
}

/** Deployer's `created_at` format: `2024-05-01T12:00:00+0000`. */
function deployerTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, '+0000');
}

/** Creates an empty deploy_path (`releases/`, `shared/`, `.dep/`) under `root`. */
export async function createDeployPath(root: string): Promise<DeployPath> {
  const path = join(root, 'shop');
  await mkdir(join(path, 'releases'), { recursive: true });
  await mkdir(join(path, 'shared'), { recursive: true });
  await mkdir(join(path, '.dep'), { recursive: true });
  await writeFile(join(path, '.dep', 'releases_log'), '');
  return {
    path,
    async addRelease(name, behaviour) {
      const dir = join(path, 'releases', name);
      await mkdir(dir, { recursive: true });
      // A stand-in for the build: the release's behaviour is its "code".
      const code = `${JSON.stringify(behaviour, null, 2)}\n`;
      await writeFile(join(dir, 'release.json'), code);
      const revision = createHash('sha1').update(`shop release ${name}\n${code}`).digest('hex');
      await writeFile(join(dir, 'REVISION'), `${revision}\n`);
      const line = {
        created_at: deployerTime(Date.now()),
        release_name: name,
        user: 'ci',
        target: behaviour.version,
      };
      await appendFile(join(path, '.dep', 'releases_log'), `${JSON.stringify(line)}\n`);
      await writeFile(join(path, '.dep', 'latest_release'), name);
      return { name, revision, artifactId: `${name}@${revision}` };
    },
    async switchTo(name) {
      const temp = join(path, `current.tmp-${process.pid}`);
      await symlink(`releases/${name}`, temp);
      await rename(temp, join(path, 'current'));
    },
    async current() {
      return basename(await readlink(join(path, 'current')));
    },
  };
}
