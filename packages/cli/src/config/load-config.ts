import { access, readFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import {
  type Contract,
  ContractSchema,
  defaultSignals,
  formatPath,
  formatZodIssues,
  RollgateError,
} from '@rollgate/core';
import { type Document, isNode, LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { type RollgateConfig, RollgateConfigSchema } from './config-schema';
import { substituteEnv } from './env-substitution';
import { collectSecrets, isSecretVariable } from './secret-fields';

/** The configuration files looked for, in order, when `--config` is not given. */
export const DEFAULT_CONFIG_FILES = ['rollgate.yaml', 'rollgate.yml', 'rollgate.json'] as const;

/** A loaded, validated configuration and everything derived from it. */
export interface LoadedConfig {
  /** Absolute path of the file. */
  readonly file: string;
  /** The validated configuration; relative paths are resolved against the file's directory. */
  readonly config: RollgateConfig;
  /** The effective contract: the default contract with the overrides applied, validated. */
  readonly contract: Contract;
  /** Every secret value found (tokens, keys, webhook URLs): never printed. */
  readonly secrets: readonly string[];
  /** The configuration after substitution, with every secret replaced by `[redacted]`. */
  readonly masked: unknown;
  /** Source name each signal reads, after aliasing a lone source as `default`. */
  readonly sourceAliases: Readonly<Record<string, string>>;
}

const FIX_FOOTER =
  'Fix the fields above: https://github.com/rollgate/rollgate/blob/main/docs/config.md describes every field, and `rollgate init` writes a commented example.';

/**
 * Finds the configuration file: `--config` when given, else `$ROLLGATE_CONFIG`, else the first of
 * rollgate.yaml, rollgate.yml, rollgate.json in `cwd`. A missing file is `CONFIG_INVALID`.
 */
export async function findConfigFile(
  explicit: string | undefined,
  cwd: string,
  env: Readonly<Record<string, string | undefined>>,
): Promise<string> {
  const given = explicit ?? (env.ROLLGATE_CONFIG === '' ? undefined : env.ROLLGATE_CONFIG);
  if (given !== undefined) {
    const file = resolve(cwd, given);
    if (!(await exists(file))) {
      throw invalid(
        `${given}: no such configuration file. Check the path, or create one with \`rollgate init --out ${given}\`.`,
      );
    }
    return file;
  }
  for (const name of DEFAULT_CONFIG_FILES) {
    const file = join(cwd, name);
    if (await exists(file)) return file;
  }
  throw invalid(
    `no configuration file: pass --config FILE, or create ${DEFAULT_CONFIG_FILES[0]} in ${cwd} with \`rollgate init\`.`,
  );
}

/**
 * Reads, substitutes and validates a configuration file (YAML or JSON). Every problem is a
 * `CONFIG_INVALID` RollgateError naming the file, the line, the field path and the fix; all
 * problems are reported at once. Secret values never appear in a message.
 */
export async function loadConfig(
  file: string,
  env: Readonly<Record<string, string | undefined>>,
): Promise<LoadedConfig> {
  let source: string;
  try {
    source = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
    throw invalid(
      `${file}: cannot read the configuration file (${code}); check the path and its permissions.`,
    );
  }
  return parseConfig(source, file, env);
}

/** {@link loadConfig} for text already read; `file` names it in messages and anchors relative paths. */
export function parseConfig(
  source: string,
  file: string,
  env: Readonly<Record<string, string | undefined>>,
): LoadedConfig {
  const name = basename(file);
  const lines = new LineCounter();
  const doc = parseDocument(source, { lineCounter: lines, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const problems = doc.errors.map((e) => {
      const at = e.linePos?.[0];
      const message = (e.message.split('\n')[0] ?? e.message).replace(/ at line \d+, column \d+:?$/, '');
      return `${name}${at ? `:${at.line}:${at.col}` : ''}: ${message}`;
    });
    const shown = problems.slice(0, 3);
    if (problems.length > shown.length)
      shown.push(`(${problems.length - shown.length} more errors follow from the first)`);
    const hint = /[{[][^}\]\n]*\$\{/.test(source)
      ? // biome-ignore lint/suspicious/noTemplateCurlyInString: the hint quotes the reference syntax
        '\nInside { } or [ ], quote environment references: token: "${NAME}" ({ and } are YAML flow syntax).'
      : '';
    throw invalid(
      `${name} is not valid ${file.endsWith('.json') ? 'JSON' : 'YAML'}:\n${bullets(shown)}\nFix the syntax at the first line shown.${hint}`,
    );
  }
  const raw: unknown = doc.toJS({ maxAliasCount: 100 });
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw invalid(
      `${name}: the file must hold a mapping with at least service, sources and executor (see \`rollgate init\`).`,
    );
  }
  const where = (segments: readonly PropertyKey[]) => `${name}${lineOf(doc, lines, segments)}`;

  const substituted = substituteEnv(raw, env);
  if (substituted.problems.length > 0) {
    throw invalid(
      `${name} refers to environment variables that are missing or malformed:\n${bullets(
        substituted.problems.map((p) => `${where(p.segments)}: ${p.path}: ${p.message}`),
      )}`,
    );
  }
  const fromSecretVariables = new Set(
    substituted.substituted
      .filter((s) => s.variables.some(isSecretVariable))
      .map((s) => s.segments.join('\u0000')),
  );
  const { secrets, masked } = collectSecrets(substituted.value, fromSecretVariables);

  const parsed = RollgateConfigSchema.safeParse(substituted.value);
  if (!parsed.success) {
    throw invalid(
      `${name} is invalid:\n${bullets(issueLines(parsed.error, where))}\n${FIX_FOOTER}`,
      parsed.error,
    );
  }
  const config = resolvePaths(parsed.data, dirname(file));
  const { contract, sourceAliases } = buildContract(config, where);
  return { file, config, contract, secrets, masked, sourceAliases };
}

/** The default contract with the file's overrides, validated, its signals checked against the sources. */
function buildContract(
  config: RollgateConfig,
  where: (segments: readonly PropertyKey[]) => string,
): { contract: Contract; sourceAliases: Record<string, string> } {
  const overrides = config.contract ?? {};
  const problems: string[] = [];
  if (config.selector !== undefined && 'signals' in overrides) {
    problems.push(
      `${where(['selector'])}: selector: applies to the default signals only, and contract.signals replaces them; put the labels in each signal's selector and remove selector`,
    );
  }
  const input = { service: config.service, signals: defaultSignals(config.selector ?? {}), ...overrides };
  const parsed = ContractSchema.safeParse(input);
  if (!parsed.success) {
    const prefixed = new z.ZodError(
      parsed.error.issues.map((issue) => ({ ...issue, path: ['contract', ...issue.path] })),
    );
    problems.push(...issueLines(prefixed, where));
    throw invalid(`${basenameOf(where)} is invalid:\n${bullets(problems)}\n${FIX_FOOTER}`, parsed.error);
  }
  const contract = parsed.data;
  const names = Object.keys(config.sources);
  const sourceAliases: Record<string, string> = Object.fromEntries(names.map((n) => [n, n]));
  if (names.length === 1 && !('default' in config.sources)) sourceAliases.default = names[0] as string;
  contract.signals.forEach((signal, i) => {
    if (!(signal.source in sourceAliases)) {
      const path = 'signals' in overrides ? ['contract', 'signals', i, 'source'] : ['sources'];
      problems.push(
        `${where(path)}: ${formatPath(['contract', 'signals', i, 'source'])}: signal "${signal.id}" reads source "${signal.source}", which is not configured; configured: ${names.join(', ')}. Name a source "${signal.source}" or set the signal's source`,
      );
    }
  });
  if (problems.length > 0)
    throw invalid(`${basenameOf(where)} is invalid:\n${bullets(problems)}\n${FIX_FOOTER}`);
  return { contract, sourceAliases };
}

function basenameOf(where: (segments: readonly PropertyKey[]) => string): string {
  return where([]).replace(/:\d+:\d+$/, '');
}

/** One line per zod issue: `file:line:col: path: what is wrong and what to write`. */
function issueLines(error: z.ZodError, where: (segments: readonly PropertyKey[]) => string): string[] {
  return error.issues.map((issue) => {
    // The path is formatted here rather than taken from formatZodIssues, which repeats the
    // discriminator of a failed discriminated union (`sources.prom.type.type`) with zod 4.6.
    let path: PropertyKey[] = [...issue.path];
    if (
      issue.code === 'invalid_union' &&
      issue.discriminator !== undefined &&
      path.at(-1) !== issue.discriminator
    ) {
      path = [...path, issue.discriminator];
    }
    const text = formatZodIssues(new z.ZodError([issue]))[0] ?? issue.message;
    const what = text.slice(text.indexOf(': ') + 2);
    return `${where(path)}: ${formatPath(path)}: ${what}`;
  });
}

/** `:line:col` of the deepest node of `segments` that exists in the document. */
function lineOf(doc: Document, lines: LineCounter, segments: readonly PropertyKey[]): string {
  const path = segments.filter((s): s is string | number => typeof s === 'string' || typeof s === 'number');
  for (let n = path.length; n >= 1; n--) {
    const node = doc.getIn(path.slice(0, n), true);
    if (isNode(node) && node.range) {
      const pos = lines.linePos(node.range[0]);
      return `:${pos.line}:${pos.col}`;
    }
  }
  return '';
}

/** Paths in the file are relative to the file's directory, wherever rollgate runs from. */
function resolvePaths(config: RollgateConfig, base: string): RollgateConfig {
  const abs = (p: string | undefined) => (p === undefined || isAbsolute(p) ? p : resolve(base, p));
  const state = {
    ...config.state,
    dir: abs(config.state.dir) as string,
    signing:
      config.state.signing.type === 'ed25519' && config.state.signing.keyDir !== undefined
        ? { ...config.state.signing, keyDir: abs(config.state.signing.keyDir) as string }
        : config.state.signing,
  };
  const guardrails =
    config.guardrails.killSwitchFile === undefined
      ? config.guardrails
      : { ...config.guardrails, killSwitchFile: abs(config.guardrails.killSwitchFile) as string };
  let executor = config.executor;
  if (executor.type === 'deployer') {
    executor = {
      ...executor,
      ...(executor.deployPath === undefined ? {} : { deployPath: abs(executor.deployPath) as string }),
      ...(executor.cwd === undefined ? {} : { cwd: abs(executor.cwd) as string }),
    };
  } else if (executor.kubeconfig !== undefined) {
    executor = { ...executor, kubeconfig: abs(executor.kubeconfig) as string };
  }
  const sources = Object.fromEntries(
    Object.entries(config.sources).map(([name, source]) => {
      if (source.type !== 'prometheus' || source.tls === undefined) return [name, source];
      const tls = { ...source.tls };
      for (const key of ['caFile', 'certFile', 'keyFile'] as const) {
        const value = tls[key];
        if (value !== undefined) tls[key] = abs(value) as string;
      }
      return [name, { ...source, tls }];
    }),
  );
  return { ...config, state, guardrails, executor, sources };
}

function bullets(lines: readonly string[]): string {
  return lines.map((l) => `  - ${l}`).join('\n');
}

function invalid(message: string, cause?: unknown): RollgateError {
  return new RollgateError('CONFIG_INVALID', message, {
    component: 'cli-config',
    ...(cause === undefined ? {} : { cause }),
  });
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}
