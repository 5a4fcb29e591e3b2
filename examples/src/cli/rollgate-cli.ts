import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A finished `rollgate` run. */
export interface CliRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A started `rollgate` run. */
export interface CliProcess {
  readonly child: ChildProcess;
  readonly done: Promise<CliRun>;
}

/**
 * The command that runs the real `rollgate` CLI of this checkout from source (no build needed):
 * `node --conditions=source --import tsx packages/cli/src/bin.ts`, as docs/cli.md describes.
 */
export function rollgateCommand(): { readonly command: string; readonly args: readonly string[] } {
  const cliDir = dirname(fileURLToPath(import.meta.resolve('@rollgate/cli/package.json')));
  return {
    command: process.execPath,
    args: ['--conditions=source', '--import', import.meta.resolve('tsx'), join(cliDir, 'src', 'bin.ts')],
  };
}

/** The environment for the CLI: ours, minus what would make it act on a CI job's files. */
function cliEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key.startsWith('GITHUB_') || key === 'ROLLGATE_CONFIG') continue;
    env[key] = value;
  }
  return env;
}

/**
 * Starts `rollgate <args>` in `cwd`. `onLine` receives each stdout line as it arrives (the
 * `--json` events); the result keeps everything.
 */
export function startRollgate(
  args: readonly string[],
  options: { readonly cwd: string; readonly onLine?: (line: string) => void },
): CliProcess {
  const { command, args: prefix } = rollgateCommand();
  const child = spawn(command, [...prefix, ...args], {
    cwd: options.cwd,
    env: cliEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let partial = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    partial += chunk;
    const lines = partial.split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) options.onLine?.(line);
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const done = new Promise<CliRun>((resolve) => {
    child.on('error', (error) =>
      resolve({ code: null, signal: null, stdout, stderr: `${stderr}${error.message}\n` }),
    );
    child.on('close', (code, signal) => {
      if (partial.length > 0) options.onLine?.(partial);
      resolve({ code, signal, stdout, stderr });
    });
  });
  return { child, done };
}
