import { appendFile } from 'node:fs/promises';

/** Whether the process runs as a GitHub Actions step. */
export function inGitHubActions(env: Readonly<Record<string, string | undefined>>): boolean {
  return env.GITHUB_ACTIONS === 'true';
}

/** Escapes the message of a workflow command (`::error::message`). */
export function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Escapes a property value of a workflow command (`title=...`). */
export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** `::error title=...::message` and friends. */
export function annotation(level: 'error' | 'warning' | 'notice', title: string, message: string): string {
  return `::${level} title=${escapeProperty(title)}::${escapeData(message)}`;
}

/**
 * Writes step outputs (`outcome`, `exit-code`, `watch-id`, `audit`, ...) to `$GITHUB_OUTPUT` so a
 * later step can branch on them. Values are single-line; nothing is written outside Actions.
 */
export async function writeStepOutputs(
  env: Readonly<Record<string, string | undefined>>,
  outputs: Readonly<Record<string, string | number | boolean | null>>,
): Promise<void> {
  const file = env.GITHUB_OUTPUT;
  if (!file) return;
  const lines = Object.entries(outputs)
    .filter(([, v]) => v !== null)
    .map(([k, v]) => `${k}=${String(v).replace(/[\r\n]+/g, ' ')}`);
  await appendFile(file, `${lines.join('\n')}\n`);
}
