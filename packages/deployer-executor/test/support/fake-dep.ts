import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildDeployPath, type FixtureSpec } from './deploy-path';

/** The Node script that plays `dep` (see its header for what it reproduces). */
export const FAKE_DEP_SCRIPT = fileURLToPath(new URL('../fixtures/fake-dep.mjs', import.meta.url));

/** One host of a fake Deployer project. */
export interface FakeHost {
  readonly alias: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly spec: FixtureSpec;
}

/** A fake Deployer project: a `dep` executable, a recipe, host directories and an argv log. */
export interface FakeProject {
  /** Path of the `dep` wrapper (a shell script exec-ing node on the double). */
  readonly dep: string;
  /** The project directory (cwd for dep), holding deploy.php. */
  readonly dir: string;
  /** Absolute path of the recipe. */
  readonly recipe: string;
  /** deploy_path of each host by alias. */
  readonly deployPaths: Readonly<Record<string, string>>;
  /** File the double appends its argv to (pass as FAKE_DEP_LOG). */
  readonly log: string;
  /** The argv of every invocation so far. */
  invocations(): Promise<string[][]>;
}

/** Builds a fake project under `root`; the recipe is JSON in `deploy.php` (see the double). */
export async function buildFakeProject(root: string, hosts: readonly FakeHost[]): Promise<FakeProject> {
  const deployPaths: Record<string, string> = {};
  const recipeHosts: Record<string, unknown> = {};
  for (const host of hosts) {
    const deployPath = await buildDeployPath(root, host.spec, `host-${host.alias}`);
    deployPaths[host.alias] = deployPath;
    recipeHosts[host.alias] = { deploy_path: deployPath, labels: host.labels ?? {}, user: 'ci' };
  }
  const dir = join(root, 'project');
  const { mkdir } = await import('node:fs/promises');
  await mkdir(dir, { recursive: true });
  const recipe = join(dir, 'deploy.php');
  await writeFile(recipe, JSON.stringify({ hosts: recipeHosts }, null, 2));
  const dep = join(root, 'dep');
  await writeFile(dep, `#!/bin/sh\nexec '${process.execPath}' '${FAKE_DEP_SCRIPT}' "$@"\n`);
  await chmod(dep, 0o755);
  const log = join(root, 'dep-invocations.jsonl');
  return {
    dep,
    dir,
    recipe,
    deployPaths,
    log,
    invocations: async () => {
      try {
        const text = await readFile(log, 'utf8');
        return text
          .trim()
          .split('\n')
          .filter(Boolean)
          .map((l) => (JSON.parse(l) as { argv: string[] }).argv);
      } catch {
        return [];
      }
    },
  };
}
