import { failingArtifact } from './failing-artifact';
import type { ControlAction, MachineSnapshot } from './machine-state';
import { RESTING_STATES, TERMINAL_STATES } from './state-table';

/** How a watch would answer a human request right now. */
export interface ControlJudgement {
  readonly accepted: boolean;
  /**
   * The watch is recording its end (notifying, writing the audit): the request waits for that
   * and is judged afterwards. Never true for a watch at rest.
   */
  readonly deferred: boolean;
  /** What the request does, or why it cannot, in words for the asker. */
  readonly detail: string;
}

/**
 * Judges a human request against a watch's snapshot, purely: the rollback machine applies the
 * same judgement when the request reaches the running watch, and a caller can ask first to
 * refuse early (the state may still change before the watch picks the request up).
 *
 * - `promote` ends the bake and keeps the release, before any rollback was started; it is a
 *   human promotion, never recorded as a verified artifact.
 * - `abort` rolls back now, before any rollback was started, through the normal retrieval,
 *   cutover, readiness gate and recovery verification (the automatic-only guards, cooldown and
 *   no chained rollbacks, do not stop a human).
 * - `retry` resumes a halted or escalated watch at the step that failed.
 *
 * A human decision in effect (an abort on its way to the cutover, a promote setting the final
 * weight) is not overturned by a contradicting request; once it has ended in a halt or an
 * escalation, the rules above apply again.
 */
export function judgeControl(s: MachineSnapshot, action: ControlAction): ControlJudgement {
  const failing = failingArtifact(s).id;
  const target = s.target?.id ?? '?';
  const ended = endedText(s);
  if (TERMINAL_STATES.has(s.state) && s.pending.length > 0) {
    return {
      accepted: false,
      deferred: true,
      detail: `the watch is recording its end (${s.state}); the request is judged once it has`,
    };
  }
  const refuse = (detail: string): ControlJudgement => ({ accepted: false, deferred: false, detail });
  const accept = (detail: string): ControlJudgement => ({ accepted: true, deferred: false, detail });
  const rollbackStarted = s.cutover !== null;
  // A human decision in effect is not overturned by another one: the second asker is told.
  const decided = s.decidedBy;
  const decidedText = decided
    ? `${decided.actor} already decided to ${decided.action} at ${new Date(decided.at).toISOString()}${decided.reason ? ` (${decided.reason})` : ''}`
    : '';
  switch (action) {
    case 'promote': {
      if (decided?.action === 'abort' && !TERMINAL_STATES.has(s.state)) return refuse(decidedText);
      if (s.state === 'Promoting')
        return refuse(
          `${failing} is already being promoted on the evidence (its verification is being recorded)`,
        );
      if (rollbackStarted)
        return refuse(
          `traffic was moved back to ${target} (operation ${s.operationId ?? '?'}); a promote cannot undo a rollback: deploy ${failing} again to keep it`,
        );
      if (TERMINAL_STATES.has(s.state) && !RESTING_STATES.has(s.state))
        return refuse(`${ended}; there is nothing to promote`);
      const weights = s.options.weights;
      const rest =
        weights && s.stepIndex < weights.length - 1
          ? ` after setting its traffic weight to ${weights[weights.length - 1]}%`
          : '';
      return accept(
        `ends the bake and keeps ${failing}${rest}; recorded as a human promotion, not as a verified artifact`,
      );
    }
    case 'abort': {
      if (decided?.action === 'promote' && !TERMINAL_STATES.has(s.state)) return refuse(decidedText);
      if (s.state === 'CuttingOver')
        return refuse(`already rolling back to ${target}: the cutover is in flight`);
      if (s.state === 'Verifying')
        return refuse(`already rolled back to ${target}; its recovery is being verified`);
      if (rollbackStarted && (s.state === 'Halted' || s.state === 'Escalated'))
        return refuse(
          `a rollback to ${target} was already attempted (${s.reason ?? s.state}); use retry to re-run the step that failed`,
        );
      if (s.state === 'Promoting')
        return refuse(`${failing} is being promoted on the evidence; deploy the previous version to go back`);
      if (TERMINAL_STATES.has(s.state) && !RESTING_STATES.has(s.state))
        return refuse(`${ended}; nothing to abort`);
      const dry = s.options.dryRun ? ' (dry run: the target is found, nothing is executed)' : '';
      if (s.state === 'Retrieving')
        return accept(
          `already looking for the rollback target; the automatic guards (cooldown, no chained rollbacks) no longer stop it${dry}`,
        );
      return accept(
        `rolls ${failing} back now to the last verified artifact through the cutover, readiness gate and recovery verification${dry}`,
      );
    }
    case 'retry': {
      if (s.state === 'Held')
        return refuse(
          'the watch is on hold because the evidence was inconclusive: decide with promote or abort',
        );
      if (!TERMINAL_STATES.has(s.state))
        return refuse(`the watch is running (${s.state}); there is nothing to retry`);
      if (s.state !== 'Halted' && s.state !== 'Escalated')
        return refuse(`${ended}; there is nothing to retry`);
      const point = s.retryFrom;
      if (point === undefined)
        return refuse('this watch was stored by a version of Rollgate that did not record where to retry');
      if (point === null)
        return refuse(
          `${s.reason ?? 'it stopped at a guard'}: a retry would meet the same guard; use abort to roll back anyway, or promote to keep ${failing}`,
        );
      return accept(`resumes the watch in ${point.state} (${RETRY_STEP_TEXT[point.step]})`);
    }
  }
}

/** What a retry re-runs, per retry step. */
export const RETRY_STEP_TEXT: Readonly<Record<NonNullable<MachineSnapshot['retryFrom']>['step'], string>> = {
  resume: 'the commands the kill switch stopped',
  weight: 'setting the traffic weight',
  bake: 'the bake, with the error counters reset',
  onset: 'locating the onset of the breach',
  retrieve: 'finding the rollback target',
  cutover: 'the cutover, under a new operation id',
  gate: 'the readiness gate',
  verify: 'the recovery verification, over a new window',
};

function endedText(s: MachineSnapshot): string {
  const at = s.phases.at(-1)?.at;
  const when = at === undefined ? '' : ` at ${new Date(at).toISOString()}`;
  return `the watch ended${when}: ${s.outcome ?? s.state}`;
}
