import type { Redactor } from './redactor';

/** `dep` output split by host: lines prefixed `[<host>] ` and everything else. */
export interface HostOutput {
  readonly byHost: ReadonlyMap<string, readonly string[]>;
  readonly other: readonly string[];
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escape sequences start with ESC
const ANSI = /\u001b\[[0-9;?]*[ -/]*[@-~]/g;
const PREFIXED = /^\[([^\]\s]+)\] ?(.*)$/;

/** Removes colour codes and a trailing `\r`. */
export function cleanLine(line: string): string {
  return line.replace(ANSI, '').replace(/\r$/, '');
}

/**
 * Groups output lines by their `[host] ` prefix. Deployer runs hosts in parallel, so lines of
 * different hosts interleave; each host's lines keep their order.
 */
export function parseHostOutput(text: string): HostOutput {
  const byHost = new Map<string, string[]>();
  const other: string[] = [];
  for (const raw of text.split('\n')) {
    const line = cleanLine(raw);
    const match = PREFIXED.exec(line);
    if (match?.[1] !== undefined) {
      const lines = byHost.get(match[1]) ?? [];
      lines.push(match[2] ?? '');
      byHost.set(match[1], lines);
    } else if (line.trim().length > 0) {
      other.push(line);
    }
  }
  return { byHost, other };
}

const INTERESTING =
  /error|fail|exception|abort|denied|refused|not found|no more releases|no host selected|bad release|timed out|could not|cannot/i;
const MAX_LINES = 20;
const MAX_LINE = 300;

/**
 * The output lines worth showing for a failed `dep` run: lines that look like errors (or, if
 * none does, the last lines), stripped of colour, redacted and shortened.
 */
export function relevantLines(stdout: string, stderr: string, redact: Redactor): string[] {
  const lines = `${stderr}\n${stdout}`
    .split('\n')
    .map(cleanLine)
    .filter((l) => l.trim().length > 0);
  const picked = lines.filter((l) => INTERESTING.test(l));
  const chosen = (picked.length > 0 ? picked : lines).slice(-MAX_LINES);
  return chosen.map((l) => {
    const safe = redact(l);
    return safe.length > MAX_LINE ? `${safe.slice(0, MAX_LINE)}…` : safe;
  });
}
