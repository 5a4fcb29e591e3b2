import { stringify } from 'yaml';
import { flag, stringOption } from '../cli/arg-parser';
import { defineCommand } from '../cli/command';
import { EXIT_CODES } from '../cli/exit-codes';
import { UsageError } from '../cli/usage-error';
import { findConfigFile, loadConfig } from '../config/load-config';
import { createRedactor, redactingIo } from '../io/secret-redactor';
import { buildExecutor } from '../wiring/build-executor';
import { buildNotifier } from '../wiring/build-notifier';
import { checkSources } from '../wiring/build-sources';
import { statePaths } from '../wiring/state-layout';

/** `rollgate config check|print`: validate a configuration, or show it resolved with secrets hidden. */
export const command = defineCommand({
  name: 'config',
  summary: 'Check a configuration file, or print it resolved (defaults filled in, secrets hidden).',
  usage: 'rollgate config check|print [--config FILE] [--json]',
  description: [
    'check  validates the file, the contract and every adapter option (no network calls); exit 0 or 2.',
    'print  prints the configuration after environment substitution with every secret replaced by',
    '       [redacted], followed by the effective contract with all defaults.',
  ].join('\n'),
  positionals: [{ name: 'ACTION', description: 'check or print.', required: true }],
  options: [
    {
      name: 'config',
      short: 'c',
      type: 'string',
      value: 'FILE',
      description: 'Configuration file (default: rollgate.yaml here, or $ROLLGATE_CONFIG).',
    },
    { name: 'json', type: 'boolean', description: 'print: JSON instead of YAML.' },
  ],
  examples: ['rollgate config check', 'rollgate config print --config deploy/rollgate.yaml'],
  async run({ args, io: baseIo }) {
    const action = args.positionals[0];
    if (action !== 'check' && action !== 'print')
      throw new UsageError(`unknown action "${action}"; use check or print.`, 'config');
    const loaded = await loadConfig(
      await findConfigFile(stringOption(args, 'config'), baseIo.cwd, baseIo.env),
      baseIo.env,
    );
    const io = redactingIo(baseIo, createRedactor(loaded.secrets));
    // Options are checked as the adapters would check them, without loading an HTTP client.
    await checkSources(loaded);
    const executor = await buildExecutor(loaded, () => undefined);
    await executor.dispose();
    buildNotifier(loaded);
    if (action === 'print') {
      const doc = { file: loaded.file, config: loaded.masked, contract: loaded.contract };
      io.stdout.write(
        flag(args, 'json') ? `${JSON.stringify(doc, null, 2)}\n` : stringify(doc, { lineWidth: 0 }),
      );
      return EXIT_CODES.ok;
    }
    const { config, contract } = loaded;
    const paths = statePaths(config.state);
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
