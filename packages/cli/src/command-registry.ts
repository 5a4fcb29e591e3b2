import { readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { CommandDefinition } from './cli/command';

/**
 * Finds every command: each file in the `commands/` folder next to this module (`src/commands`
 * when run from source, `dist/commands` once built) that exports a `command`. Adding a command
 * is adding one file there; nothing else lists them.
 */
export async function loadCommands(
  folder: URL = new URL('./commands/', import.meta.url),
): Promise<CommandDefinition[]> {
  const path = fileURLToPath(folder);
  const files = (await readdir(path)).filter(isCommandModule).sort();
  const commands: CommandDefinition[] = [];
  for (const file of files) {
    const module = (await import(new URL(file, folder).href)) as { command?: unknown };
    if (!isCommand(module.command)) {
      throw new Error(
        `${path}${file} does not export a command (export const command = defineCommand({...})).`,
      );
    }
    commands.push(module.command);
  }
  const seen = new Set<string>();
  for (const command of commands) {
    if (seen.has(command.name)) throw new Error(`two commands are named "${command.name}"`);
    seen.add(command.name);
  }
  return commands.sort((a, b) => (a.order ?? 100) - (b.order ?? 100) || a.name.localeCompare(b.name));
}

function isCommandModule(file: string): boolean {
  if (file.endsWith('.d.ts') || file.includes('.test.')) return false;
  return /\.(ts|js|mjs)$/.test(file);
}

function isCommand(value: unknown): value is CommandDefinition {
  if (typeof value !== 'object' || value === null) return false;
  const c = value as Partial<CommandDefinition>;
  return (
    typeof c.name === 'string' &&
    typeof c.run === 'function' &&
    typeof c.summary === 'string' &&
    Array.isArray(c.options)
  );
}
