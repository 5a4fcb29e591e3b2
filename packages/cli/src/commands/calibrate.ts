import { defineCommand } from '../cli/command';

/** `rollgate calibrate`: what the contract would have done, and settings that meet a false-rollback target. */
export const command = defineCommand({
  name: 'calibrate',
  summary: 'Replay the contract over history or scenarios and suggest floors and windows.',
  usage:
    'rollgate calibrate [--config FILE] (--since DURATION [--every DURATION] | --scenarios DIR...) [--target RATE] [--json]',
  description: [
    'Replays the configured contract, and a small grid of variants (sample floors x1/x2, warm-up',
    '10/15/30 s, alpha as configured and halved), then suggests the setting that meets --target',
    '(the acceptable false-rollback rate, default 0.01) and detects fastest.',
    '',
    'A variant meets the target only when the data proves it: the 95% upper confidence bound of',
    'its false-rollback rate (Clopper-Pearson, from false rollbacks among the cases where a',
    'rollback is wrong) must be within --target. 0 false rollbacks in 5 pseudo-deploys bounds the',
    'rate at 45%, not 1%: the output says how many cases a claim of --target needs.',
    '',
    '--scenarios DIR  replays rollgate.scenario/v1 files (see `rollgate backtest`): it reports the',
    '                 rollbacks each variant triggers, false ones included, and detection delays.',
    '--since 30d      reads history through the configured sources (range queries): a pseudo-deploy',
    '                 every --every (default 6h) is watched for one bake; no deploy happened there,',
    '                 so every rollback it finds is a false rollback. Needs the retention to cover',
    '                 --since plus the baseline window.',
    '',
    'With --scenarios and no configuration file, the default contract is calibrated.',
    '',
    'Exit codes: 0 a setting is proven to meet the target, 20 none is, 1 failure, 2 usage.',
  ].join('\n'),
  options: [
    {
      name: 'config',
      short: 'c',
      type: 'string',
      value: 'FILE',
      description: 'Configuration file (default: rollgate.yaml here).',
    },
    {
      name: 'since',
      type: 'string',
      value: 'DURATION',
      description: 'History to replay, e.g. 30d, 12h, 90m.',
    },
    {
      name: 'every',
      type: 'string',
      value: 'DURATION',
      description: 'Spacing of pseudo-deploys in history mode (default 6h).',
    },
    {
      name: 'scenarios',
      type: 'string',
      value: 'DIR',
      description: 'Scenario files or directories (comma-separated for several).',
    },
    {
      name: 'target',
      type: 'string',
      value: 'RATE',
      description: 'Acceptable false-rollback rate, 0..1 (default 0.01).',
    },
    { name: 'json', type: 'boolean', description: 'One JSON line per variant, then the suggestion.' },
  ],
  examples: [
    'rollgate calibrate --scenarios packages/testkit/scenarios/examples   # from the repository root',
    'rollgate calibrate --config rollgate.yaml --scenarios bench/scenarios --target 0.05',
    'rollgate calibrate --since 30d --every 4h',
    'rollgate calibrate --since 7d --target 0.005 --json',
  ],
  // The run (and what it imports) loads only when the command runs, not for its --help.
  run: async ({ args, io }) => (await import('../calibrate/run-calibrate')).runCalibrate(args, io),
});
