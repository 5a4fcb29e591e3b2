import { type Clock, parseOptions } from '@rollgate/core';
import { systemClock } from '@rollgate/core/node';
import { executorError } from '../errors/executor-error';
import { prepareProbe } from '../gate/http-probe';
import { GATE_DEFAULTS, type GateSettings } from '../gate/readiness-gate';
import type { DeployerExecutorOptions } from './deployer-executor-options-schema';
import {
  type DeployerExecutorOptionsParsed,
  DeployerExecutorOptionsSchema,
} from './deployer-executor-options-schema';

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

function invalid(path: string, problem: string, fix: string): never {
  throw optionError(path, `${problem}; ${fix}`);
}

/** `options.<path> <problem>; <fix>.`: a message of the schema that names no fix points at the docs. */
function optionError(path: string, message: string) {
  const text = message.includes('; ') ? message : `${message}; see the option in docs/adapters/deployer.md`;
  return executorError('CONFIG_INVALID', `options.${path} ${text}.`, { details: { option: path } });
}

/**
 * Checks the factory options once with {@link DeployerExecutorOptionsSchema} (the schema a
 * configuration file is checked with; `clock` and `onWarning` by hand) and applies defaults.
 * Every problem is a `RollgateError('CONFIG_INVALID')` naming the option and the fix; secret
 * values (header values, URL credentials, env values) are never echoed.
 */
export function validateOptions(input: DeployerExecutorOptions): ExecutorSettings {
  if (typeof input !== 'object' || input === null) {
    invalid('', 'must be an object', "pass { mode: 'local', deployPath } or { mode: 'command', selector }");
  }
  const { clock: givenClock, onWarning, ...described } = input as unknown as Record<string, unknown>;
  const options = parseOptions(DeployerExecutorOptionsSchema, described, optionError);
  const clock = givenClock === undefined ? systemClock : checkClock(givenClock);
  const warn = warnOnce(onWarning === undefined ? defaultWarn : checkFunction(onWarning, 'onWarning'));
  return { target: targetSettings(options), gate: gateSettings(options.gate), clock, warn };
}

function targetSettings(options: DeployerExecutorOptionsParsed): LocalSettings | CommandSettings {
  if (options.mode === 'local') {
    return { mode: 'local', deployPath: options.deployPath as string, user: options.user ?? 'rollgate' };
  }
  const dep =
    options.dep === undefined ? ['dep'] : typeof options.dep === 'string' ? [options.dep] : options.dep;
  return {
    mode: 'command',
    dep,
    selector: options.selector as string,
    ...(options.deployFile === undefined ? {} : { deployFile: options.deployFile }),
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    env: options.env ?? {},
    checkCommand: options.checkCommand ?? 'readlink {{current_path}}',
  };
}

function gateSettings(gate: DeployerExecutorOptionsParsed['gate']): GateSettings {
  if (gate === undefined) return { probes: [], ...GATE_DEFAULTS };
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(gate.headers ?? {})) headers[name.toLowerCase()] = value;
  const expectBody = gate.expectBody;
  return {
    probes: (gate.urls ?? []).map((url) => prepareProbe(url, headers)),
    consecutive: gate.consecutive ?? GATE_DEFAULTS.consecutive,
    intervalMs: gate.intervalMs ?? GATE_DEFAULTS.intervalMs,
    timeoutMs: gate.timeoutMs ?? GATE_DEFAULTS.timeoutMs,
    probeTimeoutMs: gate.probeTimeoutMs ?? GATE_DEFAULTS.probeTimeoutMs,
    ...(expectBody === undefined
      ? {}
      : {
          // A global or sticky RegExp keeps state between test() calls; the gate needs a pure test.
          expectBody:
            typeof expectBody === 'string'
              ? expectBody
              : new RegExp(expectBody.source, expectBody.flags.replace(/[gy]/g, '')),
        }),
  };
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
