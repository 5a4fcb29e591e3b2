import { CONFIG_OPTION, defineCommand } from '../cli/command';

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
  // The run (and what it imports) loads only when the command runs, not for its --help.
  run: async ({ args, io }) => (await import('../config/run-config')).runConfig(args, io),
});
