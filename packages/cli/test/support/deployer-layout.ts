import { appendFile, mkdir, readlink, rename, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** A Deployer deploy_path in a directory, as `dep deploy` leaves it (docs/adapters/deployer.md). */
export interface DeployerLayout {
  readonly deployPath: string;
  /** Adds releases/<name> with a REVISION file and a releases_log line; does not switch. */
  addRelease(name: string, revision: string, target?: string): Promise<void>;
  /** What `dep deploy` does last: an atomic switch of `current` to releases/<name>. */
  switchTo(name: string): Promise<void>;
  /** The release `current` points at. */
  current(): Promise<string>;
}

export async function createDeployerLayout(root: string): Promise<DeployerLayout> {
  const deployPath = join(root, 'app');
  await mkdir(join(deployPath, 'releases'), { recursive: true });
  await mkdir(join(deployPath, '.dep'), { recursive: true });
  await mkdir(join(deployPath, 'shared'), { recursive: true });
  await writeFile(join(deployPath, '.dep', 'releases_log'), '');
  return {
    deployPath,
    async addRelease(name, revision, target = `v${name}`) {
      await mkdir(join(deployPath, 'releases', name), { recursive: true });
      await writeFile(join(deployPath, 'releases', name, 'REVISION'), `${revision}\n`);
      const createdAt = new Date().toISOString().replace(/\.\d{3}Z$/, '+0000');
      await appendFile(
        join(deployPath, '.dep', 'releases_log'),
        `${JSON.stringify({ created_at: createdAt, release_name: name, user: 'ci', target })}\n`,
      );
      await writeFile(join(deployPath, '.dep', 'latest_release'), name);
    },
    async switchTo(name) {
      const temp = join(deployPath, `current.tmp-${process.pid}`);
      await symlink(`releases/${name}`, temp);
      await rename(temp, join(deployPath, 'current'));
    },
    async current() {
      return (await readlink(join(deployPath, 'current'))).replace(/^releases\//, '');
    },
  };
}
