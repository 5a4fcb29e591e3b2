import { readdir, readlink, symlink, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { switchCurrentLink } from '../../src/local/atomic-symlink';
import { buildDeployPath, simpleSpec, tempRoot } from '../support/deploy-path';

// The reader runs on its own thread with synchronous fs calls, so it really races the switches.
const READER = `
const { readlinkSync, statSync } = require('node:fs');
const { workerData, parentPort } = require('node:worker_threads');
const stop = new Int32Array(workerData.stop);
let reads = 0;
const errors = {};
const seen = {};
Atomics.store(stop, 1, 1);
while (Atomics.load(stop, 0) === 0) {
  try {
    const link = readlinkSync(workerData.current);
    statSync(workerData.current);
    seen[link] = (seen[link] ?? 0) + 1;
    reads++;
  } catch (error) {
    errors[error.code] = (errors[error.code] ?? 0) + 1;
  }
}
parentPort.postMessage({ reads, errors, seen });
`;

interface ReaderReport {
  reads: number;
  errors: Record<string, number>;
  seen: Record<string, number>;
}

describe('atomic switch of current', () => {
  let root: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ root, cleanup } = await tempRoot());
  });
  afterEach(async () => cleanup());

  /** Runs `switches` link changes while a reader thread hammers readlink + stat on current. */
  async function raceReader(
    current: string,
    switches: number,
    change: (i: number) => Promise<void>,
  ): Promise<ReaderReport> {
    const stop = new SharedArrayBuffer(8);
    const flags = new Int32Array(stop);
    const worker = new Worker(READER, { eval: true, workerData: { current, stop } });
    const report = new Promise<ReaderReport>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    while (Atomics.load(flags, 1) === 0) await new Promise((r) => setTimeout(r, 1));
    try {
      for (let i = 0; i < switches; i++) await change(i);
    } finally {
      Atomics.store(flags, 0, 1);
    }
    const result = await report;
    await worker.terminate();
    return result;
  }

  it('never lets a concurrent reader see a missing current during many switches', async () => {
    const deployPath = await buildDeployPath(root, simpleSpec(2));
    const current = join(deployPath, 'current');
    const switches = 400;
    const { reads, errors, seen } = await raceReader(current, switches, (i) =>
      switchCurrentLink(deployPath, i % 2 === 0 ? '1' : '2'),
    );

    expect(errors).toEqual({});
    expect(reads).toBeGreaterThan(0);
    // The reader saw both targets, so it really read while the link was changing.
    expect(Object.keys(seen).sort()).toEqual(['releases/1', 'releases/2']);
    expect(await readlink(current)).toBe('releases/2');
    expect((await readdir(deployPath)).filter((e) => e.startsWith('.rollgate'))).toEqual([]);
  });

  it('the same reader does catch a non-atomic switch (unlink, then symlink), so the test above can fail', async () => {
    const deployPath = await buildDeployPath(root, simpleSpec(2));
    const current = join(deployPath, 'current');
    const { errors } = await raceReader(current, 400, async (i) => {
      await unlink(current);
      await symlink(i % 2 === 0 ? 'releases/1' : 'releases/2', current);
    });
    expect(errors.ENOENT ?? 0).toBeGreaterThan(0);
  });

  it('refuses to replace a current that is not a symlink', async () => {
    const deployPath = await buildDeployPath(root, { releases: simpleSpec(2).releases });
    const { mkdir } = await import('node:fs/promises');
    await mkdir(join(deployPath, 'current'));
    await expect(switchCurrentLink(deployPath, '1')).rejects.toThrow('not a symlink');
    expect((await readdir(deployPath)).filter((e) => e.startsWith('.rollgate'))).toEqual([]);
  });
});
