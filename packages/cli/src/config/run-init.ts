import { writeFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { flag, type ParsedArgs, stringOption } from '../cli/arg-parser';
import { EXIT_CODES } from '../cli/exit-codes';
import type { Io } from '../io/io';
import { DEFAULT_CONFIG_FILES } from './load-config';
import { schemaReference } from './schema-reference';
import { starterConfig } from './starter-config';

/** The run of `rollgate init` (its definition and help: commands/init.ts). */
export async function runInit(args: ParsedArgs, io: Io): Promise<number> {
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
}
