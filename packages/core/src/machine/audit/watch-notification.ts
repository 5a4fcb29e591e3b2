import type { AuditOutcome } from '../../audit/audit-record';
import type { Contract } from '../../contract/contract-schema';
import type { Notification, NotificationKind } from '../../ports/notifier';
import { finiteOrNull } from '../../rules/verdict';
import { failingArtifact } from '../failing-artifact';
import type { MachineSnapshot } from '../machine-state';
import { iso } from '../machine-steps';

/** How loudly each outcome is told: a page wakes someone, an alert does not. */
const KIND_OF_OUTCOME: Readonly<Record<AuditOutcome, NotificationKind>> = {
  'rolled-back': 'alert',
  escalated: 'page',
  halted: 'page',
  'incident-routed': 'incident',
  promoted: 'info',
  'kept-on-hold': 'alert',
  'would-roll-back': 'info',
};

/** The notification a watch sends when it ends: kind, title, summary and fields for a receiver. */
export function notificationFor(s: MachineSnapshot, contract: Contract): Notification {
  const outcome = s.outcome ?? 'escalated';
  const failed = failingArtifact(s).id;
  const titles: Record<AuditOutcome, string> = {
    'rolled-back':
      s.recovery?.status === 'insufficient-traffic'
        ? `${s.service}: rolled back ${failed} -> ${s.target?.id ?? '?'}, not enough traffic to verify recovery`
        : `${s.service}: rolled back ${failed} -> ${s.target?.id ?? '?'}, recovery verified`,
    escalated: `${s.service}: ${failed} needs a human (escalated)`,
    halted: `${s.service}: rollback of ${failed} halted, nothing changed`,
    'incident-routed': `${s.service}: incident predates the deploy of ${failed}`,
    promoted:
      s.decidedBy?.action === 'promote'
        ? `${s.service}: ${failed} promoted by ${s.decidedBy.actor} (no verification recorded)`
        : `${s.service}: ${failed} promoted`,
    'kept-on-hold': `${s.service}: ${failed} kept on hold, evidence inconclusive`,
    'would-roll-back': `${s.service}: dry run would roll back ${failed} -> ${s.target?.id ?? '?'}`,
  };
  const lead = s.breach?.evidence[0];
  const fields: Record<string, string | number | boolean | null> = {
    outcome,
    watchId: s.watchId,
    failedArtifact: failed,
    restoredArtifact: s.target?.id ?? null,
    deployedAt: iso(s.deploy.deployedAt),
    dryRun: s.options.dryRun,
    alpha: contract.alpha,
  };
  if (s.decidedBy) {
    fields.decidedBy = s.decidedBy.actor;
    fields.decision = s.decidedBy.action;
    fields.decisionReason = s.decidedBy.reason;
  }
  if (lead) {
    fields.signal = lead.signal;
    fields.value = finiteOrNull(lead.value);
    fields.threshold = finiteOrNull(lead.threshold);
    fields.samples = lead.samples;
  }
  const dry = s.options.dryRun;
  return {
    kind: dry ? 'info' : KIND_OF_OUTCOME[outcome],
    service: s.service,
    title: dry && outcome !== 'would-roll-back' ? `[dry run] ${titles[outcome]}` : titles[outcome],
    summary: [s.reason ?? '', lead ? `Evidence: ${lead.signal}: ${lead.reason}` : '', `Watch ${s.watchId}.`]
      .filter((l) => l !== '')
      .join('\n'),
    watchId: s.watchId,
    outcome,
    fields,
  };
}
