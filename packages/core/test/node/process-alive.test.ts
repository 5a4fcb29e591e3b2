import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { processAlive } from '../../src/node/process-alive';

describe('processAlive', () => {
  it('is true for a running process and false for one that has exited', () => {
    expect(processAlive(process.pid)).toBe(true);
    const child = spawnSync(process.execPath, ['-e', '0']);
    expect(child.status).toBe(0);
    // The child was reaped by spawnSync: its pid no longer exists (pids are not reused at once).
    expect(processAlive(child.pid as number)).toBe(false);
  });
});
