import type { CommandDefinition } from './cli/command';

/** One row of the command table: what `rollgate --help` lists, and how to load the command. */
export interface CommandEntry {
  /** What is typed after `rollgate`. */
  readonly name: string;
  /** One line for `rollgate --help`; the same text as the command's own `summary`. */
  readonly summary: string;
  /** Imports the command's module and returns its definition. */
  load(): Promise<CommandDefinition>;
}

/**
 * Every `rollgate` command, in the order `rollgate --help` lists them. A command's module (and
 * whatever it imports: adapters, zod, the YAML parser) is loaded only when that command runs or
 * shows its own help, so `rollgate --help` starts in about the time of a bare `node`. Adding a
 * command is adding its file under `commands/` and a row here; a test checks every row against
 * the module it loads.
 */
export const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'watch',
    summary: 'Watch a deploy to an outcome: promote it, or roll back to the last verified artifact.',
    load: async () => (await import('./commands/watch')).command,
  },
  {
    name: 'status',
    summary:
      'List the watches in the state store: phase, artifact, time in phase, each signal and its evidence.',
    load: async () => (await import('./commands/status')).command,
  },
  {
    name: 'promote',
    summary: 'End the bake of a running watch and keep the release (a human promotion, not a verification).',
    load: async () => (await import('./commands/promote')).command,
  },
  {
    name: 'abort',
    summary: 'Roll a watch back now, through the normal cutover, readiness gate and recovery verification.',
    load: async () => (await import('./commands/abort')).command,
  },
  {
    name: 'retry',
    summary: 'Resume a halted or escalated watch at the step that failed.',
    load: async () => (await import('./commands/retry')).command,
  },
  {
    name: 'report',
    summary: 'Write the self-contained HTML report of a watch from its audit record.',
    load: async () => (await import('./commands/report')).command,
  },
  {
    name: 'artifacts',
    summary: 'List, verify or record the signed verified artifacts rollbacks go back to.',
    load: async () => (await import('./commands/artifacts')).command,
  },
  {
    name: 'backtest',
    summary: 'Replay deploy scenarios offline and score the decisions.',
    load: async () => (await import('./commands/backtest')).command,
  },
  {
    name: 'init',
    summary: 'Write a commented starter configuration (never overwrites without --force).',
    load: async () => (await import('./commands/init')).command,
  },
  {
    name: 'calibrate',
    summary: 'Replay the contract over history or scenarios and suggest floors and windows.',
    load: async () => (await import('./commands/calibrate')).command,
  },
  {
    name: 'config',
    summary: 'Check a configuration file, or print it resolved (defaults filled in, secrets hidden).',
    load: async () => (await import('./commands/config')).command,
  },
];

/** A table row for a command defined in-process (tests, or a program embedding the CLI). */
export function commandEntry(definition: CommandDefinition): CommandEntry {
  return { name: definition.name, summary: definition.summary, load: async () => definition };
}

/** Loads every command of `table` (all of them by default), in table order. */
export async function loadCommands(table: readonly CommandEntry[] = COMMANDS): Promise<CommandDefinition[]> {
  const seen = new Set<string>();
  for (const entry of table) {
    if (seen.has(entry.name)) throw new Error(`two commands are named "${entry.name}"`);
    seen.add(entry.name);
  }
  return Promise.all(table.map((entry) => entry.load()));
}
