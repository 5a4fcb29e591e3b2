import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { build } from 'tsup';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AuditRecord, AuditRecordSchema } from '../../src/audit/audit-record';

const dirs: string[] = [];

function fresh(prefix = 'rollgate-crash-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

/**
 * The child, bundled once with the core sources it imports: each of the ~27 process starts then
 * costs a plain node start instead of a TypeScript loader compiling the core again.
 */
async function bundleChild(): Promise<string> {
  const outDir = fresh('rollgate-crash-bundle-');
  await build({
    entry: { 'crash-child': join(import.meta.dirname, 'fixtures', 'crash-child.ts') },
    outDir,
    format: ['esm'],
    platform: 'node',
    target: 'node20',
    noExternal: [/./],
    splitting: false,
    sourcemap: false,
    dts: false,
    config: false,
    silent: true,
    esbuildOptions(options) {
      options.conditions = ['source'];
    },
  });
  return join(outDir, 'crash-child.js');
}

interface Run {
  readonly lines: string[];
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** Runs the controller process; with `killAt`, SIGKILLs it when it blocks at that point. */
function runChild(child: string, dir: string, killAt?: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const proc: ChildProcess = spawn(process.execPath, [child, dir], {
      env: { ...process.env, KILL_AT: killAt ?? '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: string[] = [];
    let stderr = '';
    proc.stderr?.on('data', (d) => {
      stderr += String(d);
    });
    createInterface({ input: proc.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      lines.push(line);
      if (killAt && line === `BLOCKED ${killAt}`) proc.kill('SIGKILL');
    });
    proc.on('error', reject);
    proc.on('close', (code, signal) => {
      if (code !== 0 && signal === null) {
        reject(new Error(`child exited ${code}: ${stderr}\n${lines.join('\n')}`));
      } else resolve({ lines, code, signal });
    });
  });
}

interface Final {
  readonly result: { outcome: string; state: string; switches: number };
  readonly audits: AuditRecord[];
  /** The platform file: which artifact serves and every operation applied. */
  readonly platform: unknown;
}

function finalOf(dir: string, run: Run): Final {
  const resultLine = run.lines.find((l) => l.startsWith('RESULT '));
  if (!resultLine) throw new Error(`no result in\n${run.lines.join('\n')}`);
  const auditLines = readFileSync(join(dir, 'audit.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '');
  return {
    result: JSON.parse(resultLine.slice('RESULT '.length)),
    audits: auditLines.map((l) => AuditRecordSchema.parse(JSON.parse(l))),
    platform: JSON.parse(readFileSync(join(dir, 'executor.json'), 'utf8')),
  };
}

/** Both runs' timelines, printed with any failed assertion. */
function timeline(reference: Run, ...runs: { readonly name: string; readonly run: Run }[]): string {
  const show = (name: string, run: Run) =>
    [`--- ${name} (exit ${run.code ?? run.signal})`, ...run.lines.map((l) => `  ${l}`)].join('\n');
  return `\n${[show('reference run', reference), ...runs.map((r) => show(r.name, r.run))].join('\n')}\n`;
}

afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/**
 * The child runs the watch on a virtual clock that moves only through the controller's own
 * timers (fixtures/idle-clock.ts) and is persisted across the restart, so its timeline does not
 * depend on how fast this machine is: every run, killed or not, reaches the same states at the
 * same virtual times, and the resumed audit record equals the reference one field for field.
 */
describe('crash and resume (real process, file stores, SIGKILL)', () => {
  let child: string;
  let referenceRun: Run;
  let reference: Final;

  beforeAll(async () => {
    child = await bundleChild();
    const dir = fresh();
    referenceRun = await runChild(child, dir);
    reference = finalOf(dir, referenceRun);
  });

  it('rolls back without a crash (the reference run)', () => {
    const why = timeline(referenceRun);
    expect(reference.result, why).toEqual({ outcome: 'rolled-back', state: 'RolledBack', switches: 1 });
    expect(reference.audits, why).toHaveLength(1);
    expect(reference.audits[0]?.cutover?.changed, why).toBe(true);
    expect(reference.audits[0]?.recovery?.verified, why).toBe(true);
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

  // The children are mostly waiting on fsync, so several run side by side.
  for (const point of killPoints) {
    it.concurrent(`killed at ${point}, restarted: the same outcome and audit, one cutover`, async ({
      expect,
    }) => {
      const dir = fresh();
      const killed = await runChild(child, dir, point);
      const resumedRun = await runChild(child, dir);
      const why = timeline(
        referenceRun,
        { name: `killed at ${point}`, run: killed },
        { name: 'resumed', run: resumedRun },
      );
      expect(killed.signal, why).toBe('SIGKILL');
      expect(killed.lines, why).toContain(`BLOCKED ${point}`);
      const resumed = finalOf(dir, resumedRun);
      expect(resumed.result, why).toEqual(reference.result);
      expect(resumed.platform, why).toEqual(reference.platform);
      expect(resumed.audits, why).toHaveLength(1);
      // Killed anywhere, even between the switch and the snapshot write, the audit records what
      // this operation did: it made the switch (issue 18: a replay once said `changed: false`).
      expect(resumed.audits[0]?.cutover?.changed, why).toBe(reference.audits[0]?.cutover?.changed);
      const expected = reference.audits[0];
      expect(resumed.audits[0], why).toEqual(expected);
    });
  }
});
