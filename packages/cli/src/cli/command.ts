import type { Io } from '../io/io';
import type { OptionSpec, ParsedArgs } from './arg-parser';

/** A positional argument, for help and arity checks. */
export interface PositionalSpec {
  readonly name: string;
  readonly description: string;
  readonly required?: boolean;
  /** Takes every remaining argument. */
  readonly variadic?: boolean;
}

/** What a command receives when it runs. */
export interface CommandContext {
  readonly io: Io;
  readonly args: ParsedArgs;
}

/**
 * One `rollgate` command. Each lives in its own file under `src/commands/`, exported as
 * `command`, with a row in the command table (`src/command-registry.ts`) that loads it.
 */
export interface CommandDefinition {
  /** What is typed after `rollgate`. */
  readonly name: string;
  /** One line for `rollgate --help`. */
  readonly summary: string;
  /** The synopsis, e.g. `rollgate report AUDIT [--out FILE]`. */
  readonly usage: string;
  /** Paragraphs shown by `rollgate <name> --help`. */
  readonly description?: string;
  readonly options: readonly OptionSpec[];
  readonly positionals?: readonly PositionalSpec[];
  readonly examples?: readonly string[];
  /** Runs the command and resolves to its exit code. Usage mistakes throw `UsageError`. */
  run(context: CommandContext): Promise<number>;
}

/** Declares a command (an identity function that checks the shape at compile time). */
export function defineCommand(definition: CommandDefinition): CommandDefinition {
  return definition;
}

/** The `--help` flag every command accepts. */
export const HELP_OPTION: OptionSpec = {
  name: 'help',
  short: 'h',
  type: 'boolean',
  description: 'Show this help.',
};

/** `--config FILE`, as every command that reads rollgate.yaml takes it. */
export const CONFIG_OPTION: OptionSpec = {
  name: 'config',
  short: 'c',
  type: 'string',
  value: 'FILE',
  description: 'Configuration file (default: rollgate.yaml here, or $ROLLGATE_CONFIG).',
};
