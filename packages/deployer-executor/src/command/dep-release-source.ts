import {
  type ArtifactRef,
  type CutoverReceipt,
  fail,
  ok,
  type PortContext,
  type Result,
} from '@rollgate/core';
import { contextError } from '../context/port-context';
import { executorError, quote } from '../errors/executor-error';
import type { CommandSettings, ExecutorSettings } from '../options/validate-options';
import { type ReleaseFacts, releaseArtifact } from '../release/release-artifact';
import { commandReleaseNameProblem } from '../release/release-name';
import { targetRelease } from '../release/release-rules';
import type { ReleaseSource, ReleaseView } from '../release/release-source';
import { DepRunner } from './dep-runner';
import {
  fleetCurrent,
  fleetReleases,
  formatOperationRecord,
  type HostState,
  noHosts,
  operationDigest,
  parseHostSnapshot,
  SNAPSHOT_SCRIPT,
} from './fleet-snapshot';
import { parseHostOutput } from './host-output';
import { createRedactor, type Redactor } from './redactor';

/** A consistent read of the selected hosts. */
interface Fleet extends ReleaseView {
  readonly hosts: readonly HostState[];
}

/**
 * Command mode's releases: drives the project's own `dep` (`dep rollback`, `dep run`) so every
 * host switches through Deployer's recipe, and confirms the outcome by reading `current` on each
 * host instead of trusting the exit code.
 */
export class DepReleaseSource implements ReleaseSource<Fleet> {
  readonly name = 'deployer-command';
  readonly mode = 'command';
  readonly #command: CommandSettings;
  readonly #settings: ExecutorSettings;
  readonly #redact: Redactor;
  readonly #dep: DepRunner;

  constructor(settings: ExecutorSettings, command: CommandSettings) {
    this.#settings = settings;
    this.#command = command;
    this.#redact = createRedactor(command.env);
    this.#dep = new DepRunner(command, settings.clock, this.#redact);
  }

  redact(text: string): string {
    return this.#redact(text);
  }

  async prepare(): Promise<void> {
    // Nothing is kept on this machine between calls.
  }

  async read(ctx: PortContext): Promise<Result<Fleet>> {
    const run = await this.#dep.run(
      ['run', SNAPSHOT_SCRIPT, this.#command.selector],
      ctx,
      'Reading the hosts',
    );
    if (!run.ok) return run;
    if (run.value.exitCode !== 0) {
      return fail(
        this.#dep.exitError(
          run.value,
          `dep run (release snapshot) for ${quote(this.#command.selector)}`,
          'EXECUTOR_UNAVAILABLE',
        ),
      );
    }
    const output = parseHostOutput(run.value.stdout);
    const hosts: HostState[] = [];
    for (const host of [...output.byHost.keys()].sort()) {
      const state = parseHostSnapshot(host, output.byHost.get(host) ?? [], (m) =>
        this.#settings.warn(this.#redact(m)),
      );
      if (!state.ok) return state;
      hosts.push(state.value);
    }
    if (hosts.length === 0) return fail(noHosts());
    const current = fleetCurrent(hosts);
    if (!current.ok) return current;
    return ok({ hosts, current: current.value, releases: fleetReleases(hosts) });
  }

  ref(facts: ReleaseFacts, fleet: Fleet): ArtifactRef {
    return releaseArtifact(facts, {
      hosts: fleet.hosts.map((h) => h.host).join(','),
      selector: this.#command.selector,
    });
  }

  where(fleet: Fleet): string {
    return `on every selected host (${hostList(fleet.hosts)})`;
  }

  noCandidate(fleet: Fleet): { why: string; details: Record<string, unknown> } {
    return {
      why: `No release older than ${quote(fleet.current.name)} is in every selected host's release list without a BAD_RELEASE mark.`,
      details: { hosts: fleet.hosts.map((h) => h.host) },
    };
  }

  async cutover(target: ArtifactRef, operationId: string, ctx: PortContext): Promise<Result<CutoverReceipt>> {
    const read = await this.read(ctx);
    if (!read.ok) return read;
    const fleet = read.value;
    const { hosts, current, releases } = fleet;
    const currentRef = this.ref(current, fleet);
    const digest = operationDigest(operationId);
    const replayed = hosts.find((h) => h.operation?.op === digest)?.operation;

    if (currentRef.id === target.id) {
      const previous = releases.find((r) => r.name === replayed?.from);
      return ok({
        operationId,
        from: previous === undefined ? currentRef : this.ref(previous, fleet),
        to: currentRef,
        changed: false,
        detail:
          replayed === undefined
            ? `${quote(target.id)} is already live on ${hostList(hosts)}; nothing changed.`
            : `Replay of operation ${quote(operationId)}: ${hostList(hosts)} already run releases/${replayed.to} (rolled back from ${replayed.from}); nothing changed.`,
      });
    }
    if (replayed !== undefined) {
      return fail(
        executorError(
          'EXECUTOR_REFUSED',
          `Operation ${quote(operationId)} already rolled back to releases/${replayed.to}, and current has moved since (now ${quote(currentRef.id)}). ` +
            'Rollgate never switches twice for one operation; start a new operation if another cutover is wanted.',
        ),
      );
    }
    const locked = hosts.filter((h) => h.lock !== undefined);
    if (locked.length > 0) {
      return fail(
        executorError(
          'EXECUTOR_REFUSED',
          `Deployer's deploy lock exists on ${locked.map((h) => `${h.host} (held by ${quote(h.lock ?? '', 60)})`).join(', ')}: a deploy is running. ` +
            'Rollgate does not roll back under a running deploy; retry when it finishes, or run `dep deploy:unlock` if the lock is stale.',
          { retryable: true },
        ),
      );
    }
    const to = targetRelease(releases, target, (r) => this.ref(r, fleet), this.where(fleet));
    if (!to.ok) return to;
    // Parsed names are shell-safe already; this guards the invariant at the point of use.
    const unsafe = commandReleaseNameProblem(to.value.name);
    if (unsafe !== undefined) {
      return fail(
        executorError(
          'EXECUTOR_REFUSED',
          `Release ${quote(to.value.name)} cannot be passed to dep: ${unsafe}.`,
        ),
      );
    }
    const late = contextError(ctx, this.#settings.clock, 'The cutover');
    if (late) return fail(late);
    return this.#rollback(operationId, fleet, currentRef, to.value, ctx);
  }

  async checkCurrent(target: ArtifactRef, ctx: PortContext): Promise<Result<string>> {
    const fleet = await this.read(ctx);
    if (!fleet.ok) {
      if (fleet.error.code === 'ABORTED' || fleet.error.code === 'TIMEOUT') return fleet;
      return fail(executorError('GATE_FAILED', fleet.error.message, { cause: fleet.error }));
    }
    const ref = this.ref(fleet.value.current, fleet.value);
    if (ref.id !== target.id) {
      return fail(
        executorError(
          'GATE_FAILED',
          `current is ${quote(ref.id)}, not the target ${quote(target.id)}; something switched it after the cutover.`,
        ),
      );
    }
    return ok(
      `current -> releases/${fleet.value.current.name} resolves to an existing release directory on ${hostList(fleet.value.hosts)} (${ref.id})`,
    );
  }

  async dispose(): Promise<void> {
    this.#dep.stopAll();
  }

  async #rollback(
    operationId: string,
    fleet: Fleet,
    currentRef: ArtifactRef,
    to: ReleaseFacts,
    ctx: PortContext,
  ): Promise<Result<CutoverReceipt>> {
    const { hosts } = fleet;
    const toRef = this.ref(to, fleet);
    const rollback = await this.#dep.run(
      ['rollback', this.#command.selector, '-o', `rollback_candidate=${to.name}`],
      ctx,
      'The rollback',
    );
    if (!rollback.ok) return rollback;
    const shown = `dep ${rollback.value.args.join(' ')}`;
    if (rollback.value.exitCode !== 0) {
      return fail(
        this.#dep.exitError(rollback.value, shown, 'CUTOVER_FAILED', '; some hosts may have switched'),
      );
    }
    const aborted = [...parseHostOutput(rollback.value.stdout).byHost]
      .filter(([, lines]) => lines.some((l) => l.includes('Rollback aborted.')))
      .map(([host]) => host);

    // The exit code does not say whether current moved ("Rollback aborted." exits 0): read it.
    const check = await this.#readCurrentNames(ctx);
    if (!check.ok) {
      return fail(
        executorError(
          'CUTOVER_FAILED',
          `${shown} exited 0, but the outcome could not be confirmed: ${check.error.message}`,
          { cause: check.error },
        ),
      );
    }
    const expected = hosts.map((h) => h.host);
    const wrong = expected.filter((host) => check.value.get(host) !== to.name);
    const extra = [...check.value.keys()].filter((host) => !expected.includes(host));
    if (wrong.length > 0 || extra.length > 0) {
      const views = [...expected, ...extra]
        .map((host) => `${host}: ${check.value.get(host) ?? 'no answer'}`)
        .join(', ');
      const why =
        aborted.length > 0
          ? ` dep printed "Rollback aborted." for ${aborted.join(', ')}: the candidate was marked BAD_RELEASE when dep checked it.`
          : '';
      return fail(
        executorError(
          'CUTOVER_FAILED',
          `${shown} exited 0 but current is not releases/${to.name} on every host (${views}).${why} Check the hosts by hand.`,
          { details: { expected: to.name, hosts: Object.fromEntries(check.value), aborted } },
        ),
      );
    }
    const note = await this.#recordOperation(operationId, fleet.current.name, to.name, ctx);
    return ok({
      operationId,
      from: currentRef,
      to: toRef,
      changed: true,
      detail:
        `${shown}: ${hostList(hosts)} switched from releases/${fleet.current.name} to releases/${to.name} ` +
        `(confirmed with ${quote(this.#command.checkCommand)}); Deployer marked releases/${fleet.current.name} BAD_RELEASE.${note}`,
    });
  }

  /** Each host's current release name, read with the check command. */
  async #readCurrentNames(ctx: PortContext): Promise<Result<Map<string, string>>> {
    const run = await this.#dep.run(
      ['run', this.#command.checkCommand, this.#command.selector],
      ctx,
      'Reading current',
    );
    if (!run.ok) return run;
    if (run.value.exitCode !== 0)
      return fail(this.#dep.exitError(run.value, 'dep run', 'EXECUTOR_UNAVAILABLE'));
    const names = new Map<string, string>();
    for (const [host, lines] of parseHostOutput(run.value.stdout).byHost) {
      const last = [...lines].reverse().find((l) => l.trim().length > 0) ?? '';
      names.set(host, last.trim().replace(/\/+$/, '').split('/').pop() ?? '');
    }
    if (names.size === 0) return fail(noHosts());
    return ok(names);
  }

  /**
   * Records the operation on every host so a resumed controller can tell a replay from a new
   * request. Only hex and shell-safe release names reach the remote shell. Best effort: the
   * rollback itself already happened, so a failure is a warning.
   */
  async #recordOperation(operationId: string, from: string, to: string, ctx: PortContext): Promise<string> {
    const record = formatOperationRecord({
      op: operationDigest(operationId),
      from: commandReleaseNameProblem(from) === undefined ? from : '-',
      to,
    });
    const script = `mkdir -p {{deploy_path}}/.dep && printf '%s\\n' '${record}' > {{deploy_path}}/.dep/rollgate-cutover`;
    const run = await this.#dep.run(['run', script, this.#command.selector], ctx, 'Recording the operation');
    if (run.ok && run.value.exitCode === 0) return '';
    const message = `Could not record operation ${quote(operationId)} on the hosts; a replay is still recognised while current stays on the target.`;
    this.#settings.warn(message);
    return ` ${message}`;
  }
}

function hostList(hosts: readonly HostState[]): string {
  return hosts.map((h) => h.host).join(', ');
}
