import { access, readFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import {
  type Contract,
  ContractSchema,
  defaultSignals,
  mapMarkedValues,
  mapOptionValues,
  RollgateError,
  SignalSchema,
} from '@rollgate/core';
import { LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { collectSecrets } from './collect-secrets';
import { DEFAULT_CONFIG_FILES } from './config-files';
import { type ConfigProblem, configInvalid, locateProblems } from './config-problems';
import {
  NotifyConfigSchema,
  type RollgateConfig,
  rollgateConfigSchema,
  SOURCE_NAME,
  StringMapSchema,
} from './config-schema';
import { substituteEnv } from './env-substitution';
import { prometheusLabelProblems, selectorLabels, signalLabels } from './label-names';
import { loadAdapterSchemas } from './load-adapter-schemas';
import { notifyOptionProblems } from './notify-checks';
import { isSecretVariable } from './secret-fields';
import { createLocator } from './yaml-locator';
import { zodProblems } from './zod-problems';

export { DEFAULT_CONFIG_FILES };

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

/**
 * {@link loadConfig} for text already read; `file` names it in messages and anchors relative
 * paths. Asynchronous because each source's options are checked by its adapter, loaded on demand.
 */
export async function parseConfig(
  source: string,
  file: string,
  env: Readonly<Record<string, string | undefined>>,
): Promise<LoadedConfig> {
  const name = basename(file);
  const lines = new LineCounter();
  const doc = parseDocument(source, { lineCounter: lines, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const located = doc.errors.map((e) => {
      const at = e.linePos?.[0];
      const message = (e.message.split('\n')[0] ?? e.message).replace(/ at line \d+, column \d+:?$/, '');
      return { file: name, line: at?.line ?? 1, column: at?.col ?? 1, field: '(syntax)', message };
    });
    const problems = located.map((p) => `${name}:${p.line}:${p.column}: ${p.message}`);
    const shown = problems.slice(0, 3);
    if (problems.length > shown.length)
      shown.push(`(${problems.length - shown.length} more errors follow from the first)`);
    const hint = /[{[][^}\]\n]*\$\{/.test(source)
      ? // biome-ignore lint/suspicious/noTemplateCurlyInString: the hint quotes the reference syntax
        '\nInside { } or [ ], quote environment references: token: "${NAME}" ({ and } are YAML flow syntax).'
      : '';
    throw new RollgateError(
      'CONFIG_INVALID',
      `${name} is not valid ${file.endsWith('.json') ? 'JSON' : 'YAML'}:\n${bullets(shown)}\nFix the syntax at the first line shown.${hint}`,
      { component: 'cli-config', details: { file: name, problems: located } },
    );
  }
  const locate = createLocator(doc, lines);
  const fail = (headline: string, problems: readonly ConfigProblem[], footer?: string, cause?: unknown) =>
    configInvalid(name, headline, locateProblems(problems, name, locate), footer, cause);
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    // yaml refuses documents whose aliases expand beyond the limit (a "billion laughs" bomb).
    const what = error instanceof Error ? error.message : String(error);
    throw fail(
      `${name} cannot be read:`,
      [
        {
          path: [],
          message: /alias/i.test(what)
            ? `its aliases (*name) expand too far (more than ${MAX_ALIAS_COUNT} uses of one anchor): write the values out instead of repeating them through aliases`
            : `it cannot be turned into values: ${what}`,
        },
      ],
      '',
    );
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw fail(
      `${name} is invalid:`,
      [
        {
          path: [],
          message:
            'the file must hold a mapping with at least service, sources and executor (see `rollgate init`)',
        },
      ],
      '',
    );
  }

  const substituted = substituteEnv(raw, env);
  if (substituted.problems.length > 0) {
    throw fail(
      `${name} refers to environment variables that are missing or malformed:`,
      substituted.problems.map((p) => ({ path: p.segments, message: p.message })),
      '',
    );
  }
  const fromSecretVariables = new Set(
    substituted.substituted
      .filter((s) => s.variables.some(isSecretVariable))
      .map((s) => s.segments.join('\u0000')),
  );
  const value = substituted.value as Record<string, unknown>;
  // The schemas of the adapters the file names: what their options are, which are secrets and
  // which are paths. A missing adapter is a problem at its type; the rest is still checked.
  const adapters = await loadAdapterSchemas(value);
  const schema = rollgateConfigSchema(adapters.schemas);
  const { secrets, masked } = collectSecrets(schema, substituted.value, fromSecretVariables);

  const input = resolvePaths(schema, coerceText(schema, value), dirname(file));
  // Part checks first: when the schema's cross-field rules report the same thing, the part
  // check's place (the field's name) is the one kept.
  const problems: ConfigProblem[] = [...adapters.problems, ...partProblems(input)];
  const parsed = schema.safeParse(input);
  if (!parsed.success) problems.push(...zodProblems(parsed.error, schema, input));
  const built = buildContract(input, problems);
  if (problems.length > 0 || !parsed.success || built === null) {
    throw fail(`${name} is invalid:`, problems, undefined, parsed.success ? undefined : parsed.error);
  }
  // Again after parsing: defaults (state.dir) are paths too.
  const config = resolvePaths(schema, parsed.data, dirname(file)) as RollgateConfig;
  return { file, config, contract: built.contract, secrets, masked, sourceAliases: built.sourceAliases };
}

/** How often one anchor may be used through aliases before the file counts as an alias bomb. */
const MAX_ALIAS_COUNT = 100;

/**
 * The problems of the parts that the top-level schema cannot report when another part is wrong
 * (zod checks cross-field rules only once every field parses): source names, each webhook's own
 * options as the notifier validates them, a service set inside contract.
 */
function partProblems(value: Record<string, unknown>): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const sources = value.sources;
  if (isRecord(sources)) {
    for (const name of Object.keys(sources)) {
      if (!SOURCE_NAME.test(name)) {
        problems.push({
          path: ['sources', name],
          atKey: true,
          message: 'a source name is 1-63 letters, digits, ".", "_" or "-"',
        });
      }
    }
  }
  if (Array.isArray(value.notify)) {
    value.notify.forEach((entry, i) => {
      const one = NotifyConfigSchema.safeParse(entry);
      if (one.success) problems.push(...notifyOptionProblems(i, one.data));
    });
  }
  if (isRecord(value.contract) && 'service' in value.contract) {
    problems.push({
      path: ['contract', 'service'],
      atKey: true,
      message: 'set the service once, at the top level (service: ...), not inside contract',
    });
  }
  return problems;
}

/**
 * The default contract with the file's overrides, validated; its signals checked against the
 * configured sources, and their label names against a Prometheus source's rules. Problems are
 * added to `problems`; null when the contract itself does not parse.
 */
function buildContract(
  value: Record<string, unknown>,
  problems: ConfigProblem[],
): { contract: Contract; sourceAliases: Record<string, string> } | null {
  const overrides = isRecord(value.contract) ? value.contract : {};
  if (value.contract !== undefined && !isRecord(value.contract)) return null;
  const selector = StringMapSchema.safeParse(value.selector);
  if (value.selector !== undefined && 'signals' in overrides) {
    problems.push({
      path: ['selector'],
      atKey: true,
      message:
        "applies to the default signals only, and contract.signals replaces them; put the labels in each signal's selector and remove selector",
    });
  }
  const { service: _service, ...rest } = overrides;
  const input = {
    service: typeof value.service === 'string' && value.service !== '' ? value.service : 'service',
    signals: defaultSignals(selector.success ? selector.data : {}),
    ...rest,
  };
  const sources = isRecord(value.sources) ? value.sources : {};
  const names = Object.keys(sources);
  const sourceAliases: Record<string, string> = Object.fromEntries(names.map((n) => [n, n]));
  if (names.length === 1 && !('default' in sources)) sourceAliases.default = names[0] as string;
  const typeOf = (source: string): unknown => {
    const entry = sources[sourceAliases[source] ?? ''];
    return isRecord(entry) ? entry.type : undefined;
  };

  // Label names, signal by signal, so a signal that parses is checked even when another does not.
  if (Array.isArray(overrides.signals)) {
    overrides.signals.forEach((entry, i) => {
      const signal = SignalSchema.safeParse(entry);
      if (signal.success && typeOf(signal.data.source) === 'prometheus') {
        problems.push(...prometheusLabelProblems(signalLabels(signal.data, ['contract', 'signals', i])));
      }
    });
  } else if (typeOf('default') === 'prometheus') {
    problems.push(...prometheusLabelProblems(selectorLabels(value.selector, ['selector'])));
  }

  const parsed = ContractSchema.safeParse(input);
  if (!parsed.success) {
    problems.push(...zodProblems(parsed.error, ContractSchema, input, ['contract']));
    return null;
  }
  const contract = parsed.data;
  if (names.length > 0) {
    contract.signals.forEach((signal, i) => {
      if (signal.source in sourceAliases) return;
      problems.push({
        path: 'signals' in overrides ? ['contract', 'signals', i, 'source'] : ['sources'],
        message: `signal "${signal.id}" reads source "${signal.source}", which is not configured; configured: ${names.join(', ')}. Name a source "${signal.source}" or set the signal's source`,
      });
    });
  }
  return { contract, sourceAliases };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Paths in the file are relative to the file's directory, wherever rollgate runs from: every
 * field a schema marks as a path (`pathOption`: `state.dir`, `tls.caFile`, `deployPath`, ...) is
 * resolved before validation, so an adapter that wants an absolute path gets one.
 */
function resolvePaths(schema: z.core.$ZodType, value: unknown, base: string): Record<string, unknown> {
  // A mark covers text values only, so numbers and booleans pass through unchanged.
  return mapMarkedValues(schema, value, 'path', (path) =>
    path === '' || isAbsolute(path) ? path : resolve(base, path),
  ) as Record<string, unknown>;
}

const NUMERIC_TEXT = /^-?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/;

/**
 * Values may come from the environment (`${NAME}`), which gives text: where the schema expects a
 * number or a boolean, "30" becomes 30 and "true" becomes true before validation.
 */
function coerceText(schema: z.core.$ZodType, value: unknown): Record<string, unknown> {
  return mapOptionValues(schema, value, (leaf, { type }) => {
    if (typeof leaf !== 'string') return leaf;
    if (type === 'number' && NUMERIC_TEXT.test(leaf.trim())) return Number(leaf);
    if (type === 'boolean' && (leaf === 'true' || leaf === 'false')) return leaf === 'true';
    return leaf;
  }) as Record<string, unknown>;
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
