import { quote } from '../errors/executor-error';

/** How many trailing lines of `.dep/releases_log` Deployer reads to build its release list. */
export const RELEASES_LOG_WINDOW = 300;

/** One line of `.dep/releases_log`, validated. */
export interface ReleaseLogEntry {
  readonly name: string;
  /** Epoch ms of `created_at`, when it parses. */
  readonly createdAt?: number;
  readonly user?: string;
  /** What was deployed: a branch, a tag (`v1.4.2`), a revision. */
  readonly target?: string;
}

/** Entries in file order (oldest first) and one warning per line that was skipped. */
export interface ParsedReleasesLog {
  readonly entries: readonly ReleaseLogEntry[];
  readonly warnings: readonly string[];
}

/**
 * The last `count` lines of a text, like `tail -n`: a final newline ends the last line rather
 * than starting an empty one, and `\r` before a newline is dropped.
 */
export function lastLines(text: string, count: number): string[] {
  if (text.length === 0 || count <= 0) return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines.slice(-count).map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
}

/**
 * Parses `releases_log` lines (JSON objects such as `{"created_at": "...", "release_name": "4",
 * "user": "ci", "target": "v1.4.2"}`). Blank lines are ignored like Deployer does; a line that is
 * not such an object, or whose `release_name` fails `nameProblem`, is skipped with a warning.
 * A skipped line never yields a release, so a torn or hostile line cannot become a candidate.
 */
export function parseReleasesLog(
  lines: readonly string[],
  nameProblem: (name: string) => string | undefined,
  source: string,
): ParsedReleasesLog {
  const entries: ReleaseLogEntry[] = [];
  const warnings: string[] = [];
  lines.forEach((raw, index) => {
    const line = raw.trim();
    if (line.length === 0) return;
    const where = `${source}: line ${index + 1} of the last ${lines.length}`;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      warnings.push(`${where} is not JSON; skipped it (${quote(line, 80)}).`);
      return;
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      warnings.push(`${where} is not a JSON object; skipped it.`);
      return;
    }
    const record = parsed as Record<string, unknown>;
    const rawName = record.release_name;
    const name =
      typeof rawName === 'string'
        ? rawName
        : typeof rawName === 'number' && Number.isSafeInteger(rawName) && rawName >= 0
          ? String(rawName)
          : undefined;
    if (name === undefined) {
      warnings.push(`${where} has no string "release_name"; skipped it.`);
      return;
    }
    const problem = nameProblem(name);
    if (problem !== undefined) {
      warnings.push(
        `${where} names release ${quote(name)}, which is not a valid release name (${problem}); skipped it.`,
      );
      return;
    }
    const entry: { name: string; createdAt?: number; user?: string; target?: string } = { name };
    if (typeof record.created_at === 'string') {
      const createdAt = parseDeployerTime(record.created_at);
      if (createdAt !== undefined) entry.createdAt = createdAt;
    }
    if (typeof record.user === 'string' && record.user.length > 0) entry.user = record.user;
    if (typeof record.target === 'string' && record.target.length > 0) entry.target = record.target;
    entries.push(entry);
  });
  return { entries, warnings };
}

const DEPLOYER_TIME = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?)(Z|[+-]\d{2}:?\d{2})$/;

/**
 * Epoch ms of a Deployer timestamp. Deployer writes PHP's ISO 8601 form
 * (`2024-05-01T12:00:00+0000`, no colon in the offset), which `Date.parse` does not accept
 * everywhere, so the offset is normalised first. Undefined for anything else.
 */
export function parseDeployerTime(text: string): number | undefined {
  const match = DEPLOYER_TIME.exec(text.trim());
  if (!match) return undefined;
  const [, local, zone] = match;
  const offset =
    zone === 'Z' || zone === undefined
      ? 'Z'
      : zone.includes(':')
        ? zone
        : `${zone.slice(0, 3)}:${zone.slice(3)}`;
  const ms = Date.parse(`${local}${offset}`);
  return Number.isFinite(ms) ? ms : undefined;
}

/** Formats epoch ms the way Deployer's `timestamp()` does: UTC, `+0000`, whole seconds. */
export function formatDeployerTime(epochMs: number): string {
  return `${new Date(epochMs).toISOString().slice(0, 19)}+0000`;
}
