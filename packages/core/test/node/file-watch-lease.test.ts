import { type ChildProcess, spawn } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describeWatchLeaseContract } from '@rollgate/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFileStateStore } from '../../src/node/file-state-store';
import { createFileWatchLease, LEASE_FILE_FORMAT } from '../../src/node/file-watch-lease';
import { liveContext } from '../testing/fixtures/port-context';
import { tempDir } from './temp-dir';

describeWatchLeaseContract('file', async (clock) => {
  const { dir, cleanup } = await tempDir();
  const leaseDir = join(dir, 'leases');
  const ttlMs = 10_000;
  return {
    lease: () => createFileWatchLease({ dir: leaseDir, ttlMs, clock }),
    state: createFileStateStore({ dir: join(dir, 'snapshots'), clock, leaseDir }),
    expire: async () => clock.advance(ttlMs + 1),
    teardown: cleanup,
  };
});

const HOLDER = join(import.meta.dirname, 'fixtures', 'lease-holder.ts');

/** Starts a process that takes the lease of `key` and keeps it (never renewing) until killed. */
function startHolder(
  dir: string,
  key: string,
): Promise<{ child: ChildProcess; grant: { token: number; owner: string } }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', HOLDER, dir, key], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (d) => {
      stderr += String(d);
    });
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      if (line.startsWith('GRANT ')) resolve({ child, grant: JSON.parse(line.slice(6)) });
      else reject(new Error(`lease holder: ${line} ${stderr}`));
    });
    child.on('exit', (code) => reject(new Error(`lease holder exited ${code}: ${stderr}`)));
  });
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

describe('createFileWatchLease: processes and files', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  const children: ChildProcess[] = [];
  beforeEach(async () => {
    ({ dir, cleanup } = await tempDir());
  });
  afterEach(async () => {
    for (const child of children.splice(0)) child.kill('SIGKILL');
    await cleanup();
  });

  it('refuses while the holding process lives, and takes over at once when it is killed', async () => {
    const { child, grant } = await startHolder(dir, 'checkout');
    children.push(child);
    const lease = createFileWatchLease({ dir });
    const held = await lease.acquire('checkout', liveContext(Date.now()));
    expect(!held.ok && held.error.code).toBe('LEASE_HELD');
    expect(!held.ok && held.error.message).toContain(`pid ${child.pid}`);

    child.kill('SIGKILL');
    await exited(child);
    // Its grant runs for ten more minutes, but its process is gone: no need to wait.
    const taken = await lease.acquire('checkout', liveContext(Date.now()));
    expect(taken.ok && taken.value.token).toBe(grant.token + 1);
  }, 60_000);

  it('gives every process its own owner, so two processes never mistake each other for themselves', async () => {
    const a = await startHolder(dir, 'one');
    const b = await startHolder(dir, 'two');
    children.push(a.child, b.child);
    expect(a.grant.owner).not.toBe(b.grant.owner);
    expect(a.grant.owner).toContain(`/${a.child.pid}/`);
  }, 60_000);

  it('keeps one lease file per key, written whole, and a readable owner in it', async () => {
    const clockless = createFileWatchLease({ dir, ttlMs: 5_000 });
    const first = await clockless.acquire('checkout', liveContext(Date.now()));
    if (!first.ok) throw first.error;
    await clockless.release(first.value, liveContext(Date.now()));
    const second = await clockless.acquire('checkout', liveContext(Date.now()));
    if (!second.ok) throw second.error;
    const files = (await readdir(dir)).sort();
    expect(files).toEqual([`checkout.${second.value.token}.lease`]);
    const content = JSON.parse(await readFile(join(dir, files[0] as string), 'utf8'));
    expect(content).toMatchObject({
      format: LEASE_FILE_FORMAT,
      key: 'checkout',
      token: 2,
      owner: clockless.owner,
      pid: process.pid,
      released: false,
    });
  });

  it('reports a damaged lease file as STATE_CORRUPT naming it, and never overwrites it', async () => {
    await writeFile(join(dir, 'checkout.4.lease'), '{"format":');
    const lease = createFileWatchLease({ dir });
    const result = await lease.acquire('checkout', liveContext(Date.now()));
    expect(!result.ok && result.error.code).toBe('STATE_CORRUPT');
    expect(!result.ok && result.error.message).toContain('checkout.4.lease');
    expect(await readFile(join(dir, 'checkout.4.lease'), 'utf8')).toBe('{"format":');
  });

  it('refuses bad options and path-like keys', async () => {
    expect(() => createFileWatchLease({ dir: '' })).toThrow(/dir/);
    expect(() => createFileWatchLease({ dir, ttlMs: 0 })).toThrow(/ttlMs/);
    const lease = createFileWatchLease({ dir });
    const result = await lease.acquire('../escape', liveContext(Date.now()));
    expect(!result.ok && result.error.code).toBe('CONFIG_INVALID');
  });
});
