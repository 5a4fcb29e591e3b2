import type { Scenario } from '@rollgate/testkit/scenarios';
import { argoRollouts } from './argo-rollouts';
import { flagger } from './flagger';
import { kayenta } from './kayenta';
import type { Decision } from './peer-decision';

/** A named peer configuration, as it appears in the benchmark table. */
export interface PeerController {
  readonly name: string;
  readonly decide: (scenario: Scenario) => Decision;
}

/**
 * The peer configurations compared with Rollgate: Flagger at `threshold` 1 and 5, Argo Rollouts
 * at `failureLimit` 0 (its default) and 4 (the same tolerance as Flagger's 5), Kayenta judging
 * every 5 minutes and once at the end of the bake.
 */
export const PEERS: readonly PeerController[] = [
  { name: 'Flagger (threshold 1)', decide: (s) => flagger(s, { threshold: 1 }) },
  { name: 'Flagger (threshold 5)', decide: (s) => flagger(s, { threshold: 5 }) },
  { name: 'Argo Rollouts (failureLimit 0)', decide: (s) => argoRollouts(s, { failureLimit: 0 }) },
  { name: 'Argo Rollouts (failureLimit 4)', decide: (s) => argoRollouts(s, { failureLimit: 4 }) },
  { name: 'Kayenta (every 5 min)', decide: (s) => kayenta(s, { intervalMinutes: 5 }) },
  { name: 'Kayenta (end of bake)', decide: (s) => kayenta(s, { intervalMinutes: Number.POSITIVE_INFINITY }) },
];
