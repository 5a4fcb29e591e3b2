import { CONFIG_OPTION, defineCommand } from '../cli/command';

/** `rollgate artifacts`: the signed verifications rollbacks choose their target from. */
export const command = defineCommand({
  name: 'artifacts',
  summary: 'List, verify or record the signed verified artifacts rollbacks go back to.',
  usage:
    'rollgate artifacts list|verify|record [--config FILE] [--service NAME | --all] [--json] [--artifact ID]',
  description: [
    'list    the verified artifacts of the service, newest first, with their signature status.',
    'verify  the same check, exiting 1 when any signature is invalid (and saying which).',
    'record  sign a verification by hand for --artifact ID (an artifact the executor can cut over',
    '        to): the first rollback target when adopting Rollgate. Promotions record their own.',
    '',
    'The store is state.dir/artifacts.json (or the PostgreSQL table, with state.type: postgres);',
    'signatures are checked with the key in state.dir/keys (or state.signing). A record edited',
    'after signing shows as INVALID.',
  ].join('\n'),
  positionals: [{ name: 'ACTION', description: 'list, verify or record.', required: true }],
  options: [
    CONFIG_OPTION,
    {
      name: 'service',
      type: 'string',
      value: 'NAME',
      description: 'Service to list (default: the service of the configuration).',
    },
    { name: 'all', type: 'boolean', description: 'Every service in the store.' },
    { name: 'json', type: 'boolean', description: 'One JSON object per record, then a summary line.' },
    {
      name: 'artifact',
      short: 'a',
      type: 'string',
      value: 'ID',
      description: 'record: the artifact id to record as verified.',
    },
    {
      name: 'note',
      type: 'string',
      value: 'TEXT',
      description: 'record: why it is trusted (kept in the evidence summary).',
    },
  ],
  examples: [
    'rollgate artifacts list',
    'rollgate artifacts verify --all --json',
    'rollgate artifacts record --artifact 41@9f3c2e1 --note "running in prod for 3 weeks"',
  ],
  // The run (and what it imports) loads only when the command runs, not for its --help.
  run: async ({ args, io }) => (await import('../artifacts/run-artifacts')).runArtifacts(args, io),
});
