import type { AuditOutcome } from '../audit/audit-record';

/**
 * What a watch's outcome counts as when watches are scored against ground truth (scenario
 * replay, backtests, history calibration): rolled back (or would have), kept, routed to an
 * incident, or handed to a human. The coarse projection of {@link AuditOutcome}.
 */
export type ControllerDecision = 'rollback' | 'keep' | 'incident' | 'escalate';

/** One state of the rollback machine, as the table below describes it. */
interface StateFacts {
  /** The audit outcome a watch ending in this state records; null for a state a watch passes through. */
  readonly outcome: AuditOutcome | null;
  /** A terminal state a human can still act on (`retry`, `promote`, `abort`): the watch needs one. */
  readonly resting: boolean;
}

/**
 * Every state of the rollback machine, written once: the state names, which are terminal, the
 * outcome each terminal state records and which wait for a human are all read from here
 * (the snapshot schema's enum too). Order: the path of a watch through the machine.
 */
const STATE_TABLE = {
  Starting: { outcome: null, resting: false },
  Watching: { outcome: null, resting: false },
  Validating: { outcome: null, resting: false },
  IncidentRouted: { outcome: 'incident-routed', resting: false },
  Retrieving: { outcome: null, resting: false },
  Halted: { outcome: 'halted', resting: true },
  CuttingOver: { outcome: null, resting: false },
  Verifying: { outcome: null, resting: false },
  RolledBack: { outcome: 'rolled-back', resting: false },
  Escalated: { outcome: 'escalated', resting: true },
  Promoting: { outcome: null, resting: false },
  Promoted: { outcome: 'promoted', resting: false },
  /** Inconclusive evidence, kept for a human to decide. */
  Held: { outcome: 'kept-on-hold', resting: true },
  /** A dry run that would have rolled back. */
  DryRunComplete: { outcome: 'would-roll-back', resting: false },
} as const satisfies Record<string, StateFacts>;

type Table = typeof STATE_TABLE;

/** The states of one watch (see {@link TERMINAL_STATES} for those it ends in). */
export type MachineStateName = keyof Table;

/** The states a watch ends in, each recording one {@link AuditOutcome}. */
export type TerminalStateName = {
  [K in MachineStateName]: Table[K]['outcome'] extends null ? never : K;
}[MachineStateName];

/** Every outcome is recorded by some terminal state (a compile-time check of the table). */
type Unrecorded = Exclude<AuditOutcome, Table[TerminalStateName]['outcome']>;
const everyOutcomeHasAState: [Unrecorded] extends [never] ? true : never = true;
void everyOutcomeHasAState;

/** Every state name, in the table's order (a non-empty tuple, as `z.enum` wants). */
export const MACHINE_STATE_NAMES = Object.keys(STATE_TABLE) as [MachineStateName, ...MachineStateName[]];

/** The states a watch ends in: IncidentRouted, Halted, RolledBack, Escalated, Promoted, Held, DryRunComplete. */
export const TERMINAL_STATES: ReadonlySet<MachineStateName> = new Set(
  MACHINE_STATE_NAMES.filter((name) => STATE_TABLE[name].outcome !== null),
);

/**
 * Terminal states a human can still act on: the watch stopped because it needs one
 * (escalated, halted, or held on inconclusive evidence).
 */
export const RESTING_STATES: ReadonlySet<MachineStateName> = new Set(
  MACHINE_STATE_NAMES.filter((name) => STATE_TABLE[name].resting),
);

/** The audit outcome a watch ending in `state` records. */
export function outcomeOfState(state: TerminalStateName): AuditOutcome {
  return STATE_TABLE[state].outcome;
}

const DECISION_OF_OUTCOME: Readonly<Record<AuditOutcome, ControllerDecision>> = {
  'rolled-back': 'rollback',
  'would-roll-back': 'rollback',
  'incident-routed': 'incident',
  escalated: 'escalate',
  halted: 'escalate',
  promoted: 'keep',
  'kept-on-hold': 'keep',
};

/**
 * What an outcome counts as when scored. An escalation after a cutover still changed traffic:
 * a caller that knows a cutover happened counts it as a rollback.
 */
export function decisionOfOutcome(outcome: AuditOutcome, cutOver = false): ControllerDecision {
  return cutOver ? 'rollback' : DECISION_OF_OUTCOME[outcome];
}
