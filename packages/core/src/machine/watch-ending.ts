import type { Contract } from '../contract/contract-schema';
import { buildAuditRecord } from './audit/audit-builder';
import { notificationFor } from './audit/watch-notification';
import type { Command, MachineEvent, MachineSnapshot, RetryPoint, Transition } from './machine-state';
import { enter, issue } from './machine-steps';
import { outcomeOfState, TERMINAL_STATES, type TerminalStateName } from './state-table';

/** Attempts at writing the audit record before the machine stops asking. */
const MAX_AUDIT_ATTEMPTS = 5;

/** The events that answer the commands of a watch's ending (see {@link endWatch}). */
export type EndingEvent = Extract<
  MachineEvent,
  { readonly type: 'guard-saved' | 'notified' | 'audit-written' | 'audit-failed' }
>;

/** Whether `event` answers a command of a watch's ending. */
export function isEndingEvent(event: MachineEvent): event is EndingEvent {
  return (
    event.type === 'guard-saved' ||
    event.type === 'notified' ||
    event.type === 'audit-written' ||
    event.type === 'audit-failed'
  );
}

/** How a watch ends, beyond its state and reason. */
export interface EndingOptions {
  /** Commands run before the notification (the rollback guard, after a cutover). */
  readonly before?: readonly Command[];
  /**
   * Where a human `retry` resumes a halted or escalated watch; null: nowhere (the reason says
   * what to do instead). Default: the step of the state it leaves.
   */
  readonly retry?: RetryPoint | null;
}

/**
 * The one way a watch ends: it enters a terminal state with the outcome that state records,
 * then runs, in order, the `before` commands (the guard), the notification and the audit
 * record ({@link continueEnding} answers each). Whatever happens, the audit is written after
 * the notification, so it lists what was sent.
 */
export function endWatch(
  s: MachineSnapshot,
  state: TerminalStateName,
  reason: string,
  at: number,
  contract: Contract,
  options: EndingOptions = {},
): Transition {
  const stuck = state === 'Halted' || state === 'Escalated';
  const retryFrom = stuck ? (options.retry === undefined ? retryPointOf(s) : options.retry) : null;
  const outcome = outcomeOfState(state);
  const next = enter({ ...s, outcome, reason, pending: [], retryFrom }, state, at, reason);
  return issue(next, [
    ...(options.before ?? []),
    { type: 'notify', notification: notificationFor(next, contract) },
  ]);
}

/**
 * The ending's next step, once `event` answered the head of `pending` (already removed from
 * `s`): after the notification, the audit record; a failed audit write is retried up to
 * {@link MAX_AUDIT_ATTEMPTS} times, then the machine stops asking.
 */
export function continueEnding(s: MachineSnapshot, event: EndingEvent, contract: Contract): Transition {
  switch (event.type) {
    case 'guard-saved':
      return { snapshot: s, commands: s.pending };
    case 'notified': {
      const entry = {
        kind: event.notification.kind,
        title: event.notification.title,
        ok: event.error === undefined,
        ...(event.error === undefined ? {} : { error: event.error }),
        at: event.at,
      };
      const next = { ...s, notifications: [...s.notifications, entry] };
      if (TERMINAL_STATES.has(next.state) && next.pending.length === 0) {
        return issue(next, [{ type: 'write-audit', record: buildAuditRecord(next, contract) }]);
      }
      return { snapshot: next, commands: next.pending };
    }
    case 'audit-written':
      return { snapshot: { ...s, auditWritten: true }, commands: s.pending };
    case 'audit-failed': {
      const retry: MachineSnapshot = { ...s, auditAttempts: s.auditAttempts + 1 };
      if (retry.auditAttempts >= MAX_AUDIT_ATTEMPTS) return { snapshot: retry, commands: [] };
      return issue(retry, [{ type: 'write-audit', record: buildAuditRecord(retry, contract) }]);
    }
  }
}

/** Where a retry resumes a watch that halts or escalates from `s.state`. */
function retryPointOf(s: MachineSnapshot): RetryPoint | null {
  switch (s.state) {
    case 'Watching':
      return { state: 'Watching', step: 'bake', pending: [] };
    case 'Validating':
      return { state: 'Validating', step: 'onset', pending: [] };
    case 'Retrieving':
      return { state: 'Retrieving', step: 'retrieve', pending: [] };
    case 'CuttingOver':
      return { state: 'CuttingOver', step: s.cutover?.receipt ? 'gate' : 'cutover', pending: [] };
    case 'Verifying':
      return { state: 'Verifying', step: 'verify', pending: [] };
    default:
      return null;
  }
}
