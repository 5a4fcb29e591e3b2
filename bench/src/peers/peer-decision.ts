import type { ControllerDecision, Scenario } from '@rollgate/testkit/scenarios';

/** What a controller (Rollgate or a peer emulation) decided on one scenario. */
export interface Decision {
  readonly decision: ControllerDecision;
  /** Step of the decision; `null` when the bake ended without one (the version is kept). */
  readonly decidedAtStep: number | null;
  /** The signal behind the decision (`error-rate`, `latency`, `memory`, `health`, `no-data`). */
  readonly signal: string | null;
  readonly reason: string;
}

/** A pure decision rule over a scenario. */
export type PeerRule<Options> = (scenario: Scenario, options: Options) => Decision;

/** The decision of a controller that never acted. */
export function kept(reason: string): Decision {
  return { decision: 'keep', decidedAtStep: null, signal: null, reason };
}
