import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ArtifactRef } from '@rollgate/core';
import { systemClock } from '@rollgate/core/node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DepRunner } from '../../src/command/dep-runner';
import { createRedactor } from '../../src/command/redactor';
import { type CommandDeployerOptions, createDeployerExecutor, type DeployerExecutor } from '../../src/index';
import { ctx, type FixtureSpec, logLine, shaOf, simpleSpec, tempRoot } from '../support/deploy-path';
import { buildFakeProject, FAKE_DEP_SCRIPT, type FakeHost, type FakeProject } from '../support/fake-dep';

let root: string;
let cleanup: () => Promise<void>;
let warnings: string[];
const executors: DeployerExecutor[] = [];

beforeEach(async () => {
  ({ root, cleanup } = await tempRoot());
  warnings = [];
});
afterEach(async () => {
  for (const e of executors.splice(0)) await e.dispose();
  await cleanup();
});

const prod = (spec: FixtureSpec = simpleSpec(3)): FakeHost[] => [
  { alias: 'web1', labels: { stage: 'prod' }, spec },
  { alias: 'web2', labels: { stage: 'prod' }, spec },
];

async function setup(
  hosts: readonly FakeHost[],
  options: Partial<Omit<CommandDeployerOptions, 'mode'>> = {},
  env: Record<string, string> = {},
): Promise<{ project: FakeProject; executor: DeployerExecutor }> {
  const project = await buildFakeProject(root, hosts);
  const executor = createDeployerExecutor({
    mode: 'command',
    dep: project.dep,
    selector: 'stage=prod',
    cwd: project.dir,
    onWarning: (m) => warnings.push(m),
    ...options,
    env: { FAKE_DEP_LOG: project.log, ...env, ...options.env },
  });
  executors.push(executor);
  return { project, executor };
}

const ref = (name: string): ArtifactRef => ({ id: `${name}@${shaOf(name)}` });

async function links(project: FakeProject): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [host, path] of Object.entries(project.deployPaths))
    out[host] = await readlink(join(path, 'current'));
  return out;
}

/** Every place a `touch pwned` run by some shell could have landed. */
async function pwnedFiles(project: FakeProject): Promise<string[]> {
  const dirs = [root, project.dir, process.cwd(), ...Object.values(project.deployPaths)];
  for (const path of Object.values(project.deployPaths)) {
    for (const r of await readdir(join(path, 'releases'))) dirs.push(join(path, 'releases', r));
  }
  return dirs.map((d) => join(d, 'pwned')).filter((p) => existsSync(p));
}

describe('reading the hosts', () => {
  it('reads current and candidates on every host through dep run', async () => {
    const { executor, project } = await setup(prod());
    const current = await executor.current(ctx());
    expect(current.ok && current.value).toMatchObject({
      id: ref('3').id,
      revision: shaOf('3'),
      target: 'v1.2.0',
      attributes: { release: '3', hosts: 'web1,web2', selector: 'stage=prod' },
    });
    const list = await executor.candidates(ctx());
    expect(list.ok && list.value.map((a) => a.id)).toEqual([ref('3').id, ref('2').id, ref('1').id]);
    const calls = await project.invocations();
    expect(calls.every((argv) => argv[0] === 'run' && argv[2] === 'stage=prod' && argv[3] === '-n')).toBe(
      true,
    );
  });

  it('lists only releases present on every host with the same REVISION, and skips BAD ones', async () => {
    const base = simpleSpec(4).releases;
    const { executor } = await setup([
      { alias: 'web1', labels: { stage: 'prod' }, spec: { releases: base, current: '4' } },
      {
        alias: 'web2',
        labels: { stage: 'prod' },
        spec: {
          releases: base.map((r) =>
            r.name === '1'
              ? { ...r, deleted: true }
              : r.name === '2'
                ? { ...r, revision: 'other' }
                : r.name === '3'
                  ? { ...r, bad: true }
                  : r,
          ),
          current: '4',
        },
      },
    ]);
    const list = await executor.candidates(ctx());
    expect(list.ok && list.value.map((a) => a.id)).toEqual([ref('4').id]);
    const c = await executor.rollbackCandidate(ctx());
    expect(!c.ok && c.error.message).toContain('No more releases you can revert to.');
  });

  it('refuses with a clear error when hosts disagree on the current release', async () => {
    const { executor } = await setup([
      { alias: 'web1', labels: { stage: 'prod' }, spec: simpleSpec(3) },
      { alias: 'web2', labels: { stage: 'prod' }, spec: { ...simpleSpec(3), current: '2' } },
    ]);
    const current = await executor.current(ctx());
    expect(current.ok).toBe(false);
    if (!current.ok) {
      expect(current.error.code).toBe('EXECUTOR_REFUSED');
      expect(current.error.message).toContain(`web1: ${ref('3').id}`);
      expect(current.error.message).toContain(`web2: ${ref('2').id}`);
    }
    const cut = await executor.cutover(ref('1'), 'op-mixed', ctx());
    expect(!cut.ok && cut.error.code).toBe('EXECUTOR_REFUSED');
  });

  it('reports an unreachable host as EXECUTOR_UNAVAILABLE with its output line', async () => {
    const { executor } = await setup(prod(), {}, { FAKE_DEP_UNREACHABLE: 'web2' });
    const current = await executor.current(ctx());
    expect(current.ok).toBe(false);
    if (!current.ok) {
      expect(current.error.code).toBe('EXECUTOR_UNAVAILABLE');
      expect(current.error.retryable).toBe(true);
      expect(current.error.message).toContain('[web2] ssh: connect to host web2 port 22: Connection refused');
    }
  });

  it('passes "No host selected." through when the selector matches nothing', async () => {
    const { executor } = await setup(prod(), { selector: 'stage=nope' });
    const current = await executor.current(ctx());
    expect(!current.ok && current.error.message).toContain('No host selected.');
  });

  it('agrees with the artifact-id one-liner that docs/adapters/deployer.md gives CI', async () => {
    const { executor, project } = await setup(prod());
    const runner = new DepRunner(
      {
        mode: 'command',
        dep: [project.dep],
        selector: 'stage=prod',
        env: {},
        checkCommand: 'true',
        cwd: project.dir,
      },
      systemClock,
      createRedactor({}),
    );
    const oneLiner =
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell parameter expansion, not a JS template
      'r=$(readlink {{current_path}}); printf "%s@%s\\n" "${r##*/}" "$(cat {{current_path}}/REVISION)"';
    const run = await runner.run(['run', oneLiner, 'stage=prod'], ctx(), 'docs example');
    const printed = run.ok
      ? [...new Set(run.value.stdout.match(/^\[[^\]]*\] (.*)$/gm)?.map((l) => l.replace(/^\[[^\]]*\] /, '')))]
      : [];
    const current = await executor.current(ctx());
    expect(printed).toEqual([current.ok ? current.value.id : 'unreadable']);
  });

  it('skips log lines whose release name dep could not be handed safely, with a warning', async () => {
    const { executor } = await setup(
      prod({ ...simpleSpec(2), extraLogLines: ['{"release_name": "a b"}', 'garbage'] }),
    );
    const list = await executor.candidates(ctx());
    expect(list.ok && list.value.map((a) => a.id)).toEqual([ref('2').id, ref('1').id]);
    expect(warnings.some((w) => w.startsWith('[web1] .dep/releases_log') && w.includes('"a b"'))).toBe(true);
    expect(warnings.some((w) => w.includes('is not JSON'))).toBe(true);
  });
});

describe('cutover through dep rollback', () => {
  it('runs dep rollback with an argument array and confirms every host moved', async () => {
    const { executor, project } = await setup(prod(), { deployFile: 'deploy.php' });
    const receipt = await executor.cutover(ref('2'), 'op-1', ctx());
    expect(receipt.ok).toBe(true);
    if (!receipt.ok) return;
    expect(receipt.value).toMatchObject({
      changed: true,
      from: { id: ref('3').id },
      to: { id: ref('2').id },
    });
    expect(receipt.value.detail).toContain('web1, web2 switched from releases/3 to releases/2');
    expect(await links(project)).toEqual({ web1: 'releases/2', web2: 'releases/2' });
    for (const path of Object.values(project.deployPaths)) {
      expect(existsSync(join(path, 'releases', '3', 'BAD_RELEASE'))).toBe(true);
      expect(await readFile(join(path, '.dep', 'rollgate-cutover'), 'utf8')).toMatch(
        /^op=[0-9a-f]{32} from=3 to=2\n$/,
      );
    }
    const calls = await project.invocations();
    expect(calls).toContainEqual([
      'rollback',
      'stage=prod',
      '-o',
      'rollback_candidate=2',
      '-n',
      '-f',
      'deploy.php',
    ]);
    expect(calls).toContainEqual([
      'run',
      'readlink {{current_path}}',
      'stage=prod',
      '-n',
      '-f',
      'deploy.php',
    ]);
  });

  it('accepts dep as an argument vector and a host alias as selector', async () => {
    const { executor, project } = await setup(prod(), {
      dep: [process.execPath, FAKE_DEP_SCRIPT],
      selector: 'web1',
    });
    const receipt = await executor.cutover(ref('1'), 'op-alias', ctx());
    expect(receipt.ok && receipt.value.changed).toBe(true);
    expect(await links(project)).toEqual({ web1: 'releases/1', web2: 'releases/3' });
  });

  it('detects "Rollback aborted." (exit 0) by reading current, and fails', async () => {
    const { executor, project } = await setup(prod(), {}, { FAKE_DEP_BAD_RACE: '1' });
    const receipt = await executor.cutover(ref('2'), 'op-race', ctx());
    expect(receipt.ok).toBe(false);
    if (!receipt.ok) {
      expect(receipt.error.code).toBe('CUTOVER_FAILED');
      expect(receipt.error.message).toContain('exited 0 but current is not releases/2');
      expect(receipt.error.message).toContain('Rollback aborted.');
    }
    expect(await links(project)).toEqual({ web1: 'releases/3', web2: 'releases/3' });
  });

  it('does not trust the exit code even without the abort message: a check that disagrees fails the cutover', async () => {
    const { executor } = await setup(prod(), { checkCommand: 'echo releases/999' });
    const receipt = await executor.cutover(ref('2'), 'op-check', ctx());
    expect(!receipt.ok && receipt.error.code).toBe('CUTOVER_FAILED');
    expect(!receipt.ok && receipt.error.message).toContain('web1: 999');
  });

  it('treats a non-zero exit as CUTOVER_FAILED with the relevant lines, then refuses the mixed fleet', async () => {
    const { executor, project } = await setup(prod(), {}, { FAKE_DEP_FAIL_ROLLBACK: 'web2' });
    const receipt = await executor.cutover(ref('2'), 'op-partial', ctx());
    expect(receipt.ok).toBe(false);
    if (!receipt.ok) {
      expect(receipt.error.code).toBe('CUTOVER_FAILED');
      expect(receipt.error.message).toContain('exited with 1');
      expect(receipt.error.details.output).toContain(
        '[web2] ssh: connect to host web2 port 22: Connection refused',
      );
    }
    expect(await links(project)).toEqual({ web1: 'releases/2', web2: 'releases/3' });
    const replay = await executor.cutover(ref('2'), 'op-partial', ctx());
    expect(!replay.ok && replay.error.code).toBe('EXECUTOR_REFUSED');
    expect(!replay.ok && replay.error.message).toContain('disagree');
  });

  it('is idempotent per operationId across processes and never switches twice', async () => {
    const { executor, project } = await setup(prod(simpleSpec(4)));
    expect((await executor.cutover(ref('3'), 'op-a', ctx())).ok).toBe(true);
    const fresh = createDeployerExecutor({
      mode: 'command',
      dep: project.dep,
      selector: 'stage=prod',
      cwd: project.dir,
      env: { FAKE_DEP_LOG: project.log },
    });
    executors.push(fresh);
    const replay = await fresh.cutover(ref('3'), 'op-a', ctx());
    expect(replay.ok && replay.value.changed).toBe(false);
    expect(replay.ok && replay.value.detail).toContain('Replay of operation');
    expect(replay.ok && replay.value.from?.id).toBe(ref('4').id);
    for (const path of Object.values(project.deployPaths)) {
      await rm(join(path, 'current'));
      await symlink('releases/2', join(path, 'current'));
    }
    const again = await fresh.cutover(ref('3'), 'op-a', ctx());
    expect(!again.ok && again.error.code).toBe('EXECUTOR_REFUSED');
    expect(await links(project)).toEqual({ web1: 'releases/2', web2: 'releases/2' });
  });

  it('refuses while a host holds the deploy lock, and refuses BAD targets before calling dep rollback', async () => {
    const { executor, project } = await setup([
      { alias: 'web1', labels: { stage: 'prod' }, spec: { ...simpleSpec(3), locked: true } },
      { alias: 'web2', labels: { stage: 'prod' }, spec: simpleSpec(3) },
    ]);
    const locked = await executor.cutover(ref('2'), 'op-lock', ctx());
    expect(!locked.ok && locked.error.code).toBe('EXECUTOR_REFUSED');
    expect(!locked.ok && locked.error.message).toContain('web1 (held by "ci")');
    await rm(join(project.deployPaths.web1 as string, '.dep', 'deploy.lock'));
    await writeFile(join(project.deployPaths.web2 as string, 'releases', '2', 'BAD_RELEASE'), 'x,ci\n');
    const bad = await executor.cutover(ref('2'), 'op-bad', ctx());
    expect(!bad.ok && bad.error.code).toBe('EXECUTOR_REFUSED');
    expect((await project.invocations()).some((argv) => argv[0] === 'rollback')).toBe(false);
  });

  it('gates on current across hosts when no health URL is configured', async () => {
    const { executor } = await setup(prod());
    const gate = await executor.awaitReady(ref('3'), ctx());
    expect(gate.ok && gate.value.detail).toContain('on web1, web2');
    const wrong = await executor.awaitReady(ref('2'), ctx());
    expect(!wrong.ok && wrong.error.code).toBe('GATE_FAILED');
  });
});

describe('hostile input never reaches a shell', () => {
  it('rejects a hostile selector at the factory', () => {
    for (const selector of [
      'prod; rm -rf /',
      'prod && touch pwned',
      '$(touch pwned)',
      '`id`',
      '-o',
      'a b',
      'x|y',
    ]) {
      expect(() => createDeployerExecutor({ mode: 'command', selector })).toThrow(/options\.selector/);
    }
  });

  it('passes shell metacharacters to dep as one inert argument (no shell in between)', async () => {
    const project = await buildFakeProject(root, prod());
    const marker = join(root, 'pwned-runner');
    const runner = new DepRunner(
      { mode: 'command', dep: [project.dep], selector: 'x', env: {}, checkCommand: 'true', cwd: project.dir },
      systemClock,
      createRedactor({}),
    );
    for (const selector of [
      `prod; touch ${marker}`,
      `$(touch ${marker})`,
      `\`touch ${marker}\``,
      `prod && touch ${marker}`,
    ]) {
      const run = await runner.run(['run', 'true', selector], ctx(), 'test');
      expect(run.ok && run.value.exitCode).toBe(1);
      expect(run.ok && run.value.stderr).toContain('No host selected.');
    }
    expect(existsSync(marker)).toBe(false);
  });

  it('never hands a release named $(touch pwned) to dep, though dep would run it', async () => {
    const hostile = '$(touch pwned)';
    const spec: FixtureSpec = {
      releases: [
        { name: '1', revision: shaOf('1') },
        { name: hostile, revision: 'rh' },
        { name: '3', revision: shaOf('3') },
      ],
      current: '3',
    };
    const { executor, project } = await setup(prod(spec));
    const list = await executor.candidates(ctx());
    expect(list.ok && list.value.map((a) => a.id)).toEqual([ref('3').id, ref('1').id]);
    expect(
      warnings.some((w) => w.includes('$(touch pwned)') && w.includes('command mode accepts only')),
    ).toBe(true);
    const cut = await executor.cutover({ id: `${hostile}@rh` }, 'op-hostile', ctx());
    expect(!cut.ok && cut.error.code).toBe('ARTIFACT_NOT_FOUND');
    expect((await project.invocations()).some((argv) => argv[0] === 'rollback')).toBe(false);
    expect(await pwnedFiles(project)).toEqual([]);
    expect(await links(project)).toEqual({ web1: 'releases/3', web2: 'releases/3' });
  });

  it('prints a hostile name that only exists as a directory without running it', async () => {
    const { executor, project } = await setup(prod());
    for (const path of Object.values(project.deployPaths)) {
      await mkdir(join(path, 'releases', '$(touch pwned)'));
      await mkdir(join(path, 'releases', '`touch pwned`'));
      await writeFile(join(path, '.dep', 'releases_log'), `${logLine('`touch pwned`', 9)}\n`, { flag: 'a' });
    }
    expect((await executor.candidates(ctx())).ok).toBe(true);
    expect(await pwnedFiles(project)).toEqual([]);
  });
});

describe('secrets, abort and deadline', () => {
  it('redacts env values that dep echoes from errors and details', async () => {
    const token = 'tok-s3cr3t';
    const { executor } = await setup(
      prod(),
      {},
      { DEPLOY_TOKEN: token, FAKE_DEP_EXIT: '2', FAKE_DEP_LEAK_ENV: 'DEPLOY_TOKEN' },
    );
    const current = await executor.current(ctx());
    expect(current.ok).toBe(false);
    if (!current.ok) {
      const serialised = JSON.stringify(current.error);
      expect(serialised).toContain('[redacted]');
      expect(serialised).not.toContain(token);
      expect(current.error.message).not.toContain(token);
    }
  });

  it('redacts the same echo when a host fails during a rollback', async () => {
    const token = 'an-innocuous-name-but-long-value';
    const { executor } = await setup(
      prod(),
      {},
      { SOME_VALUE: token, FAKE_DEP_FAIL_ROLLBACK: 'web1', FAKE_DEP_LEAK_ENV: 'SOME_VALUE' },
    );
    const receipt = await executor.cutover(ref('2'), 'op-leak', ctx());
    expect(!receipt.ok && receipt.error.code).toBe('CUTOVER_FAILED');
    if (!receipt.ok) {
      expect(receipt.error.message).toContain('[web1] ERROR auth failed with token [redacted]');
      expect(JSON.stringify(receipt.error)).not.toContain(token);
    }
  });

  it('kills dep and resolves ABORTED when the caller aborts mid-run', async () => {
    const { executor } = await setup(prod(), {}, { FAKE_DEP_SLEEP_MS: '5000' });
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(new Error('operator stopped the watch')), 100);
    const current = await executor.current({ signal: controller.signal, deadline: Date.now() + 30_000 });
    expect(!current.ok && current.error.code).toBe('ABORTED');
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('treats a deadline beyond the timer range as no bound (not as an immediate timeout)', async () => {
    const { executor } = await setup(prod());
    const current = await executor.current({
      signal: new AbortController().signal,
      deadline: Number.MAX_SAFE_INTEGER,
    });
    expect(current.ok).toBe(true);
  });

  it('kills dep and resolves TIMEOUT at the deadline', async () => {
    const { executor } = await setup(prod(), {}, { FAKE_DEP_SLEEP_MS: '5000' });
    const started = Date.now();
    const current = await executor.current({
      signal: new AbortController().signal,
      deadline: Date.now() + 300,
    });
    expect(!current.ok && current.error.code).toBe('TIMEOUT');
    expect(!current.ok && current.error.retryable).toBe(true);
    expect(Date.now() - started).toBeLessThan(3000);
  });
});
