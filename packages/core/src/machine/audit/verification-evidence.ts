import type { Contract } from '../../contract/contract-schema';
import type { VerificationEvidence } from '../../ports/artifact-store';
import { finiteOrNull } from '../../rules/verdict';
import { kindOf } from '../../signals/signal-kinds';
import type { MachineSnapshot } from '../machine-state';

/**
 * What a promoted artifact's verification record says about its bake: how long, how much
 * traffic, and the aggregate verdict of each signal at the deciding evaluation.
 */
export function verificationEvidence(s: MachineSnapshot, contract: Contract): VerificationEvidence {
  const decision = s.lastDecision;
  const signals = (decision && 'evidence' in decision ? decision.evidence : []).filter(
    (v) => v.segment === undefined,
  );
  const requests = signals.find(
    (v) => v.signal === contract.signals.find((x) => kindOf(x).counts?.events === 'errors')?.id,
  )?.samples;
  const bakeSeconds = Math.round(
    (s.bake.lastEvaluatedAt ?? s.bake.bakeEndsAt) / 1000 - s.deploy.deployedAt / 1000,
  );
  return {
    summary: `baked ${bakeSeconds} s${requests === undefined ? '' : `, ${Math.round(requests)} requests`}; all ${contract.signals.length} signals pass`,
    bakeSeconds,
    signals: signals.map((v) => ({
      signal: v.signal,
      verdict: v.status,
      value: finiteOrNull(v.value),
      samples: v.samples,
    })),
  };
}
