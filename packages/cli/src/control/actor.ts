import { hostname, userInfo } from 'node:os';

/**
 * Who is asking, for the audit record of a human request: `ROLLGATE_ACTOR` when set (a bot or a
 * wrapper that knows better), `github:<login>` inside GitHub Actions (`GITHUB_ACTOR`), otherwise
 * the OS user at this host. Read here, in the CLI: core never reads the environment.
 */
export function actorFrom(env: Readonly<Record<string, string | undefined>>): string {
  const explicit = env.ROLLGATE_ACTOR?.trim();
  if (explicit) return explicit;
  const github = env.GITHUB_ACTOR?.trim();
  if (github) return `github:${github}`;
  const user = env.USER?.trim() || env.LOGNAME?.trim() || env.USERNAME?.trim() || osUser();
  return `${user}@${safeHostname()}`;
}

function osUser(): string {
  try {
    return userInfo().username || 'unknown';
  } catch {
    return 'unknown';
  }
}

function safeHostname(): string {
  try {
    return hostname() || 'localhost';
  } catch {
    return 'localhost';
  }
}
