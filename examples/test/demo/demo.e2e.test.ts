import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AuditRecordSchema } from '@rollgate/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CONTRACT } from '../../src/watch/demo-contract';

const EXAMPLES_DIR = fileURLToPath(new URL('../../', import.meta.url));

interface DemoRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly seconds: number;
}

/** `pnpm demo -- <args>` without pnpm in between: the same script, from the examples package. */
function runDemo(args: readonly string[]): Promise<DemoRun> {
  const started = Date.now();
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('GITHUB_')) env[key] = value;
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', 'src/demo.ts', ...args], {
    cwd: EXAMPLES_DIR,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
  });
  return new Promise((resolve) =>
    child.on('close', (code) => resolve({ code, stdout, stderr, seconds: (Date.now() - started) / 1000 })),
  );
}

/** The one JSON line on stdout. */
function summaryOf(run: DemoRun): Record<string, unknown> {
  const lines = run.stdout.trim().split('\n');
  expect(lines, failureContext(run)).toHaveLength(1);
  return JSON.parse(lines[0] as string) as Record<string, unknown>;
}

/** What a failed assertion prints: the exit code, the summary and the demo's whole progress output. */
function failureContext(run: DemoRun): string {
  return `demo exited ${run.code} after ${run.seconds.toFixed(0)} s; summary: ${run.stdout.trim() || '(none)'}\n--- demo output (stderr) ---\n${run.stderr}`;
}

/** Everything the run started is gone: its work directory and its service process. */
function expectCleanedUp(run: DemoRun): void {
  const work = /work directory (\S+)/.exec(run.stderr)?.[1];
  expect(work, run.stderr).toBeDefined();
  expect(existsSync(work as string)).toBe(false);
  const pid = Number(/\(pid (\d+)\)/.exec(run.stderr)?.[1]);
  expect(pid).toBeGreaterThan(0);
  expect(() => process.kill(pid, 0)).toThrow(expect.objectContaining({ code: 'ESRCH' }));
}

/**
 * A bad release rolled back and its recovery verified, detected after the fault began and cut
 * over within the bake (the contract's promise), not in seconds: a loaded machine slows every
 * step. Every assertion carries the demo's output: on failure it shows the watch's decisions,
 * the timeline and (when the run went wrong) the service's own record of slow requests and
 * event-loop delay around the deploy.
 */
function expectRolledBack(run: DemoRun, metrics: string, report: string): Record<string, unknown> {
  const why = failureContext(run);
  const summary = summaryOf(run);
  expect(summary, why).toMatchObject({
    outcome: 'rolled-back',
    falseRollback: false,
    recoveryVerified: true,
    metrics,
    report,
  });
  expect(run.code, why).toBe(0);
  expect(summary.faultToDetectSeconds, why).toBeGreaterThanOrEqual(0);
  expect(summary.faultToCutoverSeconds, why).toBeGreaterThanOrEqual(summary.faultToDetectSeconds as number);
  expect(summary.faultToCutoverSeconds, why).toBeLessThan(DEMO_CONTRACT.bakeSeconds);
  return summary;
}

async function expectHtmlReport(file: unknown, outcome: string): Promise<void> {
  expect(typeof file).toBe('string');
  const html = await readFile(file as string, 'utf8');
  expect(html.trimStart().toLowerCase().startsWith('<!doctype html>')).toBe(true);
  expect(html).toContain('</html>');
  expect(html).toContain(outcome);
  expect(html).toContain('<svg');
}

// The three runs are independent processes (own temp dirs, ports, Prometheus); they run
// concurrently so the project stays near 1.5 minutes instead of 4.
describe.concurrent('pnpm demo end to end', () => {
  let out: string;
  beforeAll(async () => {
    out = await mkdtemp(join(tmpdir(), 'rollgate-demo-test-'));
  });
  afterAll(async () => {
    await rm(out, { recursive: true, force: true });
  });

  it('rolls the bad release back with a real Prometheus: detected after the fault, within the bake', async () => {
    const report = join(out, 'bad', 'report.html');
    const run = await runDemo(['--json', '--report', report]);
    const summary = expectRolledBack(run, 'prometheus', report);
    expect(run.stderr).toContain('METRICS: real Prometheus');
    expect(run.stderr).toContain('$ rollgate watch --config');
    await expectHtmlReport(summary.report, 'rolled-back');
    // The audit record travels with the report, complete: failed and restored artifacts, recovery.
    expect(summary.audit).toBe(join(out, 'bad', 'audit.jsonl'));
    const record = AuditRecordSchema.parse(
      JSON.parse((await readFile(join(out, 'bad', 'audit.jsonl'), 'utf8')).trim()),
    );
    expect(record).toMatchObject({ outcome: 'rolled-back', recovery: { verified: true } });
    expect(record.failedArtifact?.id).toMatch(/^2@[0-9a-f]{40}$/);
    expect(record.restoredArtifact?.id).toMatch(/^1@[0-9a-f]{40}$/);
    expectCleanedUp(run);
  }, 300_000);

  it('keeps a good release 2 (--healthy): promoted, no rollback', async () => {
    const report = join(out, 'healthy', 'report.html');
    const run = await runDemo(['--json', '--healthy', '--report', report]);
    const why = failureContext(run);
    const summary = summaryOf(run);
    expect(summary, why).toMatchObject({
      outcome: 'promoted',
      falseRollback: false,
      faultToDetectSeconds: null,
      faultToCutoverSeconds: null,
      recoveryVerified: null,
    });
    expect(run.code, why).toBe(0);
    await expectHtmlReport(summary.report, 'promoted');
    expectCleanedUp(run);
  }, 300_000);

  it('rolls back without Prometheus, through the exposition source (--no-prometheus)', async () => {
    const report = join(out, 'exposition', 'report.html');
    const run = await runDemo(['--json', '--no-prometheus', '--report', report]);
    const summary = expectRolledBack(run, 'exposition', report);
    expect(run.stderr).toContain(
      "METRICS: no Prometheus in use (--no-prometheus): Rollgate's exposition source",
    );
    await expectHtmlReport(summary.report, 'rolled-back');
    expectCleanedUp(run);
  }, 300_000);
});
