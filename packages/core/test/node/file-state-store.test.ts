import { spawn } from 'node:child_process';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { describeStateStoreContract } from '@rollgate/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFileStateStore, STATE_FILE_FORMAT } from '../../src/node/file-state-store';
import { liveContext } from '../testing/fixtures/port-context';
import { CRASH_KEY, crashSnapshot } from './fixtures/crash-snapshot';
import { tempDir } from './temp-dir';

describeStateStoreContract('file', async (clock) => {
  const { dir, cleanup } = await tempDir();
  const stateDir = join(dir, 'state');
  const store = createFileStateStore({ dir: stateDir, clock });
  return {
    store,
    // A torn write as a non-atomic writer would leave it: the first half of the file.
    corrupt: async (key) => {
      const [file] = (await readdir(stateDir)).filter(
        (f) => f.endsWith('.json') && f.startsWith(encodeURIComponent(key)),
      );
      if (!file) throw new Error(`no file for ${key}`);
      const text = await readFile(join(stateDir, file), 'utf8');
      await writeFile(join(stateDir, file), text.slice(0, Math.floor(text.length / 2)));
    },
    teardown: cleanup,
  };
});

describe('createFileStateStore: the files', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  const ctx = () => liveContext(Date.now());
  beforeEach(async () => {
    ({ dir, cleanup } = await tempDir());
  });
  afterEach(async () => cleanup());

  it('writes one file per key with an encoded name, inside dir only, and leaves no temp files', async () => {
    const stateDir = join(dir, 'a', 'state');
    const store = createFileStateStore({ dir: stateDir });
    await store.save('watch/checkout', { step: 1 }, ctx());
    await store.save('.hidden', { step: 2 }, ctx());
    await store.save('watch/checkout', { step: 3 }, ctx());
    expect((await readdir(stateDir)).sort()).toEqual(['%2Ehidden.json', 'watch%2Fcheckout.json']);
    expect(JSON.parse(await readFile(join(stateDir, 'watch%2Fcheckout.json'), 'utf8'))).toEqual({
      format: STATE_FILE_FORMAT,
      key: 'watch/checkout',
      snapshot: { step: 3 },
    });
  });

  it('writes nothing outside dir for traversal keys', async () => {
    const stateDir = join(dir, 'state');
    const store = createFileStateStore({ dir: stateDir });
    for (const key of ['../escape', '../../escape', 'x/../../escape', '/tmp/escape']) {
      const result = await store.save(key, { evil: true }, ctx());
      expect(!result.ok && result.error.code).toBe('CONFIG_INVALID');
      expect(!result.ok && result.error.message).toMatch(/path/);
    }
    expect(await readdir(dir)).toEqual([]);
  });

  it('reports a file of another key, or without the envelope, as STATE_CORRUPT', async () => {
    const store = createFileStateStore({ dir });
    await writeFile(
      join(dir, 'k1.json'),
      JSON.stringify({ format: STATE_FILE_FORMAT, key: 'k2', snapshot: 1 }),
    );
    await writeFile(join(dir, 'k3.json'), JSON.stringify({ state: 'Watching' }));
    for (const key of ['k1', 'k3']) {
      const result = await store.load(key, ctx());
      expect(!result.ok && result.error.code).toBe('STATE_CORRUPT');
      expect(!result.ok && result.error.message).toContain(join(dir, `${key}.json`));
    }
  });

  it('reports an unreadable location as STORE_FAILED, never throwing', async () => {
    await writeFile(join(dir, 'not-a-dir'), 'x');
    const store = createFileStateStore({ dir: join(dir, 'not-a-dir') });
    const saved = await store.save('k', 1, ctx());
    expect(!saved.ok && saved.error.code).toBe('STORE_FAILED');
    await mkdir(join(dir, 'd', 'k.json'), { recursive: true });
    const loaded = await createFileStateStore({ dir: join(dir, 'd') }).load('k', ctx());
    expect(!loaded.ok && loaded.error.code).toBe('STORE_FAILED');
  });

  it('removes the temporary file a writer killed with SIGKILL left, at the next start (issue 18)', async () => {
    const writer = resolve(import.meta.dirname, 'fixtures', 'blocked-writer.ts');
    const child = spawn(process.execPath, ['--import', 'tsx', writer, dir, 'watch/killed'], {
      cwd: resolve(import.meta.dirname, '..', '..'),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const signal = await new Promise<NodeJS.Signals | null>((done) => {
      child.stdout.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('BLOCKED')) child.kill('SIGKILL');
      });
      child.on('exit', (_code, s) => done(s));
    });
    expect(signal, stderr).toBe('SIGKILL');
    const temporaries = async () => (await readdir(dir)).filter((n) => n.endsWith('.tmp'));
    expect(await temporaries()).toHaveLength(1);
    // A live writer's temporary file is never touched: only the dead process's goes.
    await writeFile(join(dir, `.other.json.${process.pid}-0123456789ab.tmp`), 'in flight');

    const store = createFileStateStore({ dir });
    const loaded = await store.load('watch/killed', ctx());
    expect(loaded.ok && loaded.value).toEqual({ step: 1 });
    expect(await temporaries()).toEqual([`.other.json.${process.pid}-0123456789ab.tmp`]);
  }, 30_000);

  it('never leaves a torn file when the writer is killed with SIGKILL mid-write', async () => {
    const writer = resolve(import.meta.dirname, 'fixtures', 'state-writer.ts');
    const store = createFileStateStore({ dir });
    let next = 0;
    let lastAcknowledged = -1;
    const kills = 8;
    for (let round = 0; round < kills; round++) {
      const child = spawn(process.execPath, ['--import', 'tsx', writer, dir, String(next)], {
        cwd: resolve(import.meta.dirname, '..', '..'),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      const exited = new Promise<NodeJS.Signals | null>((done) =>
        child.on('exit', (_code, signal) => done(signal)),
      );
      // Let it complete a few saves to learn how long one takes, then kill it at a random
      // moment of a later one.
      const acked = await new Promise<number>((done, failed) => {
        let buffered = '';
        const ackTimes: number[] = [];
        child.stdout.on('data', (chunk: Buffer) => {
          buffered += chunk.toString();
          const lines = buffered.split('\n');
          buffered = lines.pop() ?? '';
          for (const line of lines) {
            lastAcknowledged = Number(line);
            ackTimes.push(performance.now());
            if (ackTimes.length === 3) {
              const cycle = ((ackTimes[2] ?? 0) - (ackTimes[0] ?? 0)) / 2;
              setTimeout(() => {
                child.kill('SIGKILL');
                done(lastAcknowledged);
              }, Math.random() * cycle);
            }
          }
        });
        child.on('exit', () => failed(new Error(`writer exited early: ${stderr}`)));
      });
      expect(await exited).toBe('SIGKILL');
      const loaded = await store.load(CRASH_KEY, ctx());
      if (!loaded.ok) throw loaded.error;
      const snapshot = loaded.value as ReturnType<typeof crashSnapshot>;
      // Whole, one of the written snapshots, and never older than a save that resolved.
      expect(snapshot).toEqual(crashSnapshot(snapshot.i));
      expect(snapshot.i).toBeGreaterThanOrEqual(Math.max(acked, lastAcknowledged));
      next = snapshot.i + 1;
    }
    expect(next).toBeGreaterThan(kills);
  }, 30_000);
});
