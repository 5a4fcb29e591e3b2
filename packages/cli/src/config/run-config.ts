import { basename } from 'node:path';
import { RollgateError } from '@rollgate/core';
import { stringify } from 'yaml';
import { flag, type ParsedArgs, stringOption } from '../cli/arg-parser';
import { EXIT_CODES } from '../cli/exit-codes';
import { UsageError } from '../cli/usage-error';
import type { Io } from '../io/io';
import { createRedactor, redactingIo } from '../io/secret-redactor';
import { buildExecutor, checkSourceFiles } from '../wiring/build-adapters';
import { buildNotifier } from '../wiring/build-notifier';
import { statePaths } from '../wiring/state-layout';
import type { LocatedProblem } from './config-problems';
import { findConfigFile, type LoadedConfig, loadConfig } from './load-config';

/** The run of `rollgate config` (its definition and help: commands/config.ts). */
export async function runConfig(args: ParsedArgs, baseIo: Io): Promise<number> {
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
}

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
