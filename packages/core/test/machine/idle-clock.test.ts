import { mkdtempSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sleep } from '../../src/time/clock';
import { IdleClock } from './fixtures/idle-clock';

const dir = mkdtempSync(join(tmpdir(), 'rollgate-idle-clock-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Real, slow-ish file I/O: many synced writes, each a separate request to the thread pool. */
async function syncedWrites(name: string, count: number): Promise<void> {
  const handle = await open(join(dir, name), 'w');
  try {
    for (let i = 0; i < count; i++) {
      await handle.write(`line ${i}\n`);
      await handle.sync();
    }
  } finally {
    await handle.close();
  }
}

// The crash test's child runs on this clock; these pin the properties that make its timeline
// independent of the machine's speed.
describe('IdleClock (the crash test child clock)', () => {
  it('jumps straight to each due time, in due order, and reports the jumps', async () => {
    const advances: number[] = [];
    const clock = new IdleClock(1_000, (now) => advances.push(now));
    const fired: string[] = [];
    const a = sleep(clock, 60_000).then(() => fired.push(`a@${clock.now()}`));
    const b = sleep(clock, 5_000).then(() => fired.push(`b@${clock.now()}`));
    await Promise.all([a, b]);
    expect(fired).toEqual(['b@6000', 'a@61000']);
    expect(advances).toEqual([6_000, 61_000]);
  });

  it('stands still while file I/O is in flight, however long it takes in real time', async () => {
    const clock = new IdleClock(0);
    const before = clock.now();
    await syncedWrites('still', 20);
    expect(clock.now()).toBe(before);
  });

  it('fires no deadline while the operation it guards is doing file I/O', async () => {
    const clock = new IdleClock(0);
    // A 1 ms deadline against 20 synced writes: on a real clock the deadline wins every time.
    const outcome = await Promise.race([
      syncedWrites('race', 20).then(() => 'finished'),
      sleep(clock, 1).then(() => 'deadline'),
    ]);
    expect(outcome).toBe('finished');
    expect(clock.now()).toBe(0);
  });

  it('fires a deadline when the operation waits on nothing but time', async () => {
    const clock = new IdleClock(0);
    const stuck = new Promise<string>(() => {});
    const outcome = await Promise.race([stuck, sleep(clock, 30_000).then(() => 'deadline')]);
    expect(outcome).toBe('deadline');
    expect(clock.now()).toBe(30_000);
  });

  it('never fires a cleared timer', async () => {
    const clock = new IdleClock(0);
    let fired = false;
    const handle = clock.setTimeout(() => {
      fired = true;
    }, 10);
    clock.clearTimeout(handle);
    await sleep(clock, 20);
    expect(fired).toBe(false);
    expect(clock.now()).toBe(20);
  });
});
