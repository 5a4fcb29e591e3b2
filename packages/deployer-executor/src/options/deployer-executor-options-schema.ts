import { isAbsolute } from 'node:path';
import { pathOption, secretOption, textMapOption, textOption, wholeNumberOption } from '@rollgate/core';
import { z } from 'zod';

/**
 * The options of the Deployer executor, as a configuration file writes them (`executor` without
 * `type`) and as `createDeployerExecutor` checks them: the one description of every field, its
 * bounds, which fields are paths (`deployPath`, `cwd`) and which are secrets (`env`,
 * `gate.headers`). Runtime-only options (`clock`, `onWarning`) are checked by the factory.
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

const GateSchema = z.strictObject({
  urls: z
    .array(
      z.string({ error: "expected an http(s) URL such as 'https://app.example/health'" }).refine(isHttpUrl, {
        error: "is not an http(s) URL; use an absolute URL such as 'https://app.example/health'",
      }),
      { error: "expected a list of health URLs, e.g. ['https://app.example/health']" },
    )
    .optional(),
  consecutive: wholeNumberOption(1, 1000).optional(),
  intervalMs: wholeNumberOption(0, 3_600_000, ' of milliseconds').optional(),
  timeoutMs: wholeNumberOption(1, 86_400_000, ' of milliseconds').optional(),
  probeTimeoutMs: wholeNumberOption(1, 3_600_000, ' of milliseconds').optional(),
  expectBody: z
    .union([z.string().min(1), z.instanceof(RegExp)], {
      error: 'expected a non-empty text or a RegExp the body must match, e.g. \'"status":"ok"\'',
    })
    .optional(),
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

const LOCAL_ONLY = ['deployPath', 'user'] as const;
const COMMAND_ONLY = ['dep', 'selector', 'deployFile', 'cwd', 'env', 'checkCommand'] as const;

/** `executor` of `type: deployer`, and the options of `createDeployerExecutor`. */
export const DeployerExecutorOptionsSchema = z
  .strictObject({
    mode: z
      .enum(['local', 'command'], {
        error: "is not a mode; set it to 'local' (a deploy_path on this machine) or 'command' (run dep)",
      })
      .default('local'),
    deployPath: pathOption(
      plain("the Deployer deploy_path directory, e.g. '/var/www/app'").refine(isAbsolute, {
        error: 'is a relative path; pass an absolute path (path.resolve it first)',
      }),
    ).optional(),
    user: plain('a name for BAD_RELEASE such as "rollgate"')
      .refine((user) => !user.includes(','), {
        error: 'contains ","; BAD_RELEASE is "<time>,<user>": use a name without a comma',
      })
      .optional(),
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
    selector: plain('a host alias or labels such as "stage=prod"')
      .refine((selector) => SELECTOR.test(selector) && !selector.startsWith('-'), {
        error:
          'is not a Deployer host selector; use a host alias or labels made of letters, digits and _ . : @ = ! & , - (no spaces or shell characters), not starting with "-"',
      })
      .optional(),
    deployFile: plain("the recipe's path, e.g. 'deploy.php'")
      .refine((file) => !file.startsWith('-'), { error: 'starts with "-"; prefix it with "./"' })
      .optional(),
    cwd: pathOption(plain('the project directory holding deploy.php')).optional(),
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
    checkCommand: plain("a remote command such as 'readlink {{current_path}}'", true).optional(),
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

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}
