import { execFile } from 'node:child_process';
import { type Clock, fail, ok, type PortContext, type Result, type RollgateError } from '@rollgate/core';
import { portSignal } from '@rollgate/core/node';
import { abortedError, timeoutError } from '../context/port-context';
import { executorError, quote } from '../errors/executor-error';
import type { CommandSettings } from '../options/validate-options';
import { relevantLines } from './host-output';
import type { Redactor } from './redactor';

/** A finished `dep` process; a non-zero `exitCode` is for the caller to judge. */
export interface DepRun {
  readonly args: readonly string[];
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

const MAX_BUFFER = 32 * 1024 * 1024;

/**
 * Runs Deployer with `execFile` and an argument array, never a shell: a selector or release
 * name is one argv entry whatever characters it holds. The process is killed when `ctx.signal`
 * fires or `ctx.deadline` passes (by the injected clock).
 */
export class DepRunner {
  readonly #settings: CommandSettings;
  readonly #clock: Clock;
  readonly #redact: Redactor;
  readonly #running = new Set<AbortController>();

  constructor(settings: CommandSettings, clock: Clock, redact: Redactor) {
    this.#settings = settings;
    this.#clock = clock;
    this.#redact = redact;
  }

  /** The argument list after the binary for a Deployer command (`-n`, `-f` appended). */
  args(command: readonly string[]): string[] {
    const out = [...this.#settings.dep.slice(1), ...command, '-n'];
    if (this.#settings.deployFile !== undefined) out.push('-f', this.#settings.deployFile);
    return out;
  }

  /**
   * Runs `dep <command> -n [-f file]`. Resolves `ok` with the exit code, output and the args
   * used; `EXECUTOR_UNAVAILABLE` when dep cannot be started, `ABORTED`/`TIMEOUT` when cut short.
   */
  run(command: readonly string[], ctx: PortContext, what: string): Promise<Result<DepRun>> {
    const [file] = this.#settings.dep;
    const args = this.args(command);
    const link = portSignal(ctx, this.#clock);
    const controller = new AbortController();
    const onLink = (): void => controller.abort(link.signal.reason);
    link.signal.addEventListener('abort', onLink, { once: true });
    if (link.signal.aborted) controller.abort(link.signal.reason);
    this.#running.add(controller);
    const options = {
      cwd: this.#settings.cwd,
      env: { ...process.env, ...this.#settings.env },
      encoding: 'utf8' as const,
      maxBuffer: MAX_BUFFER,
      shell: false,
      windowsHide: true,
      signal: controller.signal,
    };
    return new Promise<Result<DepRun>>((resolve) => {
      execFile(file as string, args, options, (error, stdout, stderr) => {
        link.signal.removeEventListener('abort', onLink);
        link.dispose();
        this.#running.delete(controller);
        const out = String(stdout ?? '');
        const err = String(stderr ?? '');
        if (error === null) {
          resolve(ok({ args, exitCode: 0, stdout: out, stderr: err }));
          return;
        }
        const why = link.reason();
        if (why === 'aborted') {
          resolve(fail(abortedError(`${what} (dep ${command[0] ?? ''})`, ctx.signal.reason)));
          return;
        }
        if (why !== undefined) {
          resolve(fail(timeoutError(`${what} (dep ${command[0] ?? ''})`, ctx.deadline)));
          return;
        }
        if (controller.signal.aborted) {
          resolve(
            fail(executorError('ABORTED', `${what}: the executor was disposed while dep was running.`)),
          );
          return;
        }
        const code = (error as NodeJS.ErrnoException & { code?: unknown }).code;
        if (typeof code === 'number') {
          resolve(ok({ args, exitCode: code, stdout: out, stderr: err }));
          return;
        }
        const signal = (error as { signal?: unknown }).signal;
        if (typeof signal === 'string') {
          resolve(ok({ args, exitCode: -1, stdout: out, stderr: `${err}\n(dep was killed by ${signal})` }));
          return;
        }
        const lines = relevantLines(out, err, this.#redact);
        resolve(
          fail(
            executorError(
              'EXECUTOR_UNAVAILABLE',
              `${what}: could not run ${quote(file as string)} (${typeof code === 'string' ? code : this.#redact(error.message)}). ` +
                `Set options.dep to Deployer's binary (e.g. 'vendor/bin/dep') and options.cwd to the project directory.`,
              { cause: error, retryable: false, details: { output: lines } },
            ),
          ),
        );
      });
    });
  }

  /**
   * The error for a `dep` run that exited non-zero, with the relevant output lines (redacted):
   * `EXECUTOR_UNAVAILABLE` (retryable) for a read, `CUTOVER_FAILED` for the rollback itself,
   * where `note` says what that leaves behind.
   */
  exitError(
    run: DepRun,
    label: string,
    code: 'EXECUTOR_UNAVAILABLE' | 'CUTOVER_FAILED',
    note = '',
  ): RollgateError {
    const lines = relevantLines(run.stdout, run.stderr, this.#redact);
    return executorError(
      code,
      `${label} exited with ${run.exitCode}${note}. Output: ${lines.join(' | ') || '(none)'}`,
      {
        retryable: code === 'EXECUTOR_UNAVAILABLE',
        details: { exitCode: run.exitCode, output: lines },
      },
    );
  }

  /** Kills running `dep` processes (used by dispose). */
  stopAll(): void {
    for (const controller of this.#running) controller.abort(new Error('executor disposed'));
    this.#running.clear();
  }
}
