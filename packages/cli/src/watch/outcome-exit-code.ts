import type { AuditOutcome } from '@rollgate/core';
import { EXIT_CODES } from '../cli/exit-codes';

/**
 * The exit code of a finished watch. A dry run that would have rolled back exits 10 like a
 * rollback (the pipeline's "this deploy is bad" branch) and says clearly that nothing was
 * executed; a watch kept on hold exits 20 with escalations and halts: a human must decide.
 */
export function exitCodeFor(outcome: AuditOutcome): number {
  switch (outcome) {
    case 'promoted':
      return EXIT_CODES.ok;
    case 'rolled-back':
    case 'would-roll-back':
      return EXIT_CODES.rolledBack;
    case 'escalated':
    case 'halted':
    case 'kept-on-hold':
      return EXIT_CODES.needsHuman;
    case 'incident-routed':
      return EXIT_CODES.incidentRouted;
  }
}

/** One line a person reads first: what happened and what it means for them. */
export function outcomeHeadline(outcome: AuditOutcome, dryRun: boolean): string {
  const dry = dryRun ? ' (dry run: nothing was executed)' : '';
  switch (outcome) {
    case 'promoted':
      return `PROMOTED: the new version is kept${dry}`;
    case 'rolled-back':
      return 'ROLLED BACK: traffic is back on the last verified version and recovery is verified';
    case 'would-roll-back':
      return 'WOULD ROLL BACK (dry run): the new version is bad; nothing was executed';
    case 'escalated':
      return `ESCALATED: a human must look${dry}`;
    case 'halted':
      return `HALTED: Rollgate stopped without changing anything; a human must look${dry}`;
    case 'kept-on-hold':
      return `ON HOLD: the evidence was inconclusive; a human must decide${dry}`;
    case 'incident-routed':
      return `INCIDENT ROUTED: the problem began before this deploy; no rollback${dry}`;
  }
}
