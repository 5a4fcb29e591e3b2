import { isAbsolute } from 'node:path';
import type { Clock } from '@rollgate/core';
import { systemClock } from '@rollgate/core/node';
import { executorError, quote } from '../errors/executor-error';
import { displayUrl, prepareProbe } from '../gate/http-probe';
import { GATE_DEFAULTS, type GateSettings } from '../gate/readiness-gate';
import type { DeployerExecutorOptions, ReadinessGateOptions } from './deployer-executor-options';

/** Settings of local mode after validation. */
export interface LocalSettings {
  readonly mode: 'local';
  readonly deployPath: string;
  readonly user: string;
}

/** Settings of command mode after validation. */
export interface CommandSettings {
  readonly mode: 'command';
  /** `[file, ...leadingArgs]` for execFile. */
  readonly dep: readonly string[];
  readonly selector: string;
  readonly deployFile?: string;
  readonly cwd?: string;
  readonly env: Readonly<Record<string, string>>;
  readonly checkCommand: string;
}

/** Everything the executor needs, validated, with defaults applied. */
export interface ExecutorSettings {
  readonly target: LocalSettings | CommandSettings;
  readonly gate: GateSettings;
  readonly clock: Clock;
  readonly warn: (message: string) => void;
}

const COMMON_KEYS = ['mode', 'gate', 'clock', 'onWarning'];
const LOCAL_KEYS = [...COMMON_KEYS, 'deployPath', 'user'];
const COMMAND_KEYS = [...COMMON_KEYS, 'dep', 'selector', 'deployFile', 'cwd', 'env', 'checkCommand'];
const GATE_KEYS = [
  'urls',
  'consecutive',
  'intervalMs',
  'timeoutMs',
  'probeTimeoutMs',
  'expectBody',
  'headers',
];
const SELECTOR = /^[A-Za-z0-9_.:@=!&,-]+$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what we reject
const CONTROL = /[\u0000-\u001f\u007f]/;

function invalid(path: string, problem: string, fix: string): never {
  throw executorError('CONFIG_INVALID', `options.${path} ${problem}; ${fix}.`, { details: { option: path } });
}

/**
 * Checks the factory options once and applies defaults. Every problem is a
 * `RollgateError('CONFIG_INVALID')` naming the option and the fix; secret values (header
 * values, URL credentials, env values) are never echoed.
 */
export function validateOptions(input: DeployerExecutorOptions): ExecutorSettings {
  if (typeof input !== 'object' || input === null) {
    invalid('', 'must be an object', "pass { mode: 'local', deployPath } or { mode: 'command', selector }");
  }
  const options = input as unknown as Record<string, unknown>;
  const mode = options.mode;
  if (mode !== 'local' && mode !== 'command') {
    invalid(
      'mode',
      `is ${quote(String(mode))}`,
      "set it to 'local' (a deploy_path on this machine) or 'command' (run dep)",
    );
  }
  const allowed = mode === 'local' ? LOCAL_KEYS : COMMAND_KEYS;
  for (const key of Object.keys(options)) {
    if (options[key] !== undefined && !allowed.includes(key)) {
      invalid(
        key,
        `is not an option of ${mode} mode`,
        `remove it; ${mode} mode accepts ${allowed.join(', ')}`,
      );
    }
  }

  const clock = options.clock === undefined ? systemClock : checkClock(options.clock);
  const warn = warnOnce(
    options.onWarning === undefined ? defaultWarn : checkFunction(options.onWarning, 'onWarning'),
  );
  const gate = gateSettings(options.gate);
  const target = mode === 'local' ? localSettings(options) : commandSettings(options);
  return { target, gate, clock, warn };
}

/**
 * Every read re-parses releases_log, so the same malformed line would warn on every tick of a
 * watch: each distinct message is passed on once per executor.
 */
function warnOnce(warn: (message: string) => void): (message: string) => void {
  const seen = new Set<string>();
  return (message) => {
    if (seen.has(message)) return;
    if (seen.size < 1000) seen.add(message);
    try {
      warn(message);
    } catch {
      // A throwing logger must not turn a warning into a failed port call.
    }
  };
}

function defaultWarn(message: string): void {
  process.emitWarning(message, { type: 'RollgateDeployerWarning' });
}

function localSettings(options: Record<string, unknown>): LocalSettings {
  const deployPath = plainString(
    options.deployPath,
    'deployPath',
    "Deployer's deploy_path, e.g. '/var/www/app'",
  );
  if (!isAbsolute(deployPath)) {
    invalid(
      'deployPath',
      `is ${quote(deployPath)}, a relative path`,
      'pass an absolute path (path.resolve it first)',
    );
  }
  let user = 'rollgate';
  if (options.user !== undefined) {
    user = plainString(options.user, 'user', 'a name for BAD_RELEASE such as "rollgate"');
    if (user.includes(','))
      invalid('user', 'contains ","', 'BAD_RELEASE is "<time>,<user>": use a name without a comma');
  }
  return { mode: 'local', deployPath, user };
}

function commandSettings(options: Record<string, unknown>): CommandSettings {
  let dep: readonly string[] = ['dep'];
  if (options.dep !== undefined) {
    if (typeof options.dep === 'string') {
      dep = [plainString(options.dep, 'dep', "the path of Deployer's binary, e.g. 'vendor/bin/dep'")];
    } else if (Array.isArray(options.dep) && options.dep.length > 0) {
      dep = options.dep.map((part, i) => plainString(part, `dep[${i}]`, "e.g. ['php', 'vendor/bin/dep']"));
    } else {
      invalid(
        'dep',
        'must be a string or a non-empty array of strings',
        "e.g. 'dep' or ['php', 'vendor/bin/dep']",
      );
    }
  }
  if (options.selector === undefined) {
    invalid(
      'selector',
      'is missing',
      'name the hosts: a host alias such as "prod" or labels such as "stage=prod"',
    );
  }
  const selector = plainString(options.selector, 'selector', 'a host alias or labels such as "stage=prod"');
  if (!SELECTOR.test(selector) || selector.startsWith('-')) {
    invalid(
      'selector',
      `is ${quote(selector)}, which is not a Deployer host selector`,
      'use a host alias or labels made of letters, digits and _ . : @ = ! & , - (no spaces or shell characters), not starting with "-"',
    );
  }
  const settings: {
    mode: 'command';
    dep: readonly string[];
    selector: string;
    deployFile?: string;
    cwd?: string;
    env: Record<string, string>;
    checkCommand: string;
  } = { mode: 'command', dep, selector, env: {}, checkCommand: 'readlink {{current_path}}' };
  if (options.deployFile !== undefined) {
    const file = plainString(options.deployFile, 'deployFile', "the recipe's path, e.g. 'deploy.php'");
    if (file.startsWith('-')) invalid('deployFile', 'starts with "-"', 'prefix it with "./"');
    settings.deployFile = file;
  }
  if (options.cwd !== undefined)
    settings.cwd = plainString(options.cwd, 'cwd', 'the project directory holding deploy.php');
  if (options.env !== undefined) {
    if (typeof options.env !== 'object' || options.env === null || Array.isArray(options.env)) {
      invalid('env', 'must be an object of strings', "e.g. { SSH_AUTH_SOCK: '/run/ssh.sock' }");
    }
    for (const [name, value] of Object.entries(options.env as Record<string, unknown>)) {
      if (!ENV_NAME.test(name))
        invalid(`env.${name}`, 'is not a valid variable name', 'use letters, digits and _');
      if (typeof value !== 'string' || value.includes('\0')) {
        invalid(`env.${name}`, 'must be a string without NUL characters', 'pass the value as a string');
      }
      settings.env[name] = value;
    }
  }
  if (options.checkCommand !== undefined) {
    settings.checkCommand = plainString(
      options.checkCommand,
      'checkCommand',
      "a remote command such as 'readlink {{current_path}}'",
      true,
    );
  }
  return settings;
}

function gateSettings(value: unknown): GateSettings {
  if (value === undefined) return { probes: [], ...GATE_DEFAULTS };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    invalid('gate', 'must be an object', "e.g. { urls: ['https://app.example/health'] }");
  }
  const gate = value as Record<string, unknown> & ReadinessGateOptions;
  for (const key of Object.keys(gate)) {
    if (gate[key] !== undefined && !GATE_KEYS.includes(key)) {
      invalid(`gate.${key}`, 'is not a gate option', `remove it; the gate accepts ${GATE_KEYS.join(', ')}`);
    }
  }
  const headers: Record<string, string> = {};
  if (gate.headers !== undefined) {
    if (typeof gate.headers !== 'object' || gate.headers === null || Array.isArray(gate.headers)) {
      invalid('gate.headers', 'must be an object of strings', "e.g. { 'x-health-token': token }");
    }
    for (const [name, v] of Object.entries(gate.headers as Record<string, unknown>)) {
      if (!HEADER_NAME.test(name))
        invalid(
          `gate.headers[${quote(name)}]`,
          'is not a valid header name',
          'use a token such as x-health-token',
        );
      if (typeof v !== 'string' || CONTROL.test(v)) {
        invalid(
          `gate.headers[${quote(name)}]`,
          'must be a string without control characters',
          'pass the header value as a string',
        );
      }
      headers[name.toLowerCase()] = v;
    }
  }
  const probes = [];
  if (gate.urls !== undefined) {
    if (!Array.isArray(gate.urls))
      invalid('gate.urls', 'must be an array of URLs', "e.g. ['https://app.example/health']");
    for (const [i, raw] of (gate.urls as unknown[]).entries()) {
      if (typeof raw !== 'string')
        invalid(`gate.urls[${i}]`, 'must be a string', "e.g. 'https://app.example/health'");
      let url: URL | undefined;
      try {
        url = new URL(raw);
      } catch {
        url = undefined;
      }
      if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
        invalid(
          `gate.urls[${i}]`,
          `(${displayUrl(raw)}) is not an http(s) URL`,
          "use an absolute URL such as 'https://app.example/health'",
        );
      }
      probes.push(prepareProbe(raw, headers));
    }
  }
  const settings: {
    probes: typeof probes;
    consecutive: number;
    intervalMs: number;
    timeoutMs: number;
    probeTimeoutMs: number;
    expectBody?: string | RegExp;
  } = {
    probes,
    consecutive: integer(gate.consecutive, 'gate.consecutive', GATE_DEFAULTS.consecutive, 1, 1000),
    intervalMs: integer(gate.intervalMs, 'gate.intervalMs', GATE_DEFAULTS.intervalMs, 0, 3_600_000),
    timeoutMs: integer(gate.timeoutMs, 'gate.timeoutMs', GATE_DEFAULTS.timeoutMs, 1, 86_400_000),
    probeTimeoutMs: integer(
      gate.probeTimeoutMs,
      'gate.probeTimeoutMs',
      GATE_DEFAULTS.probeTimeoutMs,
      1,
      3_600_000,
    ),
  };
  if (gate.expectBody !== undefined) {
    if (typeof gate.expectBody === 'string' && gate.expectBody.length > 0)
      settings.expectBody = gate.expectBody;
    else if (gate.expectBody instanceof RegExp) {
      // A global or sticky RegExp keeps state between test() calls; the gate needs a pure test.
      settings.expectBody = new RegExp(gate.expectBody.source, gate.expectBody.flags.replace(/[gy]/g, ''));
    } else
      invalid(
        'gate.expectBody',
        'must be a non-empty string or a RegExp',
        'e.g. \'"status":"ok"\' or /ready/',
      );
  }
  return settings;
}

function integer(value: unknown, path: string, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    invalid(
      path,
      `is ${quote(String(value))}`,
      `use a whole number from ${min} to ${max} (default ${fallback})`,
    );
  }
  return value;
}

function plainString(value: unknown, path: string, example: string, multiline = false): string {
  if (typeof value !== 'string' || value.length === 0)
    invalid(path, 'must be a non-empty string', `pass ${example}`);
  if (CONTROL.test(multiline ? value.replace(/[\t\n]/g, ' ') : value)) {
    invalid(path, 'contains a NUL or control character', `pass ${example}`);
  }
  return value;
}

function checkClock(value: unknown): Clock {
  const c = value as Partial<Clock> | null;
  if (
    typeof c !== 'object' ||
    c === null ||
    typeof c.now !== 'function' ||
    typeof c.setTimeout !== 'function' ||
    typeof c.clearTimeout !== 'function'
  ) {
    invalid('clock', 'is not a Clock', 'pass systemClock from @rollgate/core/node or a SimulatedClock');
  }
  return c as Clock;
}

function checkFunction(value: unknown, path: string): (message: string) => void {
  if (typeof value !== 'function')
    invalid(path, 'must be a function', 'pass (message) => logger.warn(message)');
  return value as (message: string) => void;
}
