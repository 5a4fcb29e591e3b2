import { writeFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { flag, stringOption } from '../cli/arg-parser';
import { defineCommand } from '../cli/command';
import { EXIT_CODES } from '../cli/exit-codes';
import { DEFAULT_CONFIG_FILES } from '../config/load-config';
import { schemaReference } from '../config/schema-reference';
import { starterConfig } from '../config/starter-config';

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
  async run({ args, io }) {
    const file = resolve(io.cwd, stringOption(args, 'out') ?? DEFAULT_CONFIG_FILES[0]);
    const service =
      stringOption(args, 'service') ?? (basename(io.cwd).replace(/[^A-Za-z0-9._-]+/g, '-') || 'my-service');
    try {
      await writeFile(file, starterConfig(service, schemaReference(file)), {
        flag: flag(args, 'force') ? 'w' : 'wx',
      });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') {
        io.stderr.write(
          `rollgate init: ${file} already exists; it was left as it is. Use --force to overwrite it, or --out to write elsewhere.\n`,
        );
        return EXIT_CODES.usage;
      }
      io.stderr.write(`rollgate init: cannot write ${file} (${code ?? String(error)}).\n`);
      return EXIT_CODES.failure;
    }
    io.stdout.write(
      `wrote ${file}\nnext: edit it, then run \`rollgate config check${stringOption(args, 'out') ? ` --config ${stringOption(args, 'out')}` : ''}\`\n`,
    );
    return EXIT_CODES.ok;
  },
});
