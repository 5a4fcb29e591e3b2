import type { Contract } from '../contract/contract-schema';
import type { Decision } from '../evaluation/confirmation';
import type { OnsetFinding } from '../evaluation/onset';
import { createWatchState, type WatchState } from '../evaluation/watch-state';
import type { ArtifactRef } from '../ports/executor';
import { appendEvaluation } from './audit/chart-series';
import { verificationEvidence } from './audit/verification-evidence';
import { judgeControl } from './control-judgement';
import { failingArtifact } from './failing-artifact';
import type {
  Command,
  ControlRecord,
  DeployEvent,
  MachineEvent,
  MachineSnapshot,
  RetryPoint,
  RollbackGuard,
  Transition,
  WatchOptions,
} from './machine-state';
import { enter, evaluateAt, iso, issue, unchanged } from './machine-steps';
import { TERMINAL_STATES } from './state-table';
import { continueEnding, endWatch, isEndingEvent } from './watch-ending';

/** Attempts at locating a breach onset before the validation gate gives up and escalates. */
const MAX_VALIDATION_ATTEMPTS = 3;

/** Everything a new watch starts from. */
export interface StartInput {
  readonly watchId: string;
  readonly contract: Contract;
  readonly deploy: DeployEvent;
  readonly options: WatchOptions;
  readonly guard: RollbackGuard;
  readonly now: number;
}

/** The first snapshot of a watch: identify the running artifact, then watch. */
export function startWatch(input: StartInput): Transition {
  const bake = createWatchState(input.contract, input.deploy.deployedAt, {
    purpose: 'bake',
    durationSeconds:
      input.options.weights && input.options.bakeSecondsPerStep
        ? input.options.bakeSecondsPerStep
        : input.contract.bakeSeconds,
  });
  const commands: Command[] = [{ type: 'identify-current' }];
  const snapshot: MachineSnapshot = {
    schema: 'rollgate.machine/v1',
    watchId: input.watchId,
    service: input.contract.service,
    state: 'Starting',
    startedAt: input.now,
    deploy: input.deploy,
    options: input.options,
    guard: input.guard,
    watched: null,
    bake,
    verify: null,
    stepIndex: 0,
    extensions: 0,
    lastDecision: null,
    breach: null,
    validationAttempts: 0,
    onset: null,
    target: null,
    operationId: null,
    cutover: null,
    recovery: null,
    verification: null,
    phases: [
      {
        state: 'Starting',
        at: input.now,
        reason: `watching ${input.deploy.artifactId} deployed at ${iso(input.deploy.deployedAt)}`,
      },
    ],
    series: {},
    notifications: [],
    outcome: null,
    reason: null,
    pending: commands,
    auditWritten: false,
    auditAttempts: 0,
  };
  return { snapshot, commands };
}

/** Which pending command each event answers. */
const ANSWERS: Readonly<Record<Exclude<MachineEvent['type'], 'kill-switch' | 'control'>, Command['type']>> = {
  'current-identified': 'identify-current',
  'current-failed': 'identify-current',
  'weight-set': 'set-weight',
  'weight-failed': 'set-weight',
  evaluated: 'evaluate',
  'onset-found': 'find-onset',
  'target-retrieved': 'retrieve-target',
  'retrieval-failed': 'retrieve-target',
  'cutover-done': 'cutover',
  'cutover-failed': 'cutover',
  'gate-passed': 'await-ready',
  'gate-failed': 'await-ready',
  'verification-recorded': 'record-verification',
  'verification-failed': 'record-verification',
  'guard-saved': 'save-guard',
  notified: 'notify',
  'audit-written': 'write-audit',
  'audit-failed': 'write-audit',
};

/**
 * The rollback machine: a pure function from a snapshot and an event to the next snapshot and
 * the commands to run. It performs nothing itself. An event that does not answer the command
 * at the head of `pending` is ignored (the snapshot is returned unchanged), so replays and
 * stray events after a crash cannot move the machine.
 */
export function transition(snapshot: MachineSnapshot, event: MachineEvent, contract: Contract): Transition {
  if (event.type === 'control') return onControl(snapshot, event, contract);
  if (event.type === 'kill-switch') {
    if (TERMINAL_STATES.has(snapshot.state)) return unchanged(snapshot);
    const reason = `kill switch engaged: ${event.reason}; Rollgate stopped in ${snapshot.state} and changed nothing further`;
    const resume: RetryPoint = { state: snapshot.state, step: 'resume', pending: snapshot.pending };
    return endWatch({ ...snapshot, pending: [] }, 'Halted', reason, event.at, contract, { retry: resume });
  }
  if (snapshot.pending[0]?.type !== ANSWERS[event.type]) return unchanged(snapshot);
  const s: MachineSnapshot = { ...snapshot, pending: snapshot.pending.slice(1) };
  if (isEndingEvent(event)) return continueEnding(s, event, contract);
  switch (s.state) {
    case 'Starting':
      return onStarting(s, event, contract);
    case 'Watching':
      return onWatching(s, event, contract);
    case 'Validating':
      return onValidating(s, event, contract);
    case 'Retrieving':
      return onRetrieving(s, event, contract);
    case 'CuttingOver':
      return onCuttingOver(s, event, contract);
    case 'Verifying':
      return onVerifying(s, event, contract);
    case 'Promoting':
      return onPromoting(s, event, contract);
    default:
      return unchanged(snapshot);
  }
}

function onStarting(s: MachineSnapshot, event: MachineEvent, contract: Contract): Transition {
  let watched: ArtifactRef;
  let reason: string;
  if (event.type === 'current-identified') {
    watched = event.artifact;
    reason =
      event.artifact.id === s.deploy.artifactId
        ? `${event.artifact.id} is serving`
        : `the executor reports ${event.artifact.id} serving, the deploy event named ${s.deploy.artifactId}; watching what is serving`;
  } else if (event.type === 'current-failed') {
    watched = { id: s.deploy.artifactId, ...(s.deploy.schema ? { schema: s.deploy.schema } : {}) };
    reason = `could not ask the executor what is serving (${event.error.code}: ${event.error.message}); watching ${s.deploy.artifactId} from the deploy event`;
  } else {
    return unchanged(s);
  }
  if (s.deploy.schema && !watched.schema) watched = { ...watched, schema: s.deploy.schema };
  const next = enter({ ...s, watched }, 'Watching', event.at, reason);
  const weights = s.options.weights;
  if (weights && weights.length > 0) {
    return issue(next, [
      { type: 'set-weight', weight: weights[0] as number, operationId: `${s.watchId}/weight/0` },
    ]);
  }
  return issue(next, [evaluateAt('bake', next.bake, event.at, s.options.settleMs, contract)]);
}

function onWatching(s: MachineSnapshot, event: MachineEvent, contract: Contract): Transition {
  if (event.type === 'weight-set' && s.decidedBy?.action !== 'promote') {
    const next = {
      ...s,
      phases: [
        ...s.phases,
        {
          state: 'Watching' as const,
          at: event.at,
          reason: `traffic weight ${event.weight}% on ${failingArtifact(s).id}`,
        },
      ],
    };
    return issue(next, [evaluateAt('bake', next.bake, event.at, s.options.settleMs, contract)]);
  }
  if (event.type === 'weight-set' && s.decidedBy?.action === 'promote') {
    return humanPromotion(s, s.decidedBy, event.at, contract);
  }
  if (event.type === 'weight-failed') {
    return endWatch(
      s,
      'Escalated',
      `could not set the traffic weight: ${event.error.code}: ${event.error.message}`,
      event.at,
      contract,
      { retry: { state: 'Watching', step: 'weight', pending: [] } },
    );
  }
  if (event.type !== 'evaluated' || event.watch.purpose !== 'bake') return unchanged(s);
  const decision = event.evaluation.decision;
  const series = appendEvaluation(s.series, event.evaluation);
  if (decision.type === 'continue') {
    // Almost every step: the watch state, its chart points, the decision and the next
    // evaluation in one copy of the snapshot (the keys in the order the copies gave them).
    const pending = [...s.pending, evaluateAt('bake', event.watch, event.at, s.options.settleMs, contract)];
    return {
      snapshot: { ...s, bake: event.watch, series, lastDecision: decision, pending },
      commands: pending,
    };
  }
  const base: MachineSnapshot = { ...s, bake: event.watch, series, lastDecision: decision };
  switch (decision.type) {
    case 'breach': {
      // A new confirmed breach is a new validation: its unreadable looks are counted afresh (a
      // watch the trend explained looks at every confirmed breach, and its earlier looks must
      // not leave one failed read to escalate it).
      const next = enter(
        {
          ...base,
          validationAttempts: 0,
          breach: {
            confirmedAt: event.at,
            signals: decision.signals,
            evidence: decision.evidence,
            reason: decision.reason,
          },
        },
        'Validating',
        event.at,
        `breach confirmed: ${decision.reason}`,
      );
      return issue(next, [findOnsetOf(next, contract)]);
    }
    case 'escalate':
      return endWatch(base, 'Escalated', decision.reason, event.at, contract);
    case 'promote': {
      // The bake passed, but the incident the baseline health check saw under way at the deploy
      // was still going at its start: what predates the deploy is routed, the release kept.
      if (decision.incident !== undefined) {
        return endWatch(base, 'IncidentRouted', decision.reason, event.at, contract);
      }
      const weights = s.options.weights;
      if (weights && s.stepIndex < weights.length - 1 && s.options.bakeSecondsPerStep) {
        const stepIndex = s.stepIndex + 1;
        const bake: WatchState = { ...base.bake, bakeEndsAt: event.at + s.options.bakeSecondsPerStep * 1000 };
        const next = {
          ...base,
          bake,
          stepIndex,
          phases: [
            ...base.phases,
            {
              state: 'Watching' as const,
              at: event.at,
              reason: `step ${stepIndex} of ${weights.length}: ${decision.reason}`,
            },
          ],
        };
        return issue(next, [
          {
            type: 'set-weight',
            weight: weights[stepIndex] as number,
            operationId: `${s.watchId}/weight/${stepIndex}`,
          },
        ]);
      }
      return promote(base, decision, event.at, contract, false);
    }
    case 'inconclusive': {
      const policy = contract.promotion;
      if (policy.inconclusive === 'extend' && s.extensions < policy.maxExtensions) {
        const bake: WatchState = {
          ...base.bake,
          bakeEndsAt: Math.max(base.bake.bakeEndsAt, event.at) + policy.extendSeconds * 1000,
        };
        const next = {
          ...base,
          bake,
          extensions: s.extensions + 1,
          phases: [
            ...base.phases,
            {
              state: 'Watching' as const,
              at: event.at,
              reason: `bake extended by ${policy.extendSeconds} s (${s.extensions + 1}/${policy.maxExtensions}): ${decision.reason}`,
            },
          ],
        };
        return issue(next, [evaluateAt('bake', next.bake, event.at, s.options.settleMs, contract)]);
      }
      if (policy.inconclusive === 'promote') return promote(base, decision, event.at, contract, true);
      return endWatch(
        base,
        'Held',
        `inconclusive, kept for a human to decide: ${decision.reason}`,
        event.at,
        contract,
      );
    }
  }
}

function promote(
  s: MachineSnapshot,
  decision: Decision,
  at: number,
  contract: Contract,
  anyway: boolean,
): Transition {
  const watched = failingArtifact(s);
  if (anyway || s.options.dryRun) {
    const why = anyway
      ? 'promoted on inconclusive evidence (policy: promote anyway); no verification recorded'
      : 'dry run: no verification recorded';
    return endWatch(
      { ...s, verification: { recorded: false, error: why } },
      'Promoted',
      `${decision.reason}; ${why}`,
      at,
      contract,
    );
  }
  const next = enter(s, 'Promoting', at, decision.reason);
  return issue(next, [
    { type: 'record-verification', artifact: watched, evidence: verificationEvidence(s, contract) },
  ]);
}

function onPromoting(s: MachineSnapshot, event: MachineEvent, contract: Contract): Transition {
  const reason = s.lastDecision?.reason ?? 'bake complete';
  if (event.type === 'verification-recorded') {
    return endWatch(
      { ...s, verification: { recorded: true, keyId: event.keyId } },
      'Promoted',
      `${reason}; verification recorded`,
      event.at,
      contract,
    );
  }
  if (event.type === 'verification-failed') {
    return endWatch(
      { ...s, verification: { recorded: false, error: `${event.error.code}: ${event.error.message}` } },
      'Promoted',
      `${reason}; the verification could not be recorded (${event.error.code}), so this version will not be a rollback target`,
      event.at,
      contract,
    );
  }
  return unchanged(s);
}

function onValidating(s: MachineSnapshot, event: MachineEvent, contract: Contract): Transition {
  if (event.type !== 'onset-found') return unchanged(s);
  const finding = event.finding;
  const attempts = s.validationAttempts + 1;
  if (finding.status === 'unknown') {
    if (attempts < MAX_VALIDATION_ATTEMPTS) {
      return issue({ ...s, validationAttempts: attempts, onset: finding }, [findOnsetOf(s, contract)]);
    }
    return endWatch(
      { ...s, validationAttempts: attempts, onset: finding },
      'Escalated',
      `breach confirmed but its onset cannot be checked against the deploy (${finding.reason}); not rolling back blind`,
      event.at,
      contract,
    );
  }
  const next = { ...s, validationAttempts: attempts, onset: finding };
  if (finding.explained !== undefined) return explainedByTrend(next, finding, event.at, contract);
  if (finding.preexisting) {
    return endWatch(
      next,
      'IncidentRouted',
      finding.ambiguous
        ? `the breach may have begun before the deploy, and a rollback cannot fix what did; routed as an incident: ${finding.reason}`
        : `the breach began before the deploy, so rolling back would fix nothing: ${finding.reason}`,
      event.at,
      contract,
    );
  }
  return issue(enter(next, 'Retrieving', event.at, `breach attributed to the deploy: ${finding.reason}`), [
    retrieveTargetFor(s),
  ]);
}

function onRetrieving(s: MachineSnapshot, event: MachineEvent, contract: Contract): Transition {
  if (event.type === 'retrieval-failed') {
    return endWatch(
      s,
      'Halted',
      `cannot find the rollback target (${event.error.code}: ${event.error.message}); nothing was changed`,
      event.at,
      contract,
    );
  }
  if (event.type !== 'target-retrieved') return unchanged(s);
  const failing = failingArtifact(s);
  // The cooldown and the no-chained-rollbacks rule guard automatic rollbacks; a human abort
  // is a decision to roll back anyway. A retry would meet the same guard, so none is offered.
  const last = s.decidedBy?.action === 'abort' ? null : s.guard.lastRollback;
  if (last && last.to === failing.id) {
    return endWatch(
      s,
      'Escalated',
      `${failing.id} was itself restored by the rollback of watch ${last.watchId}; Rollgate does not chain rollbacks`,
      event.at,
      contract,
      { retry: null },
    );
  }
  if (last && event.at - last.at < s.options.cooldownSeconds * 1000) {
    return endWatch(
      s,
      'Escalated',
      `a rollback of this service happened ${Math.round((event.at - last.at) / 1000)} s ago (cooldown ${s.options.cooldownSeconds} s); not rolling back again automatically`,
      event.at,
      contract,
      { retry: null },
    );
  }
  const verified = event.verified;
  if (verified === null) {
    return endWatch(
      s,
      'Halted',
      `no verified artifact other than ${failing.id} to roll back to; nothing was changed`,
      event.at,
      contract,
    );
  }
  if (!verified.signatureValid) {
    return endWatch(
      s,
      'Halted',
      `the newest verified artifact ${verified.record.artifact.id} has an invalid signature (${verified.problem ?? 'unverifiable'}); nothing was changed`,
      event.at,
      contract,
    );
  }
  const target = event.candidates.find((c) => c.id === verified.record.artifact.id);
  if (!target) {
    return endWatch(
      s,
      'Halted',
      `the last verified artifact ${verified.record.artifact.id} is not available on the platform (candidates: ${event.candidates.map((c) => c.id).join(', ') || 'none'}); nothing was changed`,
      event.at,
      contract,
    );
  }
  const minCompatible = failing.schema?.minCompatible;
  const targetSchema = target.schema?.version ?? verified.record.artifact.schema?.version;
  if (minCompatible !== undefined && (targetSchema === undefined || targetSchema < minCompatible)) {
    return endWatch(
      { ...s, target },
      'Halted',
      `${failing.id} shipped a migration incompatible with schema ${targetSchema ?? 'unknown'} of ${target.id} (needs >= ${minCompatible}); rolling back would break it, nothing was changed`,
      event.at,
      contract,
    );
  }
  if (s.options.dryRun) {
    return endWatch(
      { ...s, target },
      'DryRunComplete',
      `dry run: would roll back ${failing.id} -> ${target.id}; nothing was executed`,
      event.at,
      contract,
    );
  }
  const operationId = `${s.watchId}/rollback`;
  const next = enter(
    {
      ...s,
      target,
      operationId,
      cutover: { requestedAt: event.at, receipt: null, completedAt: null, gate: null, error: null },
    },
    'CuttingOver',
    event.at,
    `cutting over ${failing.id} -> ${target.id} (operation ${operationId})`,
  );
  return issue(next, [{ type: 'cutover', target, operationId }]);
}

function onCuttingOver(s: MachineSnapshot, event: MachineEvent, contract: Contract): Transition {
  const cutover = s.cutover ?? {
    requestedAt: event.at,
    receipt: null,
    completedAt: null,
    gate: null,
    error: null,
  };
  switch (event.type) {
    case 'cutover-done': {
      const next = { ...s, cutover: { ...cutover, receipt: event.receipt, completedAt: event.at } };
      return issue(next, [{ type: 'await-ready', target: s.target ?? event.receipt.to }]);
    }
    case 'cutover-failed':
      return endWatch(
        { ...s, cutover: { ...cutover, error: event.error } },
        'Escalated',
        `cutover failed (${event.error.code}: ${event.error.message}); no retry, a human must look`,
        event.at,
        contract,
      );
    case 'gate-passed': {
      const verify = createWatchState(contract, event.at, { purpose: 'verify', baseline: s.bake.baseline });
      const next = enter(
        {
          ...s,
          verify,
          cutover: { ...cutover, gate: { ok: true, detail: event.report.detail, at: event.at } },
        },
        'Verifying',
        event.at,
        `traffic is on ${s.target?.id ?? '?'}; readiness gate passed: ${event.report.detail}`,
      );
      return issue(next, [evaluateAt('verify', verify, event.at, s.options.settleMs, contract)]);
    }
    case 'gate-failed':
      return endWatch(
        {
          ...s,
          cutover: {
            ...cutover,
            gate: { ok: false, detail: event.error.message, at: event.at },
            error: event.error,
          },
        },
        'Escalated',
        `the readiness gate failed after the cutover (${event.error.code}: ${event.error.message})`,
        event.at,
        contract,
      );
    default:
      return unchanged(s);
  }
}

function onVerifying(s: MachineSnapshot, event: MachineEvent, contract: Contract): Transition {
  if (event.type !== 'evaluated' || event.watch.purpose !== 'verify') return unchanged(s);
  const decision = event.evaluation.decision;
  const series = appendEvaluation(s.series, event.evaluation);
  if (decision.type === 'continue') {
    // As a bake's step (onWatching): one copy of the snapshot.
    const pending = [...s.pending, evaluateAt('verify', event.watch, event.at, s.options.settleMs, contract)];
    return {
      snapshot: { ...s, verify: event.watch, series, lastDecision: decision, pending },
      commands: pending,
    };
  }
  const base: MachineSnapshot = { ...s, verify: event.watch, series, lastDecision: decision };
  const readings = event.evaluation.signals.flatMap((x) => x.verdicts);
  // The rollback happened whatever the verification finds: the guard records it.
  const guard: RollbackGuard = {
    lastRollback: { at: event.at, watchId: s.watchId, from: failingArtifact(s).id, to: s.target?.id ?? '?' },
  };
  switch (decision.type) {
    case 'promote': {
      const next = {
        ...base,
        guard,
        recovery: { verified: true, status: 'verified' as const, reason: decision.reason, readings },
      };
      return endWatch(
        next,
        'RolledBack',
        `rolled back ${failingArtifact(s).id} -> ${s.target?.id ?? '?'}: ${rollbackCause(s)}; recovery verified`,
        event.at,
        contract,
        { before: [{ type: 'save-guard', guard }] },
      );
    }
    default: {
      if (decision.type === 'inconclusive' && decision.insufficientTraffic) {
        // No breach on the restored artifact, only too little traffic to pass it: the rollback
        // stands and a human is told, not paged (the audit says which it was).
        const next = {
          ...base,
          guard,
          recovery: {
            verified: false,
            status: 'insufficient-traffic' as const,
            reason: decision.reason,
            readings,
          },
        };
        return endWatch(
          next,
          'RolledBack',
          `rolled back ${failingArtifact(s).id} -> ${s.target?.id ?? '?'}: ${s.breach?.reason ?? ''}; recovery not verified for want of traffic, no breach seen: ${decision.reason}`,
          event.at,
          contract,
          { before: [{ type: 'save-guard', guard }] },
        );
      }
      const next = {
        ...base,
        guard,
        recovery: {
          verified: false,
          status: decision.type === 'breach' ? ('not-recovered' as const) : ('unverifiable' as const),
          reason: decision.reason,
          readings,
        },
      };
      return endWatch(
        next,
        'Escalated',
        `rolled back to ${s.target?.id ?? '?'} but recovery is not verified: ${decision.reason}`,
        event.at,
        contract,
        { before: [{ type: 'save-guard', guard }] },
      );
    }
  }
}

/**
 * A human request (promote, abort, retry) reaching the watch. Judged by {@link judgeControl};
 * applied or refused, it is recorded with who asked and why. A request already answered is
 * ignored (a resumed process may see it again); one that arrives while the watch records its
 * end waits (the snapshot is returned unchanged). Reopening a halted, escalated or held watch
 * makes its next ending a new audit revision.
 */
function onControl(
  s: MachineSnapshot,
  event: Extract<MachineEvent, { type: 'control' }>,
  contract: Contract,
): Transition {
  const request = event.request;
  const controls = s.controls ?? [];
  if (controls.some((c) => c.id === request.id)) return unchanged(s);
  const judged =
    request.watchId === s.watchId
      ? judgeControl(s, request.action)
      : { accepted: false, deferred: false, detail: `the request is for watch ${request.watchId}` };
  if (judged.deferred) return unchanged(s);
  const record: ControlRecord = {
    ...request,
    at: event.at,
    state: s.state,
    result: judged.accepted ? 'applied' : 'refused',
    detail: judged.detail,
  };
  const answered: MachineSnapshot = { ...s, controls: [...controls, record] };
  if (!judged.accepted) return { snapshot: answered, commands: answered.pending };
  const reopened: MachineSnapshot = TERMINAL_STATES.has(s.state)
    ? {
        ...answered,
        outcome: null,
        reason: null,
        revision: (s.revision ?? 1) + 1,
        auditWritten: false,
        auditAttempts: 0,
      }
    : answered;
  const who = `${request.action === 'retry' ? 'retried' : request.action === 'abort' ? 'aborted' : 'promoted'} by ${request.actor}${request.reason ? ` (${request.reason})` : ''}`;
  const at = event.at;
  switch (request.action) {
    case 'promote': {
      const weights = s.options.weights;
      const last = weights ? weights.length - 1 : 0;
      if (weights && s.stepIndex < last) {
        const next = enter(
          { ...reopened, decidedBy: record, stepIndex: last, pending: [] },
          'Watching',
          at,
          `${who}: setting the traffic weight to ${weights[last]}% before keeping it`,
        );
        return issue(next, [
          { type: 'set-weight', weight: weights[last] as number, operationId: `${s.watchId}/weight/${last}` },
        ]);
      }
      return humanPromotion({ ...reopened, pending: [] }, record, at, contract);
    }
    case 'abort': {
      if (s.state === 'Retrieving') {
        return {
          snapshot: {
            ...answered,
            decidedBy: record,
            phases: [...s.phases, { state: 'Retrieving', at, reason: `${who}: ${judged.detail}` }],
          },
          commands: answered.pending,
        };
      }
      const failing = failingArtifact(s).id;
      const next = enter(
        { ...reopened, decidedBy: record, pending: [] },
        'Retrieving',
        at,
        `${who}: rolling ${failing} back to the last verified artifact`,
      );
      return issue(next, [retrieveTargetFor(s)]);
    }
    case 'retry':
      return resumeAt({ ...reopened, pending: [], retryFrom: null }, s.retryFrom ?? null, who, at, contract);
  }
}

/** Keeps the release on a human's word: Promoted, without a verification record. */
function humanPromotion(s: MachineSnapshot, by: ControlRecord, at: number, contract: Contract): Transition {
  const failing = failingArtifact(s).id;
  const note = 'a human promotion is not a verification: the evidence alone had not verified it';
  return endWatch(
    { ...s, decidedBy: by, verification: { recorded: false, error: note } },
    'Promoted',
    `promoted by ${by.actor}${by.reason ? ` (${by.reason})` : ''}: ${failing} is kept without a verification record (${note})`,
    at,
    contract,
  );
}

/** Re-enters the step a halted or escalated watch stopped at. */
function resumeAt(
  s: MachineSnapshot,
  point: RetryPoint | null,
  who: string,
  at: number,
  contract: Contract,
): Transition {
  if (!point) return unchanged(s);
  const attempt = (s.controls ?? []).filter((c) => c.action === 'retry' && c.result === 'applied').length;
  const reason = `${who}: ${point.step === 'resume' ? 'resuming where the kill switch stopped it' : `re-running ${point.step}`}`;
  switch (point.step) {
    case 'resume':
      return issue(enter(s, point.state, at, reason), point.pending);
    case 'weight': {
      const weight = s.options.weights?.[s.stepIndex] ?? 100;
      return issue(enter(s, 'Watching', at, reason), [
        { type: 'set-weight', weight, operationId: `${s.watchId}/weight/${s.stepIndex}/retry-${attempt}` },
      ]);
    }
    case 'bake': {
      const signals = Object.fromEntries(
        Object.entries(s.bake.signals).map(([id, st]) => [id, { ...st, consecutiveErrors: 0 }]),
      );
      const bake: WatchState = { ...s.bake, signals };
      const next = enter({ ...s, bake }, 'Watching', at, reason);
      return issue(next, [evaluateAt('bake', bake, at, s.options.settleMs, contract)]);
    }
    case 'onset': {
      return issue(enter({ ...s, validationAttempts: 0 }, 'Validating', at, reason), [
        findOnsetOf(s, contract),
      ]);
    }
    case 'retrieve': {
      return issue(enter(s, 'Retrieving', at, reason), [retrieveTargetFor(s)]);
    }
    case 'cutover': {
      const target = s.target;
      if (!target) return unchanged(s);
      const operationId = `${s.watchId}/rollback/retry-${attempt}`;
      const next = enter(
        {
          ...s,
          operationId,
          cutover: { requestedAt: at, receipt: null, completedAt: null, gate: null, error: null },
        },
        'CuttingOver',
        at,
        `${reason} to ${target.id} (operation ${operationId})`,
      );
      return issue(next, [{ type: 'cutover', target, operationId }]);
    }
    case 'gate': {
      const target = s.target;
      if (!target || !s.cutover) return unchanged(s);
      const next = enter(
        { ...s, cutover: { ...s.cutover, gate: null, error: null } },
        'CuttingOver',
        at,
        reason,
      );
      return issue(next, [{ type: 'await-ready', target }]);
    }
    case 'verify': {
      const verify = createWatchState(contract, at, { purpose: 'verify', baseline: s.bake.baseline });
      const next = enter({ ...s, verify, recovery: null }, 'Verifying', at, reason);
      return issue(next, [evaluateAt('verify', verify, at, s.options.settleMs, contract)]);
    }
  }
}

/**
 * The validation gate's question for the confirmed breach: its lead signal (and segment) and
 * which of the signal's rules breached, the first in contract order among the breach's
 * evidence, so the onset is located with the method of that rule.
 */
function findOnsetOf(s: MachineSnapshot, contract: Contract): Command {
  const lead = s.breach?.evidence[0];
  const signal = lead?.signal ?? s.breach?.signals[0] ?? '';
  const breached = new Set(
    (s.breach?.evidence ?? []).filter((v) => v.signal === signal && v.status === 'breach').map((v) => v.rule),
  );
  const rule = contract.signals.find((x) => x.id === signal)?.rules.find((r) => breached.has(r.type))?.type;
  // The gate's previous look, where the trend explained the breach: the next look spends less.
  const trend = s.onset?.explained;
  return {
    type: 'find-onset',
    signal,
    ...(lead?.segment ? { segment: lead.segment } : {}),
    ...(rule ? { rule } : {}),
    ...(trend ? { trend } : {}),
  };
}

/**
 * The gate's third answer, "the trend explains the breach" (docs/statistics.md, "Climbs routed
 * as incidents"): keep baking and ask again at the next confirmed breach, or, at the end of the
 * bake, route the climb as the incident it is (it began before the deploy and the bake never
 * stood above it), not a rollback.
 */
function explainedByTrend(
  s: MachineSnapshot,
  finding: OnsetFinding,
  at: number,
  contract: Contract,
): Transition {
  const looks = finding.explained?.look ?? 1;
  if (at >= s.bake.bakeEndsAt) {
    return endWatch(
      s,
      'IncidentRouted',
      `the breach is a climb that began before the deploy, and to the end of the bake (${looks} ${looks === 1 ? 'look' : 'looks'}) the rate never stood above its trend, so rolling back would fix nothing; routed as an incident: ${finding.reason}`,
      at,
      contract,
    );
  }
  const next = enter(s, 'Watching', at, `breach not attributed, keep baking: ${finding.reason}`);
  return issue(next, [evaluateAt('bake', next.bake, at, s.options.settleMs, contract)]);
}

/** Looks for the rollback target: the newest verified artifact that is neither the deploy nor the failing one. */
function retrieveTargetFor(s: MachineSnapshot): Command {
  return { type: 'retrieve-target', excluding: [...new Set([s.deploy.artifactId, failingArtifact(s).id])] };
}

/** Why the watch rolled back: the confirmed breach, or the human who aborted it. */
function rollbackCause(s: MachineSnapshot): string {
  if (s.breach) return s.breach.reason;
  const by = s.decidedBy;
  return by?.action === 'abort'
    ? `aborted by ${by.actor}${by.reason ? ` (${by.reason})` : ''}`
    : 'no breach recorded';
}
