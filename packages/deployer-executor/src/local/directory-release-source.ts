import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
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
import type { ExecutorSettings, LocalSettings } from '../options/validate-options';
import { type ReleaseFacts, releaseArtifact } from '../release/release-artifact';
import { targetRelease } from '../release/release-rules';
import type { ReleaseSource } from '../release/release-source';
import { formatDeployerTime } from '../release/releases-log';
import { removeAbandonedFiles } from './abandoned-files';
import { switchCurrentLink } from './atomic-symlink';
import { acquireDeployLock, releaseOperationLock } from './deploy-lock';
import { type CutoverJournal, readJournal, writeJournal } from './operation-journal';
import {
  deployPaths,
  type LocalDeployState,
  readCurrentRelease,
  readLocalState,
  readReleaseFacts,
} from './release-directory';

/** What a cutover decided after reading the deploy_path. */
type Plan =
  | { readonly kind: 'final'; readonly result: Result<CutoverReceipt> }
  | { readonly kind: 'switch'; readonly from: ReleaseFacts; readonly to: ReleaseFacts }
  | { readonly kind: 'finish'; readonly journal: CutoverJournal };

/**
 * Local mode's releases: the semantics of `dep rollback` applied directly to a deploy_path on
 * this machine, with an atomic switch of `current` (see README.md for the full list of what it
 * touches).
 */
export class DirectoryReleaseSource implements ReleaseSource<LocalDeployState> {
  readonly name = 'deployer-local';
  readonly mode = 'local';
  readonly #local: LocalSettings;
  readonly #settings: ExecutorSettings;
  /** The clean-up of what an earlier, killed process left; run once, before the first call. */
  #tidied: Promise<void> | null = null;

  constructor(settings: ExecutorSettings, local: LocalSettings) {
    this.#settings = settings;
    this.#local = local;
  }

  redact(text: string): string {
    // Local mode runs no deploy.php: its messages carry no configured secrets.
    return text;
  }

  read(_ctx?: PortContext): Promise<Result<LocalDeployState>> {
    return readLocalState(this.#local.deployPath, this.#settings.warn);
  }

  ref(facts: ReleaseFacts): ArtifactRef {
    return releaseArtifact(facts, { deployPath: this.#local.deployPath });
  }

  where(): string {
    return `in ${quote(this.#local.deployPath)}`;
  }

  noCandidate(state: LocalDeployState): { why: string; details: Record<string, unknown> } {
    const { releases, current } = state;
    const log = quote(deployPaths(this.#local.deployPath).releasesLog);
    const why = releases.some((r) => r.name === current.name)
      ? `No release older than ${quote(current.name)} in the release list (last 300 lines of ${log}, directory present) is free of a BAD_RELEASE mark.`
      : `The current release ${quote(current.name)} is not in the release list (last 300 lines of ${log}, directory present), so nothing is known to be older.`;
    return { why, details: { releases: releases.map((r) => r.name) } };
  }

  async cutover(target: ArtifactRef, operationId: string, ctx: PortContext): Promise<Result<CutoverReceipt>> {
    // Decide once without the lock so replays and refusals never take the deploy lock.
    const first = await this.#plan(target, operationId);
    if (first.kind === 'final') {
      // The operation is over, so a lock it holds was left by a process killed before it
      // unlocked: keeping it would refuse every later cutover and lock out `dep deploy`.
      if (await releaseOperationLock(this.#local.deployPath, operationId)) {
        this.#settings.warn(
          `Released Deployer's deploy lock ${quote(deployPaths(this.#local.deployPath).lock)} that operation ${quote(operationId)} left when its process stopped.`,
        );
      }
      return first.result;
    }
    const lock = await acquireDeployLock(this.#local.deployPath, operationId);
    if (!lock.ok) return lock;
    try {
      const plan = await this.#plan(target, operationId);
      if (plan.kind === 'final') return plan.result;
      // The last point where giving up leaves everything as it was.
      const late = contextError(ctx, this.#settings.clock, 'The cutover');
      if (late) return fail(late);
      return plan.kind === 'finish'
        ? ok(await this.#finish(plan.journal))
        : await this.#switch(plan, operationId);
    } finally {
      await lock.value.release();
    }
  }

  async dispose(): Promise<void> {
    // Local mode holds no handles between calls.
  }

  async #plan(target: ArtifactRef, operationId: string): Promise<Plan> {
    const final = (result: Result<CutoverReceipt>): Plan => ({ kind: 'final', result });
    const state = await this.read();
    if (!state.ok) return final(state);
    const { current, releases } = state.value;
    const currentRef = this.ref(current);
    const journal = await readJournal(this.#local.deployPath, this.#settings.warn);

    if (journal !== null && journal.operationId === operationId) {
      if (journal.to.id !== target.id) {
        return final(
          fail(
            executorError(
              'EXECUTOR_REFUSED',
              `Operation ${quote(operationId)} was a cutover to ${quote(journal.to.id)}, not ${quote(target.id)}; use a new operationId for a different target.`,
            ),
          ),
        );
      }
      if (currentRef.id === journal.to.id) {
        if (journal.phase === 'switching') return { kind: 'finish', journal };
        return final(
          ok({
            operationId,
            from: journal.from,
            to: currentRef,
            changed: false,
            switchedEarlier: true,
            detail: `Replay of operation ${quote(operationId)}: it switched current from releases/${journal.fromRelease} to releases/${journal.toRelease} at ${new Date(journal.at).toISOString()} (before its process stopped); nothing changed now.`,
          }),
        );
      }
      if (!(journal.phase === 'switching' && current.name === journal.fromRelease)) {
        return final(
          fail(
            executorError(
              'EXECUTOR_REFUSED',
              `Operation ${quote(operationId)} already switched current from releases/${journal.fromRelease} to releases/${journal.toRelease}, ` +
                `and current has moved since (now ${quote(currentRef.id)}). Rollgate never switches twice for one operation; start a new operation if another cutover is wanted.`,
              { details: { journal: journal.phase, current: currentRef.id } },
            ),
          ),
        );
      }
      // Recorded as started but the link never moved: the switch below is the first one.
    }

    if (currentRef.id === target.id) {
      return final(
        ok({
          operationId,
          from: currentRef,
          to: currentRef,
          changed: false,
          detail: `${quote(target.id)} is already live (current -> ${state.value.currentLink}); nothing changed.`,
        }),
      );
    }

    const to = targetRelease(releases, target, (r) => this.ref(r), this.where());
    if (!to.ok) return final(to);
    return { kind: 'switch', from: current, to: to.value };
  }

  async #switch(
    plan: { from: ReleaseFacts; to: ReleaseFacts },
    operationId: string,
  ): Promise<Result<CutoverReceipt>> {
    const { deployPath } = this.#local;
    const from = this.ref(plan.from);
    const to = this.ref(plan.to);
    const journal: CutoverJournal = {
      version: 1,
      operationId,
      phase: 'switching',
      fromRelease: plan.from.name,
      from,
      toRelease: plan.to.name,
      to,
      at: this.#settings.clock.now(),
    };
    try {
      await writeJournal(deployPath, journal);
      await switchCurrentLink(deployPath, plan.to.name);
    } catch (error) {
      return fail(
        executorError(
          'CUTOVER_FAILED',
          `Could not switch ${quote(deployPaths(deployPath).current)} to releases/${plan.to.name}: ${(error as Error).message}. current is unchanged.`,
          { cause: error },
        ),
      );
    }
    const after = await this.#afterSwitch(journal, true);
    return ok({
      operationId,
      from,
      to,
      changed: true,
      detail: `Switched current from releases/${plan.from.name} to releases/${plan.to.name} (atomic rename in ${deployPath}); ${after} releases_log untouched.`,
    });
  }

  /** Completes an operation whose link moved before the process stopped. */
  async #finish(journal: CutoverJournal): Promise<CutoverReceipt> {
    const after = await this.#afterSwitch(journal, false);
    return {
      operationId: journal.operationId,
      from: journal.from,
      to: journal.to,
      changed: false,
      switchedEarlier: true,
      detail: `Resumed operation ${quote(journal.operationId)}: it had switched current from releases/${journal.fromRelease} to releases/${journal.toRelease} before its process stopped; ${after}`,
    };
  }

  /**
   * Marks the release rolled away from and records the operation as done. Traffic is already on
   * the target, so a failure here is reported in the detail and as a warning, not as a failed
   * cutover; a replay of the same operation retries it.
   */
  async #afterSwitch(journal: CutoverJournal, overwrite: boolean): Promise<string> {
    const mark = join(deployPaths(this.#local.deployPath).release(journal.fromRelease), 'BAD_RELEASE');
    const content = `${formatDeployerTime(this.#settings.clock.now())},${this.#local.user}\n`;
    let note: string;
    try {
      await writeFile(mark, content, { flag: overwrite ? 'w' : 'wx' });
      note = `marked releases/${journal.fromRelease}/BAD_RELEASE;`;
    } catch (error) {
      if (!overwrite && (error as NodeJS.ErrnoException).code === 'EEXIST') {
        note = `releases/${journal.fromRelease}/BAD_RELEASE was already written;`;
      } else {
        const message = `Could not write ${mark}: ${(error as Error).message}. Mark the release bad by hand (dep rollback would have).`;
        this.#settings.warn(message);
        return `${message};`;
      }
    }
    try {
      await writeJournal(this.#local.deployPath, {
        ...journal,
        phase: 'done',
        at: this.#settings.clock.now(),
      });
    } catch (error) {
      this.#settings.warn(
        `Could not record operation ${quote(journal.operationId)} as done: ${(error as Error).message}.`,
      );
    }
    return note;
  }

  async checkCurrent(target: ArtifactRef): Promise<Result<string>> {
    try {
      const current = await readCurrentRelease(this.#local.deployPath);
      if (!current.ok)
        return fail(executorError('GATE_FAILED', current.error.message, { cause: current.error }));
      const ref = this.ref(await readReleaseFacts(this.#local.deployPath, current.value.name, undefined));
      if (ref.id !== target.id) {
        return fail(
          executorError(
            'GATE_FAILED',
            `current is ${quote(ref.id)}, not the target ${quote(target.id)}; something switched it after the cutover.`,
          ),
        );
      }
      return ok(`current -> ${current.value.link} resolves to an existing release directory (${ref.id})`);
    } catch (error) {
      return fail(
        executorError('GATE_FAILED', `Cannot read current: ${(error as Error).message}.`, { cause: error }),
      );
    }
  }

  /**
   * Removes, once per executor, what a killed cutover process left on the deploy_path
   * (temporary links and journal files, a lock of a finished operation): see
   * {@link removeAbandonedFiles}. Each removal is reported through `warn`.
   */
  prepare(): Promise<void> {
    this.#tidied ??= removeAbandonedFiles(this.#local.deployPath, this.#settings.warn).then(
      (removed) => {
        for (const note of removed) this.#settings.warn(`${note}.`);
      },
      () => undefined,
    );
    return this.#tidied;
  }
}
