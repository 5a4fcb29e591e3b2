import type { Contract, Signal } from '../contract/contract-schema';
import type { Verdict, VerdictStatus } from '../rules/verdict';
import { kindOf } from '../signals/signal-kinds';
import type { SignalState, SignalSummary, WatchState } from './watch-state';

/**
 * What the evaluator concludes after an evaluation:
 * - `continue`: keep watching;
 * - `breach`: a confirmed breach, with the evidence (the verdicts of the confirming signals);
 * - `promote`: the bake ended with every signal passing on enough samples;
 * - `inconclusive`: the bake ended without enough evidence either way (never a silent pass);
 * - `escalate`: a source kept failing (`maxConsecutiveErrors`): a human must look.
 */
export type Decision =
  | { readonly type: 'continue'; readonly reason: string }
  | {
      readonly type: 'breach';
      readonly signals: readonly string[];
      readonly evidence: readonly Verdict[];
      readonly reason: string;
    }
  | {
      readonly type: 'promote';
      readonly evidence: readonly Verdict[];
      readonly reason: string;
      /**
       * The bake passed, but an incident the baseline health check saw under way at the deploy
       * was still going at the bake's start (evaluation/baseline-incident.ts): the release is
       * kept and the incident routed. Absent otherwise.
       */
      readonly incident?: { readonly signal: string; readonly reason: string };
    }
  | {
      readonly type: 'inconclusive';
      readonly missing: readonly string[];
      readonly evidence: readonly Verdict[];
      readonly reason: string;
      /**
       * Only traffic was missing: every signal that did not pass is below its sample floor on
       * fresh data (nothing breaching, failing or stale).
       */
      readonly insufficientTraffic?: boolean;
    }
  | {
      readonly type: 'escalate';
      readonly signals: readonly string[];
      readonly evidence: readonly Verdict[];
      readonly reason: string;
    };

/**
 * Updates a signal's counters with this evaluation's status. A breach extends the breach run;
 * `error` and `no-data` are not evidence either way, so they hold the run (neither extend nor
 * reset it); a pass resets it. Errors count separately towards escalation.
 */
export function updateCounters(
  previous: SignalState,
  status: VerdictStatus,
  now: number,
): Pick<SignalState, 'consecutiveBreaches' | 'breachSince' | 'consecutiveErrors'> {
  switch (status) {
    case 'breach':
      return {
        consecutiveBreaches: previous.consecutiveBreaches + 1,
        breachSince: previous.breachSince ?? now,
        consecutiveErrors: 0,
      };
    case 'pass':
      return { consecutiveBreaches: 0, breachSince: null, consecutiveErrors: 0 };
    case 'error':
      return {
        consecutiveBreaches: previous.consecutiveBreaches,
        breachSince: previous.breachSince,
        consecutiveErrors: previous.consecutiveErrors + 1,
      };
    case 'no-data':
      return {
        consecutiveBreaches: previous.consecutiveBreaches,
        breachSince: previous.breachSince,
        consecutiveErrors: 0,
      };
  }
}

/** Whether a signal's breach has held long enough for the policy to count it. */
export function isConfirmed(signal: Signal, state: SignalState, status: VerdictStatus, now: number): boolean {
  return (
    status === 'breach' &&
    state.consecutiveBreaches >= signal.sustain.evaluations &&
    state.breachSince !== null &&
    now - state.breachSince >= signal.sustain.seconds * 1000
  );
}

/** Whether a signal confirms a rollback alone. Health signals do unless configured otherwise. */
export function isAuthoritative(signal: Signal): boolean {
  return signal.authoritative ?? kindOf(signal).authoritative;
}

/**
 * Applies the confirmation policy to this evaluation's summaries: an authoritative signal
 * confirms alone; otherwise at least `k` confirmed signals in this same evaluation. Then
 * source failures past `maxConsecutiveErrors` escalate; at the end of the bake every signal
 * must pass for a promotion, else the result is inconclusive.
 */
export function decide(
  contract: Contract,
  watch: WatchState,
  summaries: readonly SignalSummary[],
  now: number,
): Decision {
  const confirmed = summaries.filter((s) => s.confirmed);
  const authoritative = confirmed.filter((s) => s.authoritative);
  const needed = Math.min(contract.confirmation.k, summaries.length);
  if (authoritative.length > 0 || confirmed.length >= needed) {
    const by = authoritative.length > 0 ? authoritative : confirmed;
    const evidence = by.flatMap((s) => s.verdicts.filter((v) => v.status === 'breach'));
    const lead = evidence[0];
    const how =
      authoritative.length > 0
        ? `authoritative signal ${by.map((s) => s.signal).join(', ')} confirmed alone`
        : `${confirmed.length} of ${summaries.length} signals confirmed (k=${needed})`;
    return {
      type: 'breach',
      signals: by.map((s) => s.signal),
      evidence,
      reason: `${how}: ${lead ? `${lead.signal}${lead.segment ? ` [${lead.segment}]` : ''}: ${lead.reason}` : 'breach'}`,
    };
  }
  const failing = summaries.filter((s) => s.consecutiveErrors >= contract.confirmation.maxConsecutiveErrors);
  if (failing.length > 0) {
    const evidence = failing.flatMap((s) => s.verdicts.filter((v) => v.status === 'error'));
    return {
      type: 'escalate',
      signals: failing.map((s) => s.signal),
      evidence,
      reason: `source failing for ${failing.map((s) => `${s.signal} (${s.consecutiveErrors} evaluations in a row)`).join(', ')}: ${evidence[0]?.reason ?? 'error'}`,
    };
  }
  if (now >= watch.bakeEndsAt) {
    const evidence = summaries.flatMap((s) => s.verdicts);
    const missing = summaries.filter((s) => s.status !== 'pass');
    if (missing.length === 0) {
      return {
        type: 'promote',
        evidence,
        reason: `${watch.purpose === 'bake' ? 'bake' : 'verification'} complete: all ${summaries.length} signals pass`,
      };
    }
    const insufficientTraffic = missing.every(waitsForTraffic);
    const longest = watch.deployAt + contract.verification.maxWindowSeconds * 1000;
    if (watch.purpose === 'verify' && insufficientTraffic && now < longest) {
      // Nothing but traffic is missing: keep verifying (up to maxWindowSeconds), and say so.
      return {
        type: 'continue',
        reason: `waiting for traffic (up to ${Math.max(0, Math.ceil((longest - now) / 1000))} s more): ${missing
          .map((s) => `${s.signal} ${trafficOf(s)}`)
          .join('; ')}`,
      };
    }
    return {
      type: 'inconclusive',
      missing: missing.map((s) => s.signal),
      evidence,
      reason: `${insufficientTraffic ? 'not enough traffic' : 'not enough evidence'} at the end of the ${
        watch.purpose === 'bake' ? 'bake' : 'verification window'
      }: ${missing.map((s) => `${s.signal} is ${s.status}${reasonOf(s)}`).join('; ')}`,
      ...(insufficientTraffic ? { insufficientTraffic: true } : {}),
    };
  }
  const breaching = summaries.filter((s) => s.status === 'breach');
  return {
    type: 'continue',
    reason:
      breaching.length > 0
        ? `breach not yet confirmed on ${breaching.map((s) => s.signal).join(', ')}`
        : `${Math.max(0, Math.ceil((watch.bakeEndsAt - now) / 1000))} s of ${watch.purpose === 'bake' ? 'bake' : 'verification'} left`,
  };
}

/** A signal held back only by its sample floor: every non-passing verdict wants more traffic. */
function waitsForTraffic(summary: SignalSummary): boolean {
  if (summary.status !== 'no-data') return false;
  const blocking = summary.verdicts.filter((v) => v.status !== 'pass' && v.segment === undefined);
  return blocking.length > 0 && blocking.every((v) => v.status === 'no-data' && v.insufficient !== undefined);
}

function trafficOf(summary: SignalSummary): string {
  const v = summary.verdicts.find((x) => x.insufficient !== undefined);
  return v?.insufficient
    ? `${Math.round(v.insufficient.samples)} of ${Math.round(v.insufficient.needed)} samples`
    : 'below its floor';
}

function reasonOf(summary: SignalSummary): string {
  const v = summary.verdicts.find((x) => x.status === summary.status);
  return v ? ` (${v.reason})` : '';
}
