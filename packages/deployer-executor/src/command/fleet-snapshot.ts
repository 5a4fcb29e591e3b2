import { createHash } from 'node:crypto';
import { fail, ok, type Result } from '@rollgate/core';
import { executorError, quote } from '../errors/executor-error';
import { artifactId, normaliseRevision, type ReleaseFacts } from '../release/release-artifact';
import { releaseList } from '../release/release-list';
import { commandReleaseNameProblem, releaseNameProblem } from '../release/release-name';
import { parseReleasesLog, RELEASES_LOG_WINDOW } from '../release/releases-log';

/**
 * The remote command, run once per read as `dep run <script> <selector> -n`, that prints every
 * fact command mode needs as tagged lines: `current`'s link, the deploy lock, Rollgate's last
 * operation record, each release directory with its BAD_RELEASE mark and REVISION, and the last
 * 300 lines of releases_log. It is a constant: nothing from options, targets or host output is
 * ever placed in it, and every value it prints goes through `printf %s`, so a hostile release
 * name on a host is printed, never executed. POSIX sh; `{{deploy_path}}` and `{{current_path}}`
 * are Deployer's own placeholders.
 */
export const SNAPSHOT_SCRIPT = [
  'cd {{deploy_path}} || exit 3',
  `printf 'rollgate-current\\t%s\\n' "$(readlink {{current_path}})"`,
  `[ -f .dep/deploy.lock ] && printf 'rollgate-lock\\t%s\\n' "$(head -c 100 .dep/deploy.lock | tr -d '\\r\\n\\t')"`,
  `[ -f .dep/rollgate-cutover ] && printf 'rollgate-op\\t%s\\n' "$(head -c 400 .dep/rollgate-cutover | tr -d '\\r\\n\\t')"`,
  'for d in releases/*; do',
  '  [ -d "$d" ] || continue',
  '  r=""; [ -f "$d/REVISION" ] && r="$(head -c 300 "$d/REVISION" | tr -d \'\\r\\n\\t\')"',
  '  b=""; [ -f "$d/BAD_RELEASE" ] && b="bad:$(head -c 200 "$d/BAD_RELEASE" | tr -d \'\\r\\n\\t\')"',
  `  printf 'rollgate-release\\t%s\\t%s\\t%s\\n' "$r" "$b" "\${d#releases/}"`,
  'done',
  `if [ -f .dep/releases_log ]; then tail -n ${RELEASES_LOG_WINDOW} .dep/releases_log | while IFS= read -r l || [ -n "$l" ]; do printf 'rollgate-log\\t%s\\n' "$l"; done; fi`,
  "printf 'rollgate-end\\n'",
].join('\n');

/** One host's view, parsed from its snapshot lines. */
export interface HostState {
  readonly host: string;
  readonly currentLink: string;
  readonly current: ReleaseFacts;
  /** Holder of `.dep/deploy.lock`, when it exists. */
  readonly lock?: string;
  /** Rollgate's last operation on this host, when recorded. */
  readonly operation?: OperationRecord;
  /** Deployer's release list on this host, newest first (BAD ones included). */
  readonly releases: readonly ReleaseFacts[];
}

/** What command mode records in `{{deploy_path}}/.dep/rollgate-cutover` after a rollback. */
export interface OperationRecord {
  /** First 32 hex digits of sha256(operationId): shell-safe whatever the id is. */
  readonly op: string;
  readonly from: string;
  readonly to: string;
}

/** The shell-safe digest of an operationId stored in the remote record. */
export function operationDigest(operationId: string): string {
  return createHash('sha256').update(operationId).digest('hex').slice(0, 32);
}

/** The record line; every part is hex or a shell-safe release name (or `-`). */
export function formatOperationRecord(record: OperationRecord): string {
  return `op=${record.op} from=${record.from} to=${record.to}`;
}

const RECORD = /^op=([0-9a-f]{32}) from=(\S+) to=(\S+)$/;

/**
 * Parses one host's snapshot lines. Log lines whose release name command mode cannot pass to
 * `dep` are skipped with a warning; a host whose output is cut short or has no `current` link
 * makes the whole read fail (`EXECUTOR_UNAVAILABLE`).
 */
export function parseHostSnapshot(
  host: string,
  lines: readonly string[],
  warn: (m: string) => void,
): Result<HostState> {
  const unavailable = (why: string) =>
    fail<HostState>(
      executorError('EXECUTOR_UNAVAILABLE', `Host ${quote(host)}: ${why}.`, {
        retryable: true,
        details: { host },
      }),
    );
  if (!lines.includes('rollgate-end'))
    return unavailable('the release snapshot was cut short (no end marker); retry');
  let link: string | undefined;
  let lock: string | undefined;
  let operation: OperationRecord | undefined;
  const dirs = new Map<string, ReleaseFacts>();
  const log: string[] = [];
  for (const line of lines) {
    const tab = line.indexOf('\t');
    const tag = tab < 0 ? line : line.slice(0, tab);
    const rest = tab < 0 ? '' : line.slice(tab + 1);
    if (tag === 'rollgate-current') link = rest;
    else if (tag === 'rollgate-lock') lock = rest || 'unknown';
    else if (tag === 'rollgate-op') {
      const match = RECORD.exec(rest);
      if (match?.[1] !== undefined && match[2] !== undefined && match[3] !== undefined) {
        operation = { op: match[1], from: match[2], to: match[3] };
      }
    } else if (tag === 'rollgate-release') {
      const [revision = '', bad = '', ...nameParts] = rest.split('\t');
      const name = nameParts.join('\t');
      const facts: { name: string; revision?: string; badMark?: string } = { name };
      const normalised = normaliseRevision(revision);
      if (normalised !== undefined) facts.revision = normalised;
      if (bad.startsWith('bad:')) facts.badMark = bad.slice(4) || 'marked';
      dirs.set(name, facts);
    } else if (tag === 'rollgate-log') log.push(rest);
  }
  if (link === undefined || link.length === 0) {
    return unavailable(
      '{{current_path}} is not a symlink; deploy at least once (dep deploy) before Rollgate can roll back',
    );
  }
  const name = link.replace(/\/+$/, '').split('/').pop() ?? '';
  const problem = releaseNameProblem(name);
  if (problem !== undefined)
    return unavailable(`current points at ${quote(link)}, not a valid release (${problem})`);
  const currentDir = dirs.get(name);
  if (currentDir === undefined)
    return unavailable(`current points at ${quote(link)}, but that release directory does not exist`);

  const parsed = parseReleasesLog(log, commandReleaseNameProblem, `[${host}] .dep/releases_log`);
  for (const warning of parsed.warnings) warn(warning);
  const releases = releaseList(parsed.entries, (n) => dirs.has(n)).map((entry) => {
    const dir = dirs.get(entry.name) as ReleaseFacts;
    return { ...dir, log: entry };
  });
  const current = releases.find((r) => r.name === name) ?? currentDir;
  const state: {
    host: string;
    currentLink: string;
    current: ReleaseFacts;
    releases: ReleaseFacts[];
    lock?: string;
    operation?: OperationRecord;
  } = { host, currentLink: link, current, releases };
  if (lock !== undefined) state.lock = lock;
  if (operation !== undefined) state.operation = operation;
  return ok(state);
}

/**
 * The release every host runs. Hosts that disagree (a half-finished rollback, a host deployed
 * separately) are refused: rolling a mixed fleet back with one candidate could move hosts in
 * different directions.
 */
export function fleetCurrent(hosts: readonly HostState[]): Result<ReleaseFacts> {
  const [first] = hosts;
  if (first === undefined) return fail(noHosts());
  const id = (h: HostState) => artifactId(h.current.name, h.current.revision);
  if (hosts.some((h) => id(h) !== id(first))) {
    const views = hosts.map((h) => `${h.host}: ${id(h)}`).join(', ');
    return fail(
      executorError(
        'EXECUTOR_REFUSED',
        `The selected hosts disagree on the current release (${views}). Rollgate acts only on a consistent fleet: ` +
          'bring the hosts to one release (dep deploy or dep rollback per host) or narrow options.selector.',
        { details: { hosts: Object.fromEntries(hosts.map((h) => [h.host, id(h)])) } },
      ),
    );
  }
  return ok(first.current);
}

/**
 * Releases usable on every host: in each host's release list with the same REVISION. Ordered
 * like the first host's list (newest first); a release marked BAD on any host carries that mark.
 */
export function fleetReleases(hosts: readonly HostState[]): ReleaseFacts[] {
  const [first, ...others] = hosts;
  if (first === undefined) return [];
  const out: ReleaseFacts[] = [];
  for (const release of first.releases) {
    const id = artifactId(release.name, release.revision);
    const peers = others.map((h) => h.releases.find((r) => r.name === release.name));
    if (peers.some((p) => p === undefined || artifactId(p.name, p.revision) !== id)) continue;
    const badMark = release.badMark ?? peers.find((p) => p?.badMark !== undefined)?.badMark;
    out.push(badMark === undefined ? release : { ...release, badMark });
  }
  return out;
}

/** The error for a `dep run` that printed no `[host]` lines. */
export function noHosts() {
  return executorError(
    'EXECUTOR_UNAVAILABLE',
    'dep printed no "[host] " lines: no host answered. Check options.selector names your hosts and options.deployFile/cwd find deploy.php.',
  );
}
