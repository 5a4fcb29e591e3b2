import { defineCommand } from '../cli/command';

/** `rollgate backtest`: replays recorded deploys through the real evaluator and rollback machine. */
export const command = defineCommand({
  name: 'backtest',
  summary: 'Replay deploy scenarios offline and score the decisions.',
  usage: 'rollgate backtest <file-or-dir>... [--contract FILE] [--json]',
  description: [
    'Replays each rollgate.scenario/v1 file (https://github.com/rollgate/rollgate/blob/main/docs/scenarios.md) through the same evaluator and',
    'rollback machine a live watch uses, with a simulated clock and a simulated executor. The',
    'contract is the default one timed to each scenario (its step, the pre-deploy window as the',
    'baseline, the rest as the bake), with --contract overrides on top.',
    '',
    'Prints one line per scenario (the decision, the step it was made at, the signal and the',
    'reason), then the scores of FORMAT.md: detection rate, false rollbacks, incidents routed,',
    'median and p95 detection delay. A malformed file is reported with the path of the bad field',
    'and does not stop the others.',
    '',
    'Exit codes: 0 every file replayed, 1 a file could not be read or parsed, 2 usage.',
  ].join('\n'),
  positionals: [
    {
      name: 'PATH',
      description: 'Scenario files or directories (recursive).',
      required: true,
      variadic: true,
    },
  ],
  options: [
    {
      name: 'contract',
      type: 'string',
      value: 'FILE',
      description: 'YAML or JSON contract overrides (alpha, warmupSeconds, signals, ...; not service).',
    },
    { name: 'json', type: 'boolean', description: 'One JSON line per scenario, then a summary line.' },
  ],
  examples: [
    'rollgate backtest bench/scenarios',
    'rollgate backtest incident-*.json --json',
    'rollgate backtest scenarios/ --contract stricter.yaml',
  ],
  // The run (and what it imports) loads only when the command runs, not for its --help.
  run: async ({ args, io }) => (await import('../backtest/run-backtest')).runBacktest(args, io),
});
