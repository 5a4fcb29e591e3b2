import { CONFIG_OPTION, defineCommand } from '../cli/command';

/** `rollgate status`: every watch in the state store and where it stands. */
export const command = defineCommand({
  name: 'status',
  summary:
    'List the watches in the state store: phase, artifact, time in phase, each signal and its evidence.',
  usage: 'rollgate status [--config FILE] [--service NAME] [--watch-id ID] [--json]',
  description: [
    'Reads the state store of the configuration (state.dir) and prints every watch, newest first:',
    "its phase and for how long, the artifact (and the one restored), each signal's latest verdict",
    'with its evidence against its threshold, pending and answered human requests, and what',
    'promote, abort and retry would do now.',
    '',
    'Exit codes: 20 when a listed watch needs a human (halted, escalated, on hold), else 3 while',
    'one is still running, else 0 (also when there is none); 1 when the store cannot be read or',
    'holds a damaged snapshot; 2 for usage.',
  ].join('\n'),
  options: [
    CONFIG_OPTION,
    {
      name: 'service',
      short: 's',
      type: 'string',
      value: 'NAME',
      description: 'Only the watches of this service.',
    },
    { name: 'watch-id', type: 'string', value: 'ID', description: 'Only this watch.' },
    {
      name: 'json',
      type: 'boolean',
      description: 'One JSON object per watch per line, then a summary line.',
    },
  ],
  examples: ['rollgate status', 'rollgate status --service checkout --json'],
  // The run (and what it imports) loads only when the command runs, not for its --help.
  run: async ({ args, io }) => (await import('../control/run-status')).runStatus(args, io),
});
