import { basename } from 'node:path';
import { RollgateError } from '@rollgate/core';
import { stringify } from 'yaml';
import { flag, stringOption } from '../cli/arg-parser';
import { CONFIG_OPTION, defineCommand } from '../cli/command';
import { EXIT_CODES } from '../cli/exit-codes';
import { UsageError } from '../cli/usage-error';
import type { LocatedProblem } from '../config/config-problems';
import { findConfigFile, type LoadedConfig, loadConfig } from '../config/load-config';
import { createRedactor, redactingIo } from '../io/secret-redactor';
import { buildExecutor, checkSourceFiles } from '../wiring/build-adapters';
import { buildNotifier } from '../wiring/build-notifier';
import { statePaths } from '../wiring/state-layout';

/** `rollgate config check|print`: validate a configuration, or show it resolved with secrets hidden. */
export const command = defineCommand({
  name: 'config',
  summary: 'Check a configuration file, or print it resolved (defaults filled in, secrets hidden).',
  usage: 'rollgate config check|print [--config FILE] [--json]',
  description: [
    'check  validates the file, the contract and every adapter option (no network calls) and reports',
    '       every problem at once, each with its file:line; exit 0 or 2. With --json: one JSON object,',
    '       {"valid": true, ...} or {"valid": false, "problems": [{file, line, column, field, message}]}.',
    'print  prints the configuration after environment substitution with every secret replaced by',
    '       [redacted], followed by the effective contract with all defaults (--json: as JSON).',
  ].join('\n'),
  positionals: [{ name: 'ACTION', description: 'check or print.', required: true }],
  options: [
    CONFIG_OPTION,
    { name: 'json', type: 'boolean', description: 'One JSON object on stdout instead of text.' },
  ],
  examples: [
    'rollgate config check',
    'rollgate config check --json | jq .problems',
    'rollgate config print --config deploy/rollgate.yaml',
  ],
  async run({ args, io: baseIo }) {
    const action = args.positionals[0];
    if (action !== 'check' && action !== 'print')
      throw new UsageError(`unknown action "${action}"; use check or print.`, 'config');
    const json = flag(args, 'json');
    let file: string | undefined;
    let loaded: LoadedConfig;
    try {
      file = await findConfigFile(stringOption(args, 'config'), baseIo.cwd, baseIo.env);
      loaded = await loadConfig(file, baseIo.env);
      await checkAdapters(loaded);
    } catch (error) {
      // --json keeps its promise of one object on stdout, also when the file is invalid.
      if (json && action === 'check' && RollgateError.is(error) && error.code === 'CONFIG_INVALID') {
        baseIo.stdout.write(`${JSON.stringify(failedCheck(file, error))}\n`);
        baseIo.stderr.write(`rollgate config: ${error.code}: ${error.message}\n`);
        return EXIT_CODES.usage;
      }
      throw error;
    }
    const io = redactingIo(baseIo, createRedactor(loaded.secrets));
    if (action === 'print') {
      const doc = { file: loaded.file, config: loaded.masked, contract: loaded.contract };
      io.stdout.write(json ? `${JSON.stringify(doc, null, 2)}\n` : stringify(doc, { lineWidth: 0 }));
      return EXIT_CODES.ok;
    }
    const { config, contract } = loaded;
    const paths = statePaths(config.state);
    if (json) {
      io.stdout.write(
        `${JSON.stringify({
          valid: true,
          file: loaded.file,
          service: config.service,
          contract: {
            bakeSeconds: contract.bakeSeconds,
            stepSeconds: contract.stepSeconds,
            warmupSeconds: contract.warmupSeconds,
            baselineSeconds: contract.baselineSeconds,
            alpha: contract.alpha,
            verificationSeconds: contract.verification.windowSeconds,
          },
          signals: contract.signals.map((s) => ({
            id: s.id,
            kind: s.kind,
            rules: s.rules.map((r) => r.type),
            source: s.source,
          })),
          sources: Object.entries(config.sources).map(([name, s]) => ({ name, type: s.type })),
          executor: {
            type: config.executor.type,
            ...(config.executor.type === 'deployer' ? { mode: config.executor.mode } : {}),
          },
          state: paths.dir,
          notify: config.notify.map((n) => n.type),
          guardrails: {
            dryRun: config.guardrails.dryRun,
            cooldownSeconds: config.guardrails.cooldownSeconds,
            killSwitchFile: config.guardrails.killSwitchFile ?? null,
          },
          problems: [],
        })}\n`,
      );
      return EXIT_CODES.ok;
    }
    io.stdout.write(
      [
        `${loaded.file} is valid.`,
        `  service   ${config.service}`,
        `  contract  bake ${contract.bakeSeconds} s, step ${contract.stepSeconds} s, warm-up ${contract.warmupSeconds} s, alpha ${contract.alpha}, verification ${contract.verification.windowSeconds} s`,
        `  signals   ${contract.signals.map((s) => `${s.id} (${s.kind}, ${s.rules.map((r) => r.type).join('+')}, source ${s.source})`).join('; ')}`,
        `  sources   ${Object.entries(config.sources)
          .map(([n, s]) => `${n} (${s.type})`)
          .join(', ')}`,
        `  executor  ${config.executor.type}${config.executor.type === 'deployer' ? ` (${config.executor.mode})` : ''}`,
        `  state     ${config.state.type === 'postgres' ? `postgres (schema ${config.state.schema ?? 'rollgate'})` : paths.dir}`,
        `  notify    ${config.notify.length === 0 ? 'none (outcomes are only audited)' : config.notify.map((n) => n.type).join(', ')}`,
        `  guardrails dry run ${config.guardrails.dryRun}, cooldown ${config.guardrails.cooldownSeconds} s${config.guardrails.killSwitchFile ? `, kill switch ${config.guardrails.killSwitchFile}` : ''}`,
        '',
      ].join('\n'),
    );
    return EXIT_CODES.ok;
  },
});

/** Builds (and disposes) every adapter, so their own checks run: TLS files, a kubeconfig. */
async function checkAdapters(loaded: LoadedConfig): Promise<void> {
  // Source options were checked with their adapters' schemas when the file was loaded; their
  // files are checked here, without loading an HTTP client.
  await checkSourceFiles(loaded);
  const executor = await buildExecutor(loaded, () => undefined);
  await executor.dispose();
  buildNotifier(loaded);
}

/** `config check --json` for a file that is not valid: every problem as data. */
function failedCheck(file: string | undefined, error: RollgateError) {
  const listed = error.details.problems;
  const problems = Array.isArray(listed)
    ? (listed as LocatedProblem[])
    : [
        {
          file: file === undefined ? null : basename(file),
          line: null,
          column: null,
          field: typeof error.details.field === 'string' ? error.details.field : '(file)',
          message: error.message,
        },
      ];
  return { valid: false, file: file ?? null, problems, error: { code: error.code, message: error.message } };
}
