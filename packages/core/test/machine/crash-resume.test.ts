import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditRecordSchema } from '../../src/audit/audit-record';

const CHILD = join(import.meta.dirname, 'fixtures', 'crash-child.ts');
const dirs: string[] = [];

interface Run {
  readonly lines: string[];
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** Runs the controller process; with `killAt`, SIGKILLs it when it blocks at that point. */
function runChild(dir: string, killAt?: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(
      process.execPath,
      ['--conditions=source', '--import', 'tsx', CHILD, dir],
      {
        env: { ...process.env, KILL_AT: killAt ?? '' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
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
      if (code !== 0 && signal === null) reject(new Error(`child exited ${code}: ${stderr}`));
      else resolve({ lines, code, signal });
    });
  });
}

function finalOf(dir: string, run: Run) {
  const resultLine = run.lines.find((l) => l.startsWith('RESULT '));
  if (!resultLine) throw new Error(`no result in ${run.lines.join('\n')}`);
  const result = JSON.parse(resultLine.slice('RESULT '.length)) as {
    outcome: string;
    state: string;
    switches: number;
  };
  const auditLines = readFileSync(join(dir, 'audit.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '');
  const audits = auditLines.map((l) => AuditRecordSchema.parse(JSON.parse(l)));
  return { result, audits };
}

function fresh(): string {
  const dir = mkdtempSync(join(tmpdir(), 'rollgate-crash-'));
  dirs.push(dir);
  return dir;
}

afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('crash and resume (real process, file stores, SIGKILL)', () => {
  let reference: ReturnType<typeof finalOf>;

  beforeAll(async () => {
    const dir = fresh();
    reference = finalOf(dir, await runChild(dir));
  }, 60_000);

  it('rolls back without a crash (the reference run)', () => {
    expect(reference.result).toEqual({ outcome: 'rolled-back', state: 'RolledBack', switches: 1 });
    expect(reference.audits).toHaveLength(1);
  });

  const killPoints = [
    'state:Watching',
    'command:evaluate',
    'state:Validating',
    'command:find-onset',
    'command:retrieve-target',
    'command:cutover',
    'after-switch',
    'command:await-ready',
    'state:Verifying',
    'state:RolledBack',
    'command:notify',
    'command:write-audit',
  ];

  // Each child mostly sleeps on (scaled) timers, so several run side by side.
  for (const point of killPoints) {
    it.concurrent(`killed at ${point}, restarted: the same outcome and audit, one cutover`, async ({
      expect,
    }) => {
      const dir = fresh();
      const killed = await runChild(dir, point);
      expect(killed.signal).toBe('SIGKILL');
      expect(killed.lines).toContain(`BLOCKED ${point}`);
      const resumed = finalOf(dir, await runChild(dir));
      expect(resumed.result).toEqual(reference.result);
      expect(resumed.audits).toHaveLength(1);
      const [a, b] = [resumed.audits[0], reference.audits[0]];
      expect(a?.outcome).toBe(b?.outcome);
      expect(a?.phases.map((p) => p.state)).toEqual(b?.phases.map((p) => p.state));
      expect(a?.failedArtifact?.id).toBe(b?.failedArtifact?.id);
      expect(a?.restoredArtifact?.id).toBe(b?.restoredArtifact?.id);
      expect(a?.breach?.signal).toBe(b?.breach?.signal);
      // Issue 18: killed between the switch and the snapshot write, the audit said
      // `changed: false` although this operation made the switch.
      expect(a?.cutover?.changed).toBe(true);
      expect(b?.cutover?.changed).toBe(true);
      // Evaluations run on the step grid; real scheduling jitter moves them by less than a step.
      const step = (iso: string | undefined) => Math.floor(Date.parse(iso ?? '') / 5000);
      expect(step(a?.breach?.confirmedAt)).toBe(step(b?.breach?.confirmedAt));
      expect(a?.recovery?.verified).toBe(true);
    }, 60_000);
  }
});
