import { COMMANDS, type CommandEntry, commandEntry } from '../command-registry';
import { environmentSecrets } from '../config/secret-fields';
import type { Io } from '../io/io';
import { createRedactor, redactingIo } from '../io/secret-redactor';
import { parseArgs } from './arg-parser';
import { type CommandDefinition, HELP_OPTION } from './command';
import { closest } from './did-you-mean';
import { EXIT_CODES } from './exit-codes';
import { commandHelp, topLevelHelp } from './help';
import { UsageError } from './usage-error';
import { CLI_VERSION } from './version';

/**
 * Runs `rollgate` with `argv` (the arguments after the program name) and resolves to the exit
 * code; it never calls `process.exit`, so tests run it in-process. Usage mistakes and invalid
 * configuration print what is wrong and how to fix it, and exit 2. `commands` replaces the
 * command table (tests, or a program adding its own commands); only the command that runs is
 * loaded.
 */
export async function main(
  argv: readonly string[],
  processIo: Io,
  commands?: readonly (CommandEntry | CommandDefinition)[],
): Promise<number> {
  const io = redactingIo(processIo, createRedactor(environmentSecrets(processIo.env)));
  const all: readonly CommandEntry[] = commands?.map((c) => ('load' in c ? c : commandEntry(c))) ?? COMMANDS;
  const [first, ...rest] = argv;
  if (first === undefined) {
    io.stderr.write(topLevelHelp(all, CLI_VERSION));
    return EXIT_CODES.usage;
  }
  if (first === '--help' || first === '-h') {
    io.stdout.write(topLevelHelp(all, CLI_VERSION));
    return EXIT_CODES.ok;
  }
  if (first === '--version' || first === '-V') {
    io.stdout.write(`${CLI_VERSION}\n`);
    return EXIT_CODES.ok;
  }
  if (first === 'help') {
    const target = rest[0] === undefined ? undefined : all.find((c) => c.name === rest[0]);
    if (rest[0] !== undefined && !target)
      return usageFailure(
        io,
        new UsageError(
          unknownCommand(
            rest[0],
            all.map((c) => c.name),
          ),
        ),
      );
    io.stdout.write(target ? commandHelp(await target.load()) : topLevelHelp(all, CLI_VERSION));
    return EXIT_CODES.ok;
  }
  const entry = all.find((c) => c.name === first);
  if (!entry)
    return usageFailure(
      io,
      new UsageError(
        unknownCommand(
          first,
          all.map((c) => c.name),
        ),
      ),
    );
  try {
    const command = await entry.load();
    const args = parseArgs(rest, [...command.options, HELP_OPTION], command.name);
    if (args.options.help === true) {
      io.stdout.write(commandHelp(command));
      return EXIT_CODES.ok;
    }
    checkPositionals(command, args.positionals);
    return await command.run({ io, args });
  } catch (error) {
    if (error instanceof UsageError) return usageFailure(io, error);
    // Loaded here, on the error path only: importing core at start-up would slow `--help`.
    const { RollgateError } = await import('@rollgate/core');
    if (RollgateError.is(error)) {
      io.stderr.write(`rollgate ${entry.name}: ${error.code}: ${error.message}\n`);
      return error.code === 'CONFIG_INVALID' ? EXIT_CODES.usage : EXIT_CODES.failure;
    }
    io.stderr.write(
      `rollgate ${entry.name}: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    return EXIT_CODES.failure;
  }
}

function usageFailure(io: Io, error: UsageError): number {
  const help = error.command ? `rollgate ${error.command} --help` : 'rollgate --help';
  io.stderr.write(
    `rollgate${error.command ? ` ${error.command}` : ''}: ${error.message}\nRun \`${help}\` for usage.\n`,
  );
  return EXIT_CODES.usage;
}

/** Names the closest command when the word looks like a typo of one (`wach` → `watch`). */
function unknownCommand(name: string, names: readonly string[]): string {
  const guess = closest(name, names);
  return `unknown command "${name}"${guess ? `; did you mean "${guess}"?` : '.'} Commands: ${names.join(', ')}.`;
}

function checkPositionals(command: CommandDefinition, positionals: readonly string[]): void {
  const specs = command.positionals ?? [];
  const required = specs.filter((p) => p.required).length;
  const variadic = specs.some((p) => p.variadic);
  if (positionals.length < required) {
    const missing = specs
      .filter((p) => p.required)
      .slice(positionals.length)
      .map((p) => p.name);
    throw new UsageError(`missing ${missing.join(' and ')}.`, command.name);
  }
  if (!variadic && positionals.length > specs.length) {
    throw new UsageError(`unexpected argument ${JSON.stringify(positionals[specs.length])}.`, command.name);
  }
}
