import { closest } from './did-you-mean';
import { UsageError } from './usage-error';

export { editDistance } from './did-you-mean';

/** One flag a command accepts. */
export interface OptionSpec {
  /** Long name without dashes: `config` for `--config`. */
  readonly name: string;
  /** One letter for `-c`. */
  readonly short?: string;
  readonly type: 'string' | 'boolean';
  /** Placeholder shown in help (`FILE`, `ID`). */
  readonly value?: string;
  readonly description: string;
}

/** What the parser found: flags by long name, and the positional arguments in order. */
export interface ParsedArgs {
  readonly options: Readonly<Record<string, string | boolean>>;
  readonly positionals: readonly string[];
}

/**
 * Parses `argv` against `specs`: `--name value`, `--name=value`, `-n value`, boolean flags, and
 * `--` to end the flags. Anything unknown is a {@link UsageError} that names the closest known
 * flag, so a typo never silently changes what a watch does. A flag given twice is an error too.
 */
export function parseArgs(
  argv: readonly string[],
  specs: readonly OptionSpec[],
  command?: string,
): ParsedArgs {
  const options: Record<string, string | boolean> = {};
  const positionals: string[] = [];
  const byLong = new Map(specs.map((s) => [s.name, s]));
  const byShort = new Map(specs.filter((s) => s.short !== undefined).map((s) => [s.short as string, s]));
  let i = 0;
  const set = (spec: OptionSpec, value: string | boolean, written: string): void => {
    if (spec.name in options) throw new UsageError(`${written} was given twice; give it once.`, command);
    options[spec.name] = value;
  };
  while (i < argv.length) {
    const arg = argv[i] as string;
    i += 1;
    if (arg === '--') {
      positionals.push(...argv.slice(i));
      break;
    }
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = arg.slice(2, eq === -1 ? undefined : eq);
      const spec = byLong.get(name);
      if (!spec) throw new UsageError(unknownFlag(`--${name}`, specs), command);
      if (spec.type === 'boolean') {
        if (eq !== -1)
          throw new UsageError(`--${name} is a switch and takes no value; write --${name} alone.`, command);
        set(spec, true, `--${name}`);
        continue;
      }
      let value: string | undefined;
      if (eq !== -1) value = arg.slice(eq + 1);
      else {
        value = argv[i];
        if (value === undefined || (value.startsWith('-') && value !== '-')) {
          throw new UsageError(`--${name} needs a value: --${name} ${spec.value ?? 'VALUE'}.`, command);
        }
        i += 1;
      }
      set(spec, value, `--${name}`);
      continue;
    }
    if (arg.startsWith('-') && arg !== '-') {
      const letters = arg.slice(1);
      const spec = byShort.get(letters);
      if (!spec) throw new UsageError(unknownFlag(arg, specs), command);
      if (spec.type === 'boolean') {
        set(spec, true, arg);
        continue;
      }
      const value = argv[i];
      if (value === undefined || (value.startsWith('-') && value !== '-')) {
        throw new UsageError(`${arg} needs a value: ${arg} ${spec.value ?? 'VALUE'}.`, command);
      }
      i += 1;
      set(spec, value, arg);
      continue;
    }
    positionals.push(arg);
  }
  return { options, positionals };
}

/** The string value of a flag, or undefined when it was not given. */
export function stringOption(args: ParsedArgs, name: string): string | undefined {
  const value = args.options[name];
  return typeof value === 'string' ? value : undefined;
}

/** Whether a switch was given. */
export function flag(args: ParsedArgs, name: string): boolean {
  return args.options[name] === true;
}

function unknownFlag(written: string, specs: readonly OptionSpec[]): string {
  const guess = closest(
    written.replace(/^-+/, ''),
    specs.map((s) => s.name),
  );
  return guess ? `unknown flag ${written}; did you mean --${guess}?` : `unknown flag ${written}.`;
}
