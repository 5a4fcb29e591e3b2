import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The CLI package directory: the working directory of every CLI run in the end-to-end tests. */
export const PACKAGE_DIR = fileURLToPath(new URL('../../', import.meta.url));
/** The CLI's entry point, run from source as `rollgate ...` would run. */
export const BIN = join(PACKAGE_DIR, 'src', 'bin.ts');

/** How one CLI process ended. */
export interface CliRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Wall time from spawn to close. */
  readonly seconds: number;
}

/** A running CLI process. */
export interface StartedCli {
  readonly child: ChildProcess;
  readonly done: Promise<CliRun>;
  /** Everything the process has written to stdout so far. */
  stdout(): string;
}

export interface CliOptions {
  /** Added to (and overriding) the test process's environment, after {@link cleanEnv}. */
  readonly env?: Record<string, string>;
  /** The process is killed with SIGKILL after this long, so a hung CLI fails its test. */
  readonly killAfterMs?: number;
}

/**
 * The test process's environment without what would change the CLI's behaviour on a CI runner:
 * `GITHUB_*` (step summaries, annotations) and `ROLLGATE_CONFIG` (a config the test did not write).
 */
export function cleanEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !k.startsWith('GITHUB_') && k !== 'ROLLGATE_CONFIG') env[k] = v;
  }
  return env;
}

/** Starts the real CLI from source in {@link PACKAGE_DIR} and collects its output. */
export function startCli(args: readonly string[], options: CliOptions = {}): StartedCli {
  const started = Date.now();
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', BIN, ...args], {
    cwd: PACKAGE_DIR,
    env: { ...cleanEnv(), ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
  });
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
  });
  const timer =
    options.killAfterMs === undefined
      ? undefined
      : setTimeout(() => child.kill('SIGKILL'), options.killAfterMs);
  const done = new Promise<CliRun>((resolve) =>
    child.on('close', (code, signal) => {
      if (timer !== undefined) clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, seconds: (Date.now() - started) / 1000 });
    }),
  );
  return { child, done, stdout: () => stdout };
}

/** Runs the real CLI from source until it exits. */
export function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliRun> {
  return startCli(args, options).done;
}

/** The JSON lines of a `--json` run's output (other lines, such as progress, are skipped). */
export function jsonLines(text: string): Record<string, unknown>[] {
  return text
    .trimEnd()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
