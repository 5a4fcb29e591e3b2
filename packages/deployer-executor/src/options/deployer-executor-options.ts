import type { Clock } from '@rollgate/core';

/** The readiness gate run by `awaitReady` after a cutover. */
export interface ReadinessGateOptions {
  /**
   * HTTP(S) health URLs. Every URL must answer 2xx (and pass `expectBody`) in the same probe
   * round; redirects are not followed and count as failures. Credentials in a URL
   * (`https://user:pass@host/health`) are sent as basic auth and never shown. Without URLs the
   * gate only checks that `current` is the target release and resolves to an existing directory.
   */
  readonly urls?: readonly string[];
  /** Consecutive passing probe rounds needed. Default 3. */
  readonly consecutive?: number;
  /** Pause between probe rounds, ms. Default 1000. */
  readonly intervalMs?: number;
  /** How long the gate waits for readiness, ms; `ctx.deadline` bounds it too. Default 60000. */
  readonly timeoutMs?: number;
  /** Per-request timeout, ms. Default 5000. */
  readonly probeTimeoutMs?: number;
  /** A body check: a string the body must contain, or a RegExp it must match. */
  readonly expectBody?: string | RegExp;
  /** Extra request headers (e.g. an auth token). Values never appear in errors or details. */
  readonly headers?: Readonly<Record<string, string>>;
}

/** Options both modes share. */
export interface CommonDeployerOptions {
  /** The readiness gate; see {@link ReadinessGateOptions}. */
  readonly gate?: ReadinessGateOptions;
  /** Time for deadlines and probe intervals. Default `systemClock` from `@rollgate/core/node`. */
  readonly clock?: Clock;
  /**
   * Where non-fatal problems go (a malformed releases_log line skipped, a release name command
   * mode cannot pass to `dep`). Default: `process.emitWarning`.
   */
  readonly onWarning?: (message: string) => void;
}

/** Local mode: operate on a deploy_path on this machine. */
export interface LocalDeployerOptions extends CommonDeployerOptions {
  readonly mode: 'local';
  /** Deployer's `deploy_path` (absolute), holding `current`, `releases/` and `.dep/`. */
  readonly deployPath: string;
  /** The user written into `BAD_RELEASE` (`<time>,<user>`). Default `rollgate`. */
  readonly user?: string;
}

/** Command mode: run the project's own `dep` binary. */
export interface CommandDeployerOptions extends CommonDeployerOptions {
  readonly mode: 'command';
  /**
   * The Deployer binary: a path or a name looked up in PATH (default `dep`), or an argument
   * vector such as `['php', 'vendor/bin/dep']`. Never run through a shell.
   */
  readonly dep?: string | readonly string[];
  /**
   * Which hosts: a host alias (`prod`), labels (`stage=prod`, `stage=prod&role=web`) or a
   * comma-separated list. Letters, digits and `_ . : @ = ! & , -` only, not starting with `-`.
   */
  readonly selector: string;
  /** Passed as `-f <deployFile>`. */
  readonly deployFile?: string;
  /** Working directory of `dep` (the project root holding deploy.php). */
  readonly cwd?: string;
  /** Extra environment for `dep`, added to this process's environment. Values are redacted from output. */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * The remote command whose output names each host's current release after a rollback, run as
   * `dep run <checkCommand> <selector> -n`. Default `readlink {{current_path}}`.
   */
  readonly checkCommand?: string;
}

/** Options of {@link createDeployerExecutor}. */
export type DeployerExecutorOptions = LocalDeployerOptions | CommandDeployerOptions;
