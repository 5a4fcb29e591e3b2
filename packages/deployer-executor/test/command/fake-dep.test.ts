import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, readlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { shaOf, simpleSpec, tempRoot } from '../support/deploy-path';
import { buildFakeProject, type FakeProject } from '../support/fake-dep';

const exec = promisify(execFile);

/** Runs the double and never rejects: returns the exit code and output. */
async function dep(project: FakeProject, args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await exec(project.dep, args, {
      cwd: project.dir,
      env: { ...process.env, ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

// The double is a test fixture; these tests pin that it reproduces Deployer's behaviour as
// docs/adapters/deployer.md ("How it is tested") lists it, so the executor tests that rely on it
// test against Deployer's behaviour, not an invention.
describe('the dep double', () => {
  let root: string;
  let cleanup: () => Promise<void>;
  let project: FakeProject;

  beforeEach(async () => {
    ({ root, cleanup } = await tempRoot());
    project = await buildFakeProject(root, [
      { alias: 'web1', labels: { stage: 'prod' }, spec: simpleSpec(3) },
      { alias: 'web2', labels: { stage: 'prod' }, spec: simpleSpec(3) },
      { alias: 'stg', labels: { stage: 'staging' }, spec: simpleSpec(2) },
    ]);
  });
  afterEach(async () => cleanup());

  it('rolls back the selected hosts by label with [host]-prefixed output and marks the old release BAD', async () => {
    const r = await dep(project, ['rollback', 'stage=prod', '-n']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('[web1] rollback to release 2 was successful');
    expect(r.stdout).toContain('[web2] rollback to release 2 was successful');
    expect(r.stdout).not.toContain('[stg]');
    for (const host of ['web1', 'web2']) {
      const path = project.deployPaths[host] as string;
      expect(await readlink(join(path, 'current'))).toBe('releases/2');
      expect(await readFile(join(path, 'releases', '3', 'BAD_RELEASE'), 'utf8')).toMatch(
        /^\d{4}-\d\d-\d\dT[\d:]+\+0000,ci\n$/,
      );
    }
    expect(await readlink(join(project.deployPaths.stg as string, 'current'))).toBe('releases/2');
  });

  it('selects by alias, honours rollback_candidate and -f', async () => {
    const r = await dep(project, [
      'rollback',
      'web1',
      '-o',
      'rollback_candidate=1',
      '-n',
      '-f',
      project.recipe,
    ]);
    expect(r.code).toBe(0);
    expect(await readlink(join(project.deployPaths.web1 as string, 'current'))).toBe('releases/1');
    expect(await readlink(join(project.deployPaths.web2 as string, 'current'))).toBe('releases/3');
  });

  it('fails with "No host selected." without a selector when there are several hosts', async () => {
    const r = await dep(project, ['rollback', '-n']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('No host selected.');
  });

  it('prints "Rollback aborted." and exits 0 when the candidate is BAD', async () => {
    await writeFile(join(project.deployPaths.web1 as string, 'releases', '2', 'BAD_RELEASE'), 'x,ci\n');
    const r = await dep(project, ['rollback', 'web1', '-o', 'rollback_candidate=2', '-n']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('[web1] Rollback aborted.');
    expect(await readlink(join(project.deployPaths.web1 as string, 'current'))).toBe('releases/3');
  });

  it('skips BAD releases for the default candidate and says when none is left', async () => {
    await writeFile(join(project.deployPaths.stg as string, 'releases', '1', 'BAD_RELEASE'), 'x,ci\n');
    const r = await dep(project, ['rollback', 'stg', '-n']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('[stg] No more releases you can revert to.');
  });

  it('runs remote commands per host with Deployer placeholders', async () => {
    const r = await dep(project, ['run', 'readlink {{current_path}}', 'stage=prod', '-n']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('[web1] releases/3');
    expect(r.stdout).toContain('[web2] releases/3');
    const tail = await dep(project, ['run', 'tail -n 300 {{deploy_path}}/.dep/releases_log', 'web1', '-n']);
    expect(tail.stdout).toContain('"release_name":"3"');
    const ls = await dep(project, ['run', 'ls {{deploy_path}}/releases', 'web1', '-n']);
    expect(ls.stdout.split('\n').filter((l) => l.startsWith('[web1]'))).toEqual([
      '[web1] 1',
      '[web1] 2',
      '[web1] 3',
    ]);
    expect(shaOf('3')).toHaveLength(40);
  });

  it('is as injectable as Deployer itself when handed a hostile candidate (which is why the executor never does)', async () => {
    const marker = join(root, 'pwned-by-double');
    await dep(project, ['rollback', 'web1', '-o', `rollback_candidate=$(touch ${marker})`, '-n']);
    expect(existsSync(marker)).toBe(true);
  });
});
