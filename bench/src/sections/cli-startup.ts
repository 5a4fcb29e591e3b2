/**
 * CLI start-up: the built `rollgate` executable (packages/cli/bin/rollgate.js, what `npx rollgate`
 * runs) against a bare `node -e 0`, each run as a whole process, the commands interleaved round by
 * round so a drift in the machine's speed hits all of them alike. Which packages each command
 * loads is recorded once with the module recorder of the CLI's start-up test
 * (packages/cli/test/cli/startup-imports.test.ts asserts the same thing on every `pnpm check`).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packagesInImportLog, STARTUP_CONFIG_YAML } from '../../../packages/cli/test/support/import-log';
import type { BenchModule, BenchSection } from '../section';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const CLI_DIR = join(root, 'packages', 'cli');
const BIN = join(CLI_DIR, 'bin', 'rollgate.js');
const RECORDER = join(CLI_DIR, 'test', 'support', 'import-recorder.mjs');
const HEAVY = ['undici', '@kubernetes/client-node', 'pg', 'fast-check', 'zod', 'yaml'];

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? Number.NaN;
}

/** Newest modification time of the files under `dir` (skipping node_modules and dist). */
function newest(dir: string): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist') continue;
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

/** Builds the CLI and the packages it depends on when its dist is missing or older than a source. */
function ensureBuilt(log: (message: string) => void): void {
  const built = join(CLI_DIR, 'dist', 'bin.js');
  let builtAt = 0;
  try {
    builtAt = statSync(built).mtimeMs;
  } catch {
    builtAt = 0;
  }
  if (builtAt > 0 && builtAt >= newest(join(root, 'packages'))) return;
  log('building @rollgate/cli and its dependencies (pnpm --filter @rollgate/cli... build)');
  execFileSync('pnpm', ['--filter', '@rollgate/cli...', 'run', 'build'], { cwd: root, stdio: 'ignore' });
}

interface Command {
  readonly label: string;
  readonly args: readonly string[];
}

/** The package names a run of `args` resolved (from the recorder's log of module URLs). */
function packagesLoaded(args: readonly string[], cwd: string): Set<string> {
  const log = join(cwd, 'imports.log');
  writeFileSync(log, '');
  const result = spawnSync(process.execPath, ['--import', RECORDER, ...args], {
    cwd,
    env: { ...process.env, ROLLGATE_IMPORT_LOG: log },
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`node ${args.join(' ')} failed: ${result.stderr}`);
  return packagesInImportLog(readFileSync(log, 'utf8'));
}

/** Wall-clock milliseconds of one whole process; a failing run stops the benchmark. */
function timeRun(args: readonly string[], cwd: string): number {
  const t0 = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (result.status !== 0) throw new Error(`node ${args.join(' ')} failed: ${result.stderr}`);
  return ms;
}

export const cliStartupBench: BenchModule = async (ctx) => {
  ensureBuilt(ctx.log);
  const dir = mkdtempSync(join(tmpdir(), 'rollgate-bench-cli-'));
  try {
    const config = join(dir, 'rollgate.yaml');
    writeFileSync(config, STARTUP_CONFIG_YAML);
    const commands: Command[] = [
      { label: 'bare `node -e 0`', args: ['-e', '0'] },
      { label: '`rollgate --help`', args: [BIN, '--help'] },
      { label: '`rollgate watch --help`', args: [BIN, 'watch', '--help'] },
      {
        label: '`rollgate config check` (Prometheus + Deployer)',
        args: [BIN, 'config', 'check', '--config', config],
      },
    ];
    const rounds = ctx.quick ? 5 : 21;
    const times = commands.map(() => [] as number[]);
    for (const command of commands) timeRun(command.args, dir); // warm the file cache
    for (let round = 0; round < rounds; round++) {
      commands.forEach((command, i) => {
        times[i]?.push(timeRun(command.args, dir));
      });
      if (round % 5 === 4) ctx.log(`cli-startup: ${round + 1}/${rounds} rounds`);
    }
    const bare = median(times[0] ?? []);
    const rows = commands.map((command, i) => {
      const ms = median(times[i] ?? []);
      const loaded = i === 0 ? new Set<string>() : packagesLoaded(command.args, dir);
      const heavy = HEAVY.filter((name) => loaded.has(name));
      return [
        command.label,
        rounds,
        ms.toFixed(0),
        i === 0 ? '–' : `+${(ms - bare).toFixed(0)}`,
        (ms / bare).toFixed(2),
        i === 0 ? '–' : heavy.length > 0 ? heavy.join(', ') : 'none of them',
      ];
    });
    const help = median(times[1] ?? []) - bare;
    const section: BenchSection = {
      title: 'CLI start-up',
      description:
        'The built `rollgate` executable (packages/cli/bin/rollgate.js) against a bare `node -e 0`, each a whole process, the four commands interleaved round by round so a drift in the machine hits them alike. Every command and adapter is imported only when it runs (packages/cli/src/command-registry.ts, config/adapter-registry.ts); the last column lists which of undici, the Kubernetes client, pg, fast-check, zod and yaml the command loaded.',
      columns: [
        'command',
        'runs',
        'median wall (ms)',
        'above bare node (ms)',
        'ratio to bare node',
        'packages loaded',
      ],
      rows,
      notes: [
        `Goal (issue 13): \`rollgate --help\` within 100 ms of a bare node: ${help <= 100 ? 'met' : 'not met'} (+${help.toFixed(0)} ms).`,
        "`config check` loads the schemas (zod) and the YAML parser, never an adapter's client: packages/cli/test/cli/startup-imports.test.ts asserts it on every `pnpm check`.",
      ],
    };
    return [section];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};
