/**
 * CLI start-up: the built `rollgate` executable (packages/cli/bin/rollgate.js, what `npx rollgate`
 * runs) against a bare `node -e 0`, each run as a whole process, the commands interleaved round by
 * round so a drift in the machine's speed hits all of them alike. Each run's wall time and its own
 * CPU time (reported by the process at exit: cpu-at-exit.cjs) are both kept: on a busy machine the
 * wall time mostly measures the wait for a core, the CPU time what the start-up costs. Which packages each command
 * loads is recorded once with the module recorder of the CLI's start-up test
 * (packages/cli/test/cli/startup-imports.test.ts asserts the same thing on every `pnpm check`).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packagesInImportLog, STARTUP_CONFIG_YAML } from '../../../packages/cli/test/support/import-log';
import type { BenchModule, BenchSection } from '../section';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const CLI_DIR = join(root, 'packages', 'cli');
const BIN = join(CLI_DIR, 'bin', 'rollgate.js');
const RECORDER = join(CLI_DIR, 'test', 'support', 'import-recorder.mjs');
const CPU_AT_EXIT = join(dirname(fileURLToPath(import.meta.url)), 'cpu-at-exit.cjs');
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

interface RunTime {
  /** Wall-clock milliseconds of the whole process, spawn to exit. */
  readonly wall: number;
  /** The process's own CPU milliseconds (user + system), as it reported them at exit. */
  readonly cpu: number;
}

/** Times one whole process; a failing run, or one that did not report its CPU time, stops the benchmark. */
function timeRun(args: readonly string[], cwd: string): RunTime {
  const cpuLog = join(cwd, 'cpu.log');
  writeFileSync(cpuLog, '');
  const t0 = process.hrtime.bigint();
  const result = spawnSync(process.execPath, ['--require', CPU_AT_EXIT, ...args], {
    cwd,
    env: { ...process.env, ROLLGATE_CPU_LOG: cpuLog },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const wall = Number(process.hrtime.bigint() - t0) / 1e6;
  if (result.status !== 0) throw new Error(`node ${args.join(' ')} failed: ${result.stderr}`);
  const cpu = Number.parseFloat(readFileSync(cpuLog, 'utf8'));
  if (!Number.isFinite(cpu)) throw new Error(`node ${args.join(' ')} did not report its CPU time`);
  return { wall, cpu };
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
      { label: '`rollgate status --help`', args: [BIN, 'status', '--help'] },
      {
        label: '`rollgate config check` (Prometheus + Deployer)',
        args: [BIN, 'config', 'check', '--config', config],
      },
    ];
    const rounds = ctx.quick ? 5 : 21;
    const walls = commands.map(() => [] as number[]);
    const cpus = commands.map(() => [] as number[]);
    const loads: number[] = [];
    for (const command of commands) timeRun(command.args, dir); // warm the file cache
    for (let round = 0; round < rounds; round++) {
      commands.forEach((command, i) => {
        const time = timeRun(command.args, dir);
        walls[i]?.push(time.wall);
        cpus[i]?.push(time.cpu);
      });
      loads.push(loadavg()[0] ?? 0);
      if (round % 5 === 4) ctx.log(`cli-startup: ${round + 1}/${rounds} rounds`);
    }
    const bareWall = median(walls[0] ?? []);
    const bareCpu = median(cpus[0] ?? []);
    const above = (ms: number, bare: number): string =>
      `${ms - bare >= 0 ? '+' : ''}${(ms - bare).toFixed(0)}`;
    const rows = commands.map((command, i) => {
      const wall = median(walls[i] ?? []);
      const cpu = median(cpus[i] ?? []);
      const loaded = i === 0 ? new Set<string>() : packagesLoaded(command.args, dir);
      const heavy = HEAVY.filter((name) => loaded.has(name));
      return [
        command.label,
        rounds,
        wall.toFixed(0),
        i === 0 ? '–' : above(wall, bareWall),
        cpu.toFixed(0),
        i === 0 ? '–' : above(cpu, bareCpu),
        (cpu / bareCpu).toFixed(2),
        i === 0 ? '–' : heavy.length > 0 ? heavy.join(', ') : 'none of them',
      ];
    });
    const helpWall = median(walls[1] ?? []) - bareWall;
    const helpCpu = median(cpus[1] ?? []) - bareCpu;
    const verdict = (ms: number): string => `${ms <= 100 ? 'met' : 'not met'} (+${ms.toFixed(0)} ms)`;
    const section: BenchSection = {
      title: 'CLI start-up',
      description:
        "The built `rollgate` executable (packages/cli/bin/rollgate.js) against a bare `node -e 0`, each a whole process, the four commands interleaved round by round so a drift in the machine hits them alike. Each run reports its own CPU time at exit besides its wall time: on a shared machine the wall time also counts the wait for a core, the CPU time only the start-up's work. Every command and adapter is imported only when it runs (packages/cli/src/command-registry.ts, config/adapter-registry.ts); the last column lists which of undici, the Kubernetes client, pg, fast-check, zod and yaml the command loaded.",
      columns: [
        'command',
        'runs',
        'median wall (ms)',
        'wall above bare node (ms)',
        'median CPU (ms)',
        'CPU above bare node (ms)',
        'CPU ratio to bare node',
        'packages loaded',
      ],
      rows,
      notes: [
        `Goal (issue 13): \`rollgate --help\` within 100 ms of a bare node: on CPU time ${verdict(helpCpu)}; on wall time ${verdict(helpWall)}, with the machine's 1-minute load average at ${median(loads).toFixed(1)} (median over the rounds; 2 cores): above 2, a process waits for a core and the wall time grows with the load, not with the start-up.`,
        "CPU time is the process's own (user + system, all its threads, `process.cpuUsage()` at exit, preloaded with `--require bench/src/sections/cpu-at-exit.cjs` in every run, bare node included).",
        "`config check` loads the schemas (zod) and the YAML parser, never an adapter's client: packages/cli/test/cli/startup-imports.test.ts asserts it on every `pnpm check`.",
      ],
    };
    return [section];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};
