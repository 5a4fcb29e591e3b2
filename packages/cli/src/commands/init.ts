import { defineCommand } from '../cli/command';
import { DEFAULT_CONFIG_FILES } from '../config/config-files';

/** `rollgate init`: a commented starter configuration. */
export const command = defineCommand({
  name: 'init',
  summary: 'Write a commented starter configuration (never overwrites without --force).',
  usage: 'rollgate init [--out FILE] [--service NAME] [--force]',
  description: [
    'The file is valid as written: edit the source URL, the executor and the state directory, then run',
    '`rollgate config check`. Its first line points editors (yaml-language-server, VS Code YAML) at the',
    "configuration's JSON Schema, so they complete and check the fields as you type.",
  ].join('\n'),
  options: [
    {
      name: 'out',
      short: 'o',
      type: 'string',
      value: 'FILE',
      description: `Where to write it (default: ${DEFAULT_CONFIG_FILES[0]}).`,
    },
    {
      name: 'service',
      type: 'string',
      value: 'NAME',
      description: 'The service name to put in it (default: the current directory name).',
    },
    { name: 'force', type: 'boolean', description: 'Overwrite an existing file.' },
  ],
  examples: ['rollgate init', 'rollgate init --out deploy/rollgate.yaml --service checkout'],
  // The run (and what it imports) loads only when the command runs, not for its --help.
  run: async ({ args, io }) => (await import('../config/run-init')).runInit(args, io),
});
