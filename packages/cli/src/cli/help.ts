import type { OptionSpec } from './arg-parser';
import { type CommandDefinition, HELP_OPTION } from './command';

/** `rollgate --help`: every command with its one-line summary. */
export function topLevelHelp(
  commands: readonly Pick<CommandDefinition, 'name' | 'summary'>[],
  version: string,
): string {
  const width = Math.max(...commands.map((c) => c.name.length), 4) + 2;
  return [
    `rollgate ${version}: metric-driven automatic rollback.`,
    '',
    'Usage: rollgate <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    '',
    'Options:',
    '  -h, --help      Show help (also: rollgate <command> --help, rollgate help <command>).',
    '  -V, --version   Print the version.',
    '',
    'Exit codes: 0 kept/promoted, 10 rolled back, 20 escalated/halted/held, 30 incident routed,',
    '3 still running (status) or request not applied yet (promote/abort/retry), 2 invalid config',
    'or usage, 1 other failures, 75 another controller holds the lease, 130/143 interrupted (resumable).',
    'Reference: https://github.com/rollgate/rollgate/blob/main/docs/cli.md',
    '',
  ].join('\n');
}

/** `rollgate <command> --help`. */
export function commandHelp(command: CommandDefinition): string {
  const lines = [`Usage: ${command.usage}`, '', command.summary];
  if (command.description) lines.push('', ...command.description.split('\n'));
  if (command.positionals && command.positionals.length > 0) {
    lines.push('', 'Arguments:');
    const width = Math.max(...command.positionals.map((p) => p.name.length)) + 2;
    for (const p of command.positionals) lines.push(`  ${p.name.padEnd(width)}${p.description}`);
  }
  const options = [...command.options, HELP_OPTION];
  lines.push('', 'Options:');
  const labels = options.map(optionLabel);
  const width = Math.max(...labels.map((l) => l.length)) + 2;
  options.forEach((o, i) => {
    lines.push(`  ${(labels[i] as string).padEnd(width)}${o.description}`);
  });
  if (command.examples && command.examples.length > 0) {
    lines.push('', 'Examples:', ...command.examples.map((e) => `  ${e}`));
  }
  lines.push('');
  return lines.join('\n');
}

function optionLabel(o: OptionSpec): string {
  const long = `--${o.name}${o.type === 'string' ? ` ${o.value ?? 'VALUE'}` : ''}`;
  return o.short ? `-${o.short}, ${long}` : `    ${long}`;
}
