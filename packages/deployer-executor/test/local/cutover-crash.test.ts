import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildDeployPath, shaOf, simpleSpec, tempRoot } from '../support/deploy-path';

/**
 * Issue 18, finding 2, with real SIGKILLs on a real deploy_path: a cutover process is killed at
 * each point inside the local executor, then the same operation is replayed by a new process (a
 * resumed watch). The replay must:
 * - release Deployer's deploy lock its own operation left (a kill after the journal said `done`
 *   left `.dep/deploy.lock` for good: every later cutover refused, `dep deploy` locked);
 * - report that this operation switched `current` (`switchedEarlier`), so the audit does not
 *   say `changed: false` for a switch it made;
 * - leave no temporary file of the interrupted process (`.rollgate-current.*`, journal temps);
 * - never switch twice.
 */

const CHILD = join(import.meta.dirname, 'fixtures', 'cutover-child.ts');
const TARGET = `2@${shaOf('2')}`;
const OPERATION = 'watch-1/cutover';

interface Run {
  readonly lines: string[];
  readonly signal: NodeJS.Signals | null;
  readonly stderr: string;
}

function runChild(deployPath: string, killAt = ''): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--conditions=source', '--import', 'tsx', CHILD, deployPath, TARGET, OPERATION],
      { env: { ...process.env, KILL_AT: killAt }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const lines: string[] = [];
    let stderr = '';
    child.stderr?.on('data', (d) => {
      stderr += String(d);
    });
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      lines.push(line);
      if (killAt && line === `BLOCKED ${killAt}`) child.kill('SIGKILL');
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code !== 0 && signal === null)
        reject(new Error(`child exited ${code}: ${stderr}\n${lines.join('\n')}`));
      else resolve({ lines, signal, stderr });
    });
  });
}

function resultOf(run: Run) {
  const line = run.lines.find((l) => l.startsWith('RESULT '));
  if (!line) throw new Error(`no result:\n${run.lines.join('\n')}\n${run.stderr}`);
  return JSON.parse(line.slice('RESULT '.length)) as {
    ok: boolean;
    receipt?: { changed: boolean; switchedEarlier?: boolean; detail: string; to: { id: string } };
    error?: { code: string; message: string };
  };
}

/** Files an interrupted cutover may leave: temporaries and the lock. */
async function leftovers(deployPath: string): Promise<string[]> {
  const top = (await readdir(deployPath)).filter((n) => n.startsWith('.rollgate-current.'));
  const dep = (await readdir(join(deployPath, '.dep'))).filter(
    (n) => n.startsWith('.rollgate-cutover.json.') || n === 'deploy.lock',
  );
  return [...top, ...dep.map((n) => `.dep/${n}`)].sort();
}

async function switches(deployPath: string): Promise<number> {
  const file = `${deployPath}.switches`;
  if (!existsSync(file)) return 0;
  return (await readFile(file, 'utf8')).trim().split('\n').length;
}

describe('a cutover killed with SIGKILL and replayed (local Deployer mode, real release directory)', () => {
  let root: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ root, cleanup } = await tempRoot());
  });
  afterEach(async () => cleanup());

  it('switches once and leaves nothing behind without a crash (the reference)', async () => {
    const deployPath = await buildDeployPath(root, simpleSpec(3));
    const result = resultOf(await runChild(deployPath));
    expect(result.receipt).toMatchObject({ changed: true, to: { id: TARGET } });
    expect(await leftovers(deployPath)).toEqual([]);
    expect(await switches(deployPath)).toBe(1);
  }, 60_000);

  const points: readonly { at: string; left: RegExp[]; switched: boolean }[] = [
    {
      at: 'journal-switching',
      left: [/^\.dep\/\.rollgate-cutover\.json\./, /^\.dep\/deploy\.lock$/],
      switched: false,
    },
    { at: 'link-rename', left: [/^\.dep\/deploy\.lock$/, /^\.rollgate-current\./], switched: false },
    { at: 'after-switch', left: [/^\.dep\/deploy\.lock$/], switched: true },
    {
      at: 'journal-done',
      left: [/^\.dep\/\.rollgate-cutover\.json\./, /^\.dep\/deploy\.lock$/],
      switched: true,
    },
    { at: 'lock-release', left: [/^\.dep\/deploy\.lock$/], switched: true },
  ];

  for (const point of points) {
    it.concurrent(`killed at ${point.at}: the replay finishes the one switch, releases the lock and cleans up`, async () => {
      const { root: own, cleanup: done } = await tempRoot();
      try {
        const deployPath = await buildDeployPath(own, simpleSpec(3));
        const killed = await runChild(deployPath, point.at);
        expect(killed.signal, killed.lines.join('\n')).toBe('SIGKILL');
        // The crash left exactly what this point leaves.
        const left = await leftovers(deployPath);
        expect(left.length, left.join(', ')).toBe(point.left.length);
        for (const pattern of point.left)
          expect(
            left.some((f) => pattern.test(f)),
            `${pattern}`,
          ).toBe(true);
        expect(await readlink(join(deployPath, 'current'))).toBe(
          point.switched ? 'releases/2' : 'releases/3',
        );

        const replay = await runChild(deployPath);
        const result = resultOf(replay);
        expect(result.ok, JSON.stringify(result)).toBe(true);
        expect(await readlink(join(deployPath, 'current'))).toBe('releases/2');
        expect(await switches(deployPath)).toBe(1);
        // What this operation did, not what the replaying call did.
        expect(result.receipt?.changed || result.receipt?.switchedEarlier).toBe(true);
        expect(await leftovers(deployPath)).toEqual([]);
        expect(existsSync(join(deployPath, 'releases', '3', 'BAD_RELEASE'))).toBe(true);
        const journal = JSON.parse(await readFile(join(deployPath, '.dep', 'rollgate-cutover.json'), 'utf8'));
        expect(journal).toMatchObject({ operationId: OPERATION, phase: 'done' });
        // The replaying process says what it cleaned up.
        const warnings = replay.lines.filter((l) => l.startsWith('WARNING '));
        if (point.at === 'lock-release')
          expect(warnings.some((w) => /(released|removed) Deployer's deploy lock/i.test(w))).toBe(true);
        if (left.some((f) => f.includes('.rollgate-')))
          expect(warnings.some((w) => w.includes('left by an interrupted cutover'))).toBe(true);
      } finally {
        await done();
      }
    }, 180_000);
  }
});
