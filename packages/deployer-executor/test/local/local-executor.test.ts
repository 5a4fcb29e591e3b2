import { existsSync } from 'node:fs';
import { lstat, mkdir, readdir, readFile, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ArtifactRef, PortContext } from '@rollgate/core';
import { SimulatedClock } from '@rollgate/core/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDeployerExecutor, type DeployerExecutor } from '../../src/index';
import { lockOwner } from '../../src/local/deploy-lock';
import { JOURNAL_FILE, writeJournal } from '../../src/local/operation-journal';
import {
  buildDeployPath,
  ctx,
  type FixtureSpec,
  logLine,
  shaOf,
  simpleSpec,
  tempRoot,
} from '../support/deploy-path';

let root: string;
let cleanup: () => Promise<void>;
let warnings: string[];

beforeEach(async () => {
  ({ root, cleanup } = await tempRoot());
  warnings = [];
});
afterEach(async () => cleanup());

async function setup(spec: FixtureSpec, extra: { user?: string; clock?: SimulatedClock } = {}) {
  const deployPath = await buildDeployPath(root, spec);
  const executor = createDeployerExecutor({
    mode: 'local',
    deployPath,
    onWarning: (m) => warnings.push(m),
    ...(extra.user === undefined ? {} : { user: extra.user }),
    ...(extra.clock === undefined ? {} : { clock: extra.clock }),
  });
  return { deployPath, executor };
}

async function ids(executor: DeployerExecutor): Promise<string[]> {
  const list = await executor.candidates(ctx());
  if (!list.ok) throw list.error;
  return list.value.map((a) => a.id);
}

async function currentId(executor: DeployerExecutor): Promise<string> {
  const current = await executor.current(ctx());
  if (!current.ok) throw current.error;
  return current.value.id;
}

function ref(name: string): ArtifactRef {
  return { id: `${name}@${shaOf(name)}` };
}

describe('artifact identity', () => {
  it('is <release>@<REVISION> with target, createdAt and the log user; newest first', async () => {
    const { executor, deployPath } = await setup(simpleSpec(3));
    const list = await executor.candidates(ctx());
    expect(list.ok).toBe(true);
    if (!list.ok) return;
    expect(list.value.map((a) => a.id)).toEqual(['3', '2', '1'].map((n) => `${n}@${shaOf(n)}`));
    expect(list.value[1]).toEqual({
      id: `2@${shaOf('2')}`,
      revision: shaOf('2'),
      target: 'v1.1.0',
      createdAt: Date.UTC(2024, 4, 1, 12, 1, 0),
      attributes: { release: '2', deployPath, deployedBy: 'ci' },
    });
  });

  it('is the bare release name when there is no REVISION file, and stays the same across reads', async () => {
    const { executor } = await setup({ releases: [{ name: '1' }, { name: '2' }], current: '2' });
    expect(await currentId(executor)).toBe('2');
    expect(await ids(executor)).toEqual(['2', '1']);
    expect(await ids(executor)).toEqual(['2', '1']);
  });

  it('reads current when the link is absolute or outside the log window', async () => {
    const { executor, deployPath } = await setup({
      releases: [
        { name: '1', revision: shaOf('1') },
        { name: '2', revision: shaOf('2'), unlogged: true },
      ],
    });
    await symlink(join(deployPath, 'releases', '2'), join(deployPath, 'current'));
    const current = await executor.current(ctx());
    expect(current.ok && current.value).toMatchObject({ id: `2@${shaOf('2')}`, revision: shaOf('2') });
    expect(current.ok && current.value.target).toBeUndefined();
  });
});

describe('candidate selection (dep rollback semantics)', () => {
  it('picks the first release older than current', async () => {
    const { executor } = await setup(simpleSpec(5));
    const c = await executor.rollbackCandidate(ctx());
    expect(c.ok && c.value.id).toBe(ref('4').id);
  });

  it('skips BAD releases in the candidate and the candidate list, and refuses to cut over to one', async () => {
    const spec: FixtureSpec = {
      releases: ['1', '2', '3', '4', '5'].map((name) => ({
        name,
        revision: shaOf(name),
        bad: name === '4' || name === '3',
      })),
      current: '5',
    };
    const { executor, deployPath } = await setup(spec);
    const c = await executor.rollbackCandidate(ctx());
    expect(c.ok && c.value.id).toBe(ref('2').id);
    expect(await ids(executor)).toEqual([ref('5').id, ref('2').id, ref('1').id]);
    const refused = await executor.cutover(ref('4'), 'op-bad', ctx());
    expect(refused.ok).toBe(false);
    if (!refused.ok) {
      expect(refused.error.code).toBe('EXECUTOR_REFUSED');
      expect(refused.error.message).toContain('BAD_RELEASE');
    }
    expect(await readlink(join(deployPath, 'current'))).toBe('releases/5');
  });

  it('says "No more releases you can revert to." when nothing is left', async () => {
    const { executor } = await setup({
      releases: [
        { name: '1', revision: 'a1', bad: true },
        { name: '2', revision: 'a2' },
      ],
      current: '2',
    });
    const c = await executor.rollbackCandidate(ctx());
    expect(c.ok).toBe(false);
    if (!c.ok) {
      expect(c.error.code).toBe('ARTIFACT_NOT_FOUND');
      expect(c.error.message).toContain('No more releases you can revert to.');
    }
  });

  it('leaves out releases whose directory was deleted', async () => {
    const spec: FixtureSpec = {
      releases: ['1', '2', '3'].map((name) => ({ name, revision: shaOf(name), deleted: name === '2' })),
      current: '3',
    };
    const { executor } = await setup(spec);
    expect(await ids(executor)).toEqual([ref('3').id, ref('1').id]);
    const c = await executor.rollbackCandidate(ctx());
    expect(c.ok && c.value.id).toBe(ref('1').id);
    const gone = await executor.cutover(ref('2'), 'op-gone', ctx());
    expect(!gone.ok && gone.error.code).toBe('ARTIFACT_NOT_FOUND');
  });

  it('reads only the last 300 lines of releases_log', async () => {
    const releases = Array.from({ length: 310 }, (_, i) => ({
      name: String(i + 1),
      revision: shaOf(String(i + 1)),
    }));
    const { executor, deployPath } = await setup({ releases, current: '310' });
    const list = await ids(executor);
    expect(list).toHaveLength(300);
    expect(list[0]).toBe(ref('310').id);
    expect(list[299]).toBe(ref('11').id);
    const outside = await executor.cutover(ref('10'), 'op-window', ctx());
    expect(!outside.ok && outside.error.code).toBe('ARTIFACT_NOT_FOUND');
    expect(await readlink(join(deployPath, 'current'))).toBe('releases/310');
  });

  it('lists a release logged twice once, with its newest log line', async () => {
    const { executor } = await setup({
      releases: [
        { name: '1', revision: 'r1' },
        { name: '2', revision: 'r2' },
      ],
      current: '2',
      extraLogLines: [logLine('1', 9, 'v9-redeploy')],
    });
    const list = await executor.candidates(ctx());
    expect(list.ok && list.value.map((a) => [a.id, a.target])).toEqual([
      ['1@r1', 'v9-redeploy'],
      ['2@r2', 'v1.1.0'],
    ]);
  });
});

describe('malformed and hostile releases_log lines', () => {
  it('skips malformed lines with a warning and never crashes', async () => {
    const { executor } = await setup({
      ...simpleSpec(3),
      extraLogLines: [
        'not json at all',
        '[1,2]',
        '{"release_name": 7.5}',
        '{"created_at": "2024-05-01T12:00:00+0000", "release_na',
        '',
      ],
    });
    expect(await ids(executor)).toEqual([ref('3').id, ref('2').id, ref('1').id]);
    expect(warnings.filter((w) => w.includes('skipped'))).toHaveLength(4);
    // A watch reads every tick: the same line warns once per executor, not once per read.
    await ids(executor);
    expect(warnings).toHaveLength(4);
  });

  it('treats a torn line for the current release as "no candidate", never as a guess', async () => {
    const { executor, deployPath } = await setup({
      releases: [
        { name: '1', revision: 'r1' },
        { name: '2', revision: 'r2' },
        { name: '3', revision: 'r3', unlogged: true },
      ],
      current: '3',
      extraLogLines: ['{"created_at": "2024-05-01T12:09:00+0000", "release_name": "3", "us'],
    });
    const c = await executor.rollbackCandidate(ctx());
    expect(!c.ok && c.error.message).toContain('No more releases you can revert to.');
    expect(await currentId(executor)).toBe('3@r3');
    expect(await readlink(join(deployPath, 'current'))).toBe('releases/3');
  });

  it('rejects names that leave releases/ and keeps odd-but-safe names inert', async () => {
    const hostile = '$(touch pwned)';
    const spec: FixtureSpec = {
      releases: [
        { name: '1', revision: 'r1' },
        { name: hostile, revision: 'rh' },
        { name: '2', revision: 'r2' },
      ],
      current: '2',
      extraLogLines: ['../../etc', 'a/b', '..', 'x\u0001y', '@3', ''].map((n) =>
        JSON.stringify({
          created_at: '2024-05-01T12:00:00+0000',
          release_name: n,
          user: 'ci',
          target: 'evil',
        }),
      ),
    };
    const { executor, deployPath } = await setup(spec);
    // A directory the traversal names would reach if it were not validated.
    await mkdir(join(root, 'etc'), { recursive: true });
    expect(await ids(executor)).toEqual(['2@r2', `${hostile}@rh`, '1@r1']);
    expect(warnings.filter((w) => w.includes('not a valid release name'))).toHaveLength(6);
    const traversal = await executor.cutover({ id: '../../etc' }, 'op-escape', ctx());
    expect(!traversal.ok && traversal.error.code).toBe('ARTIFACT_NOT_FOUND');

    const receipt = await executor.cutover({ id: `${hostile}@rh` }, 'op-hostile', ctx());
    expect(receipt.ok).toBe(true);
    expect(await readlink(join(deployPath, 'current'))).toBe(`releases/${hostile}`);
    for (const dir of [root, deployPath, process.cwd()]) expect(existsSync(join(dir, 'pwned'))).toBe(false);
  });
});

describe('cutover', () => {
  it('switches current atomically to a relative link, marks the old release BAD, leaves releases_log alone', async () => {
    const clock = new SimulatedClock(Date.UTC(2024, 5, 1, 10, 0, 0));
    const { executor, deployPath } = await setup(simpleSpec(3), { clock, user: 'deploy-bot' });
    const log = await readFile(join(deployPath, '.dep', 'releases_log'));
    const c: PortContext = { signal: new AbortController().signal, deadline: clock.now() + 10_000 };
    const receipt = await executor.cutover(ref('2'), 'op-1', c);
    expect(receipt.ok).toBe(true);
    if (!receipt.ok) return;
    expect(receipt.value).toMatchObject({
      operationId: 'op-1',
      changed: true,
      from: { id: ref('3').id },
      to: { id: ref('2').id },
    });
    expect(receipt.value.detail).toContain('releases/3');
    expect(await readlink(join(deployPath, 'current'))).toBe('releases/2');
    expect((await lstat(join(deployPath, 'current'))).isSymbolicLink()).toBe(true);
    expect(await readFile(join(deployPath, 'releases', '3', 'BAD_RELEASE'), 'utf8')).toBe(
      '2024-06-01T10:00:00+0000,deploy-bot\n',
    );
    expect(await readFile(join(deployPath, '.dep', 'releases_log'))).toEqual(log);
    const entries = await readdir(deployPath);
    expect(entries.filter((e) => e.startsWith('.rollgate'))).toEqual([]);
    expect(existsSync(join(deployPath, '.dep', 'deploy.lock'))).toBe(false);
    const journal = JSON.parse(await readFile(join(deployPath, '.dep', JOURNAL_FILE), 'utf8'));
    expect(journal).toMatchObject({ operationId: 'op-1', phase: 'done', fromRelease: '3', toRelease: '2' });
  });

  it('refuses while .dep/deploy.lock exists and changes nothing', async () => {
    const { executor, deployPath } = await setup({ ...simpleSpec(3), locked: true });
    const receipt = await executor.cutover(ref('2'), 'op-lock', ctx());
    expect(receipt.ok).toBe(false);
    if (!receipt.ok) {
      expect(receipt.error.code).toBe('EXECUTOR_REFUSED');
      expect(receipt.error.retryable).toBe(true);
      expect(receipt.error.message).toContain('dep deploy:unlock');
    }
    expect(await readlink(join(deployPath, 'current'))).toBe('releases/3');
    expect(await readFile(join(deployPath, '.dep', 'deploy.lock'), 'utf8')).toBe('ci\n');
    expect(existsSync(join(deployPath, 'releases', '3', 'BAD_RELEASE'))).toBe(false);
  });

  it('answers a replay under a deploy lock without touching the lock', async () => {
    const { executor, deployPath } = await setup({ ...simpleSpec(3), current: '2', locked: true });
    const receipt = await executor.cutover(ref('2'), 'op-live', ctx());
    expect(receipt.ok && receipt.value.changed).toBe(false);
    expect(await readFile(join(deployPath, '.dep', 'deploy.lock'), 'utf8')).toBe('ci\n');
  });

  it("releases its own operation's stale lock when a replay has nothing left to switch (issue 18)", async () => {
    // Killed after taking the lock, once the target was already live: no journal of it.
    const { executor, deployPath } = await setup({ ...simpleSpec(3), current: '2' });
    await writeFile(join(deployPath, '.dep', 'deploy.lock'), `${lockOwner('op-over')}\n`);
    const receipt = await executor.cutover(ref('2'), 'op-over', ctx());
    expect(receipt.ok && receipt.value.changed).toBe(false);
    expect(existsSync(join(deployPath, '.dep', 'deploy.lock'))).toBe(false);
    expect(warnings.some((w) => w.includes("Released Deployer's deploy lock"))).toBe(true);
    // Another operation's lock (a second process) is never released by a replay.
    await writeFile(join(deployPath, '.dep', 'deploy.lock'), `${lockOwner('op-other')}\n`);
    expect((await executor.cutover(ref('2'), 'op-over', ctx())).ok).toBe(true);
    expect(await readFile(join(deployPath, '.dep', 'deploy.lock'), 'utf8')).toBe(
      `${lockOwner('op-other')}\n`,
    );
  });

  it('takes over its own stale lock after a crash', async () => {
    const { executor, deployPath } = await setup(simpleSpec(3));
    await writeFile(join(deployPath, '.dep', 'deploy.lock'), `${lockOwner('op-crashed')}\n`);
    const receipt = await executor.cutover(ref('2'), 'op-crashed', ctx());
    expect(receipt.ok && receipt.value.changed).toBe(true);
    expect(existsSync(join(deployPath, '.dep', 'deploy.lock'))).toBe(false);
  });

  it('is idempotent per operationId and never switches twice', async () => {
    const { executor, deployPath } = await setup(simpleSpec(4));
    const first = await executor.cutover(ref('3'), 'op-a', ctx());
    expect(first.ok && first.value.changed).toBe(true);
    const replay = await executor.cutover(ref('3'), 'op-a', ctx());
    expect(replay.ok && replay.value).toMatchObject({
      changed: false,
      from: { id: ref('4').id },
      to: { id: ref('3').id },
    });

    // An operator moves current elsewhere; the same operation must not switch again.
    await rm(join(deployPath, 'current'));
    await symlink('releases/2', join(deployPath, 'current'));
    const again = await executor.cutover(ref('3'), 'op-a', ctx());
    expect(!again.ok && again.error.code).toBe('EXECUTOR_REFUSED');
    expect(await readlink(join(deployPath, 'current'))).toBe('releases/2');

    const otherTarget = await executor.cutover(ref('1'), 'op-a', ctx());
    expect(!otherTarget.ok && otherTarget.error.message).toContain('use a new operationId');
  });

  it('serialises concurrent calls: a retry racing the original does not switch again', async () => {
    const { executor } = await setup(simpleSpec(3));
    const [a, b] = await Promise.all([
      executor.cutover(ref('2'), 'op-race', ctx()),
      executor.cutover(ref('2'), 'op-race', ctx()),
    ]);
    expect([a.ok && a.value.changed, b.ok && b.value.changed]).toEqual([true, false]);
  });

  it('resumes an operation recorded as started whose link never moved', async () => {
    const { executor, deployPath } = await setup(simpleSpec(3));
    const from = (await executor.current(ctx())) as { ok: true; value: ArtifactRef };
    await writeJournal(deployPath, {
      version: 1,
      operationId: 'op-r',
      phase: 'switching',
      fromRelease: '3',
      from: from.value,
      toRelease: '2',
      to: { id: ref('2').id },
      at: 1,
    });
    const receipt = await executor.cutover(ref('2'), 'op-r', ctx());
    expect(receipt.ok && receipt.value.changed).toBe(true);
    expect(await readlink(join(deployPath, 'current'))).toBe('releases/2');
  });

  it('finishes an operation whose link moved before the process died', async () => {
    const { executor, deployPath } = await setup({ ...simpleSpec(3), current: '2' });
    await writeJournal(deployPath, {
      version: 1,
      operationId: 'op-f',
      phase: 'switching',
      fromRelease: '3',
      from: { id: ref('3').id },
      toRelease: '2',
      to: { id: ref('2').id },
      at: 1,
    });
    const receipt = await executor.cutover(ref('2'), 'op-f', ctx());
    expect(receipt.ok && receipt.value).toMatchObject({ changed: false, from: { id: ref('3').id } });
    expect(existsSync(join(deployPath, 'releases', '3', 'BAD_RELEASE'))).toBe(true);
    const journal = JSON.parse(await readFile(join(deployPath, '.dep', JOURNAL_FILE), 'utf8'));
    expect(journal.phase).toBe('done');
  });

  it('refuses a cutover when current is a directory rather than a link', async () => {
    const { executor, deployPath } = await setup({ releases: simpleSpec(2).releases });
    await mkdir(join(deployPath, 'current'));
    const current = await executor.current(ctx());
    expect(!current.ok && current.error.code).toBe('EXECUTOR_UNAVAILABLE');
    expect(!current.ok && current.error.message).toContain('not a symlink');
  });

  it('resolves TIMEOUT when the deadline has passed, by the injected clock', async () => {
    const clock = new SimulatedClock(1_000_000);
    const { executor, deployPath } = await setup(simpleSpec(3), { clock });
    const late = await executor.cutover(ref('2'), 'op-late', {
      signal: new AbortController().signal,
      deadline: 999_999,
    });
    expect(!late.ok && late.error.code).toBe('TIMEOUT');
    expect(!late.ok && late.error.retryable).toBe(true);
    expect(await readlink(join(deployPath, 'current'))).toBe('releases/3');
  });
});

describe('readiness gate without health URLs', () => {
  it('checks that current resolves to the target release directory and says so', async () => {
    const { executor } = await setup(simpleSpec(2));
    const gate = await executor.awaitReady(ref('2'), ctx());
    expect(gate.ok).toBe(true);
    if (gate.ok) {
      expect(gate.value.detail).toContain('No health URLs configured');
      expect(gate.value.detail).toContain('existing release directory');
    }
    const wrong = await executor.awaitReady(ref('1'), ctx());
    expect(!wrong.ok && wrong.error.code).toBe('GATE_FAILED');
  });
});
