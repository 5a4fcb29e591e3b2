import { execFile } from 'node:child_process';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { useTempDirs } from '../support/temp-dir';

const ROOT = join(import.meta.dirname, '..', '..', '..', '..');
const run = promisify(execFile);

interface Step {
  readonly id?: string;
  readonly run?: string;
  readonly uses?: string;
  readonly env?: Record<string, string>;
}
interface Action {
  readonly inputs: Record<string, { default?: string }>;
  readonly outputs: Record<string, { value: string }>;
  readonly runs: { using: string; steps: Step[] };
}

async function action(): Promise<Action> {
  return parse(await readFile(join(ROOT, 'action.yml'), 'utf8')) as Action;
}

/** Runs one step's script with bash as Actions would: its env with inputs substituted. */
async function runStep(step: Step, inputs: Record<string, string>, extraEnv: Record<string, string>) {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', ...extraEnv };
  for (const [k, v] of Object.entries(step.env ?? {})) {
    env[k] = v.replace(
      /\$\{\{ (inputs|steps\.watch\.outputs)\.([\w-]+) \}\}/g,
      (_, _scope, name: string) => inputs[name] ?? '',
    );
  }
  try {
    const r = await run('bash', ['-e', '-c', step.run ?? ''], { env });
    return { code: 0, stdout: r.stdout };
  } catch (error) {
    return { code: (error as { code: number }).code, stdout: (error as { stdout: string }).stdout };
  }
}

describe('the composite action (action.yml)', () => {
  const tempDir = useTempDirs();

  it('pins the CLI version it runs to the version of this repository', async () => {
    const a = await action();
    const pkg = JSON.parse(await readFile(join(ROOT, 'packages', 'cli', 'package.json'), 'utf8')) as {
      version: string;
    };
    expect(a.inputs.version?.default).toBe(pkg.version);
    expect(a.runs.using).toBe('composite');
  });

  it('never splices inputs into a script (no script injection) and maps every output the CLI writes', async () => {
    const a = await action();
    for (const step of a.runs.steps) expect(step.run ?? '').not.toContain('${{');
    for (const name of ['outcome', 'watch-id', 'failed-artifact', 'restored-artifact', 'audit', 'report'])
      expect(a.outputs[name]?.value).toBe(`\${{ steps.watch.outputs.${name} }}`);
    expect(a.outputs['exit-code']?.value).toBe(`\${{ steps.watch.outputs.code }}`);
  });

  it('runs the pinned CLI with the inputs as separate arguments, records the exit code, and fails as asked', async () => {
    const a = await action();
    const dir = await tempDir();
    const bin = join(dir, 'bin');
    const calls = join(dir, 'calls');
    const outputs = join(dir, 'github-output');
    await run('mkdir', ['-p', bin]);
    // A stand-in for npx: records its arguments one per line, exits like a rollback.
    await writeFile(
      join(bin, 'npx'),
      `#!/bin/bash\nprintf '%s\\n' "$@" > "${calls}"\necho outcome=rolled-back >> "$GITHUB_OUTPUT"\nexit 10\n`,
    );
    await chmod(join(bin, 'npx'), 0o755);
    const watch = a.runs.steps.find((s) => s.id === 'watch') as Step;
    const inputs = {
      version: '0.1.0',
      config: 'deploy/roll gate.yaml',
      artifact: '42@9fceb02; rm -rf /',
      'deployed-at': '',
      'dry-run': 'true',
      report: 'out/report.html',
      'metrics-listen': '',
    };
    const r = await runStep(watch, inputs, { PATH: `${bin}:${process.env.PATH}`, GITHUB_OUTPUT: outputs });
    expect(r.code).toBe(0);
    expect((await readFile(calls, 'utf8')).trimEnd().split('\n')).toEqual([
      '--yes',
      '@rollgate/cli@0.1.0',
      'watch',
      '--config',
      'deploy/roll gate.yaml',
      '--report',
      'out/report.html',
      '--artifact',
      '42@9fceb02; rm -rf /',
      '--dry-run',
    ]);
    expect(await readFile(outputs, 'utf8')).toBe('outcome=rolled-back\ncode=10\n');
    const verdict = a.runs.steps.at(-1) as Step;
    expect((await runStep(verdict, { code: '10', 'fail-on': 'any' }, {})).code).toBe(10);
    expect((await runStep(verdict, { code: '10', 'fail-on': 'human' }, {})).code).toBe(0);
    expect((await runStep(verdict, { code: '20', 'fail-on': 'human' }, {})).code).toBe(20);
    expect((await runStep(verdict, { code: '0', 'fail-on': 'any' }, {})).code).toBe(0);
  }, 30_000);
});
