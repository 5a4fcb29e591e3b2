import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireDeployLock, lockOwner, parseLockOwner } from '../../src/local/deploy-lock';

const HOLDER = join(import.meta.dirname, '..', 'fixtures', 'lock-holder.ts');

/** Starts a process that takes the deploy lock for `operationId` and keeps it until killed. */
function holdLock(deployPath: string, operationId: string): Promise<{ child: ChildProcess; line: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--conditions=source', '--import', 'tsx', HOLDER, deployPath, operationId],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr?.on('data', (d) => {
      stderr += String(d);
    });
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).once('line', (line) =>
      resolve({ child, line }),
    );
    child.on('exit', (code) => reject(new Error(`lock holder exited ${code}: ${stderr}`)));
  });
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

describe('the deploy lock between processes', () => {
  let deployPath: string;
  const lockFile = () => join(deployPath, '.dep', 'deploy.lock');
  const children: ChildProcess[] = [];
  beforeEach(async () => {
    deployPath = await mkdtemp(join(tmpdir(), 'rollgate-lock-'));
    await mkdir(join(deployPath, '.dep'));
  });
  afterEach(async () => {
    for (const child of children.splice(0)) child.kill('SIGKILL');
    await rm(deployPath, { recursive: true, force: true });
  });

  it('gives two processes of the same operation different owners, so neither takes the other’s lock', async () => {
    const { child, line } = await holdLock(deployPath, 'op-same');
    children.push(child);
    expect(line).toMatch(/^HELD rollgate operation op-same \(pid \d+ on \S+, [0-9a-f]+\)$/);
    const theirs = line.slice('HELD '.length);
    expect(theirs).not.toBe(lockOwner('op-same'));
    const mine = await acquireDeployLock(deployPath, 'op-same');
    expect(mine.ok).toBe(false);
    if (!mine.ok) {
      expect(mine.error.code).toBe('EXECUTOR_REFUSED');
      expect(mine.error.retryable).toBe(true);
      expect(mine.error.message).toContain('another Rollgate process');
    }
    expect((await readFile(lockFile(), 'utf8')).trim()).toBe(theirs);
  });

  it('takes over the lock of its own operation once the process that held it is dead', async () => {
    const { child } = await holdLock(deployPath, 'op-crashed');
    child.kill('SIGKILL');
    await exited(child);
    const taken = await acquireDeployLock(deployPath, 'op-crashed');
    expect(taken.ok).toBe(true);
    expect((await readFile(lockFile(), 'utf8')).trim()).toBe(lockOwner('op-crashed'));
    if (taken.ok) await taken.value.release();
    expect(existsSync(lockFile())).toBe(false);
    expect(
      (await readdir(join(deployPath, '.dep'))).filter((n) => n.includes('stale') || n.endsWith('.tmp')),
    ).toEqual([]);
  });

  it('never takes over another operation’s lock or a deploy’s, dead or alive', async () => {
    const { child } = await holdLock(deployPath, 'op-other');
    child.kill('SIGKILL');
    await exited(child);
    const refused = await acquireDeployLock(deployPath, 'op-mine');
    expect(!refused.ok && refused.error.code).toBe('EXECUTOR_REFUSED');
    await writeFile(lockFile(), 'deploy by ci-bot\n');
    const deploy = await acquireDeployLock(deployPath, 'op-mine');
    expect(!deploy.ok && deploy.error.message).toContain('dep deploy:unlock');
    expect(await readFile(lockFile(), 'utf8')).toBe('deploy by ci-bot\n');
  });

  it('takes over a lock its operation left in the format that named no process', async () => {
    await writeFile(lockFile(), 'rollgate operation op-old\n');
    const taken = await acquireDeployLock(deployPath, 'op-old');
    expect(taken.ok).toBe(true);
  });

  it('reads owners back', () => {
    expect(parseLockOwner(lockOwner('op-1'))).toMatchObject({
      operation: 'op-1',
      process: { pid: process.pid },
    });
    expect(parseLockOwner('rollgate operation op-1')).toEqual({ operation: 'op-1' });
    expect(parseLockOwner('ci')).toBeNull();
  });
});
