import { isAbsolute } from 'node:path';
import {
  type Clock,
  type OptionsOf,
  pathOption,
  secretOption,
  textMapOption,
  textOption,
  wholeNumberOption,
} from '@rollgate/core';
import { z } from 'zod';

/**
 * The options of the Deployer executor, as a configuration file writes them (`executor` without
 * `type`) and as `createDeployerExecutor` checks them: the one description of every field, its
 * bounds, which fields are paths (`deployPath`, `cwd`) and which are secrets (`env`,
 * `gate.headers`). The option types (`DeployerExecutorOptions`, one per mode, and the gate's) are
 * derived from it, with the doc comments written on its fields. Runtime-only options (`clock`,
 * `onWarning`) are checked by the factory.
 */

const SELECTOR = /^[A-Za-z0-9_.:@=!&,-]+$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what we reject
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Non-empty text without control characters (tab and newline too, unless `multiline`). */
const plain = (what: string, multiline = false) =>
  textOption(what).refine((value) => !CONTROL.test(multiline ? value.replace(/[\t\n]/g, ' ') : value), {
    error: `contains a NUL or control character; pass ${what}`,
  });

/** The readiness gate run by `awaitReady` after a cutover. */
const GateSchema = z.strictObject({
  /**
   * HTTP(S) health URLs. Every URL must answer 2xx (and pass `expectBody`) in the same probe
   * round; redirects are not followed and count as failures. Credentials in a URL
   * (`https://user:pass@host/health`) are sent as basic auth and never shown. Without URLs the
   * gate only checks that `current` is the target release and resolves to an existing directory.
   */
  urls: z
    .array(
      z.string({ error: "expected an http(s) URL such as 'https://app.example/health'" }).refine(isHttpUrl, {
        error: "is not an http(s) URL; use an absolute URL such as 'https://app.example/health'",
      }),
      { error: "expected a list of health URLs, e.g. ['https://app.example/health']" },
    )
    .optional(),
  /** Consecutive passing probe rounds needed. Default 3. */
  consecutive: wholeNumberOption(1, 1000).optional(),
  /** Pause between probe rounds, ms. Default 1000. */
  intervalMs: wholeNumberOption(0, 3_600_000, ' of milliseconds').optional(),
  /** How long the gate waits for readiness, ms; `ctx.deadline` bounds it too. Default 60000. */
  timeoutMs: wholeNumberOption(1, 86_400_000, ' of milliseconds').optional(),
  /** Per-request timeout, ms. Default 5000. */
  probeTimeoutMs: wholeNumberOption(1, 3_600_000, ' of milliseconds').optional(),
  /** A body check: a string the body must contain, or a RegExp it must match. */
  expectBody: z
    .union([z.string().min(1), z.instanceof(RegExp)], {
      error: 'expected a non-empty text or a RegExp the body must match, e.g. \'"status":"ok"\'',
    })
    .optional(),
  /** Extra request headers (e.g. an auth token). Values never appear in errors or details. */
  headers: secretOption(textMapOption("a mapping of header names to values, e.g. { x-health-token: '...' }"))
    .superRefine((headers, ctx) => {
      for (const [name, value] of Object.entries(headers)) {
        if (!HEADER_NAME.test(name)) {
          ctx.addIssue({
            code: 'custom',
            path: [name],
            message: 'is not a valid header name; use a token such as x-health-token',
          });
        } else if (CONTROL.test(value)) {
          ctx.addIssue({
            code: 'custom',
            path: [name],
            message: 'must be a value without control characters; pass the header value as text',
          });
        }
      }
    })
    .optional(),
});

/** Local mode: operate on a deploy_path on this machine. */
const localFields = {
  /** Deployer's `deploy_path` (absolute), holding `current`, `releases/` and `.dep/`. */
  deployPath: pathOption(
    plain("the Deployer deploy_path directory, e.g. '/var/www/app'").refine(isAbsolute, {
      error: 'is a relative path; pass an absolute path (path.resolve it first)',
    }),
  ),
  /** The user written into `BAD_RELEASE` (`<time>,<user>`). Default `rollgate`. */
  user: plain('a name for BAD_RELEASE such as "rollgate"')
    .refine((user) => !user.includes(','), {
      error: 'contains ","; BAD_RELEASE is "<time>,<user>": use a name without a comma',
    })
    .optional(),
};

/** Command mode: run the project's own `dep` binary. */
const commandFields = {
  /**
   * The Deployer binary: a path or a name looked up in PATH (default `dep`), or an argument
   * vector such as `['php', 'vendor/bin/dep']`. Never run through a shell.
   */
  dep: z
    .union(
      [
        plain("the dep binary, e.g. 'vendor/bin/dep'"),
        z.array(plain("e.g. ['php', 'vendor/bin/dep']")).min(1),
      ],
      {
        error: 'expected the dep binary, or its command as a list such as [php, vendor/bin/dep]',
      },
    )
    .optional(),
  /**
   * Which hosts: a host alias (`prod`), labels (`stage=prod`, `stage=prod&role=web`) or a
   * comma-separated list. Letters, digits and `_ . : @ = ! & , -` only, not starting with `-`.
   */
  selector: plain('a host alias or labels such as "stage=prod"').refine(
    (selector) => SELECTOR.test(selector) && !selector.startsWith('-'),
    {
      error:
        'is not a Deployer host selector; use a host alias or labels made of letters, digits and _ . : @ = ! & , - (no spaces or shell characters), not starting with "-"',
    },
  ),
  /** Passed as `-f <deployFile>`. */
  deployFile: plain("the recipe's path, e.g. 'deploy.php'")
    .refine((file) => !file.startsWith('-'), { error: 'starts with "-"; prefix it with "./"' })
    .optional(),
  /** Working directory of `dep` (the project root holding deploy.php). */
  cwd: pathOption(plain('the project directory holding deploy.php')).optional(),
  /** Extra environment for `dep`, added to this process's environment. Values are redacted from output. */
  env: secretOption(
    textMapOption("a mapping of variable names to values, e.g. { SSH_AUTH_SOCK: '/run/ssh.sock' }"),
  )
    .superRefine((env, ctx) => {
      for (const [name, value] of Object.entries(env)) {
        if (!ENV_NAME.test(name)) {
          ctx.addIssue({
            code: 'custom',
            path: [name],
            message: 'is not a valid variable name; use letters, digits and _',
          });
        } else if (value.includes('\0')) {
          ctx.addIssue({ code: 'custom', path: [name], message: 'contains a NUL character; remove it' });
        }
      }
    })
    .optional(),
  /**
   * The remote command whose output names each host's current release after a rollback, run as
   * `dep run <checkCommand> <selector> -n`. Default `readlink {{current_path}}`.
   */
  checkCommand: plain("a remote command such as 'readlink {{current_path}}'", true).optional(),
};

const LOCAL_ONLY = Object.keys(localFields) as (keyof typeof localFields)[];
const COMMAND_ONLY = Object.keys(commandFields) as (keyof typeof commandFields)[];

/** `executor` of `type: deployer`, and the options of `createDeployerExecutor`. */
export const DeployerExecutorOptionsSchema = z
  .strictObject({
    mode: z
      .enum(['local', 'command'], {
        error: "is not a mode; set it to 'local' (a deploy_path on this machine) or 'command' (run dep)",
      })
      .default('local'),
    ...localFields,
    // Each mode's required field is checked below, with the mode in the message.
    deployPath: localFields.deployPath.optional(),
    ...commandFields,
    selector: commandFields.selector.optional(),
    /** The readiness gate; see {@link ReadinessGateOptions}. */
    gate: GateSchema.optional(),
  })
  .superRefine((value, ctx) => {
    if (value.mode === 'local' && value.deployPath === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['deployPath'],
        message: 'is missing; local mode needs deployPath: the Deployer deploy_path on this machine',
      });
    }
    if (value.mode === 'command' && value.selector === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['selector'],
        message: 'is missing; command mode needs selector: a host alias or labels such as stage=prod',
      });
    }
    const [other, own] = value.mode === 'local' ? [COMMAND_ONLY, LOCAL_ONLY] : [LOCAL_ONLY, COMMAND_ONLY];
    for (const key of other) {
      if (value[key] !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `${key} does not apply in ${value.mode} mode: remove it or set mode; ${value.mode} mode accepts ${[...own, 'gate'].join(', ')}`,
        });
      }
    }
  });

/** The options as written (`mode` defaults to local). */
export type DeployerExecutorOptionsInput = z.input<typeof DeployerExecutorOptionsSchema>;
/** The options after the schema. */
export type DeployerExecutorOptionsParsed = z.output<typeof DeployerExecutorOptionsSchema>;

const localSchema = z.strictObject(localFields);
const commandSchema = z.strictObject(commandFields);

/** The readiness gate run by `awaitReady` after a cutover. */
export type ReadinessGateOptions = OptionsOf<typeof GateSchema>;

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
export interface LocalDeployerOptions extends CommonDeployerOptions, OptionsOf<typeof localSchema> {
  readonly mode: 'local';
}

/** Command mode: run the project's own `dep` binary. */
export interface CommandDeployerOptions extends CommonDeployerOptions, OptionsOf<typeof commandSchema> {
  readonly mode: 'command';
}

/** Options of `createDeployerExecutor`. */
export type DeployerExecutorOptions = LocalDeployerOptions | CommandDeployerOptions;

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}
