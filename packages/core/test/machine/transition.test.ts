import { describe, expect, it } from 'vitest';
import { defaultSignals } from '../../src/contract/default-contract';
import { parseContract } from '../../src/contract/parse-contract';
import { RollgateError } from '../../src/errors/rollgate-error';
import type { Decision } from '../../src/evaluation/confirmation';
import type { Evaluation } from '../../src/evaluation/evaluator';
import type { WatchState } from '../../src/evaluation/watch-state';
import type { Command, MachineEvent, MachineSnapshot, WatchOptions } from '../../src/machine/machine-state';
import { startWatch, transition } from '../../src/machine/rollback-machine';
import { MACHINE_STATE_NAMES, type MachineStateName, TERMINAL_STATES } from '../../src/machine/state-table';
import type { ArtifactRef } from '../../src/ports/executor';
import type { Verdict } from '../../src/rules/verdict';

// Direct tests of the pure transition function, in the style of xstate's own machine tests: a
// table of (state, event) -> (next state, commands issued), each row one edge of the graph.

const DEPLOY_AT = 1_700_000_000_000;
const contract = parseContract({
  service: 'checkout',
  stepSeconds: 5,
  bakeSeconds: 120,
  warmupSeconds: 30,
  signals: defaultSignals(),
});
/** The same contract, keeping an inconclusive watch for a human instead of extending its bake. */
const holding = { ...contract, promotion: { ...contract.promotion, inconclusive: 'hold' as const } };
const errorSignal = contract.signals.find((s) => s.kind === 'error-rate');
if (!errorSignal) throw new Error('the default contract has an error-rate signal');
const errorRule = errorSignal.rules[0]?.type ?? '';
const options: WatchOptions = {
  dryRun: false,
  cooldownSeconds: 3600,
  settleMs: 0,
  weights: null,
  bakeSecondsPerStep: null,
};
const error = new RollgateError('EXECUTOR_UNAVAILABLE', 'down', { component: 'test' }).toJSON();
const v1: ArtifactRef = { id: 'v1' };
const v2: ArtifactRef = { id: 'v2' };
let clock = DEPLOY_AT;
const at = () => {
  clock += 5_000;
  return clock;
};

function breachVerdict(): Verdict {
  return {
    status: 'breach',
    signal: errorSignal?.id ?? '',
    rule: errorRule,
    value: 0.1,
    threshold: 0.02,
    window: { start: DEPLOY_AT, end: DEPLOY_AT + 5_000 },
    samples: 500,
    reason: 'error rate 10% > 2%',
  };
}

const decisions: Record<Decision['type'], Decision> = {
  continue: { type: 'continue', reason: 'watching' },
  breach: {
    type: 'breach',
    signals: [errorSignal.id],
    evidence: [breachVerdict()],
    reason: 'errors breached',
  },
  promote: { type: 'promote', evidence: [], reason: 'every signal passed' },
  inconclusive: {
    type: 'inconclusive',
    missing: [errorSignal.id],
    evidence: [],
    reason: 'not enough evidence',
  },
  escalate: { type: 'escalate', signals: [errorSignal.id], evidence: [], reason: 'source failing' },
};

function evaluated(s: MachineSnapshot, decision: Decision, purpose: WatchState['purpose']): MachineEvent {
  const watch = purpose === 'bake' ? s.bake : (s.verify ?? s.bake);
  const evaluation: Evaluation = {
    at: clock,
    purpose,
    deployAt: DEPLOY_AT,
    elapsedSeconds: 0,
    remainingSeconds: 0,
    warmingUp: false,
    signals: [],
    decision,
  };
  return { type: 'evaluated', at: at(), watch, evaluation };
}

const events = {
  identified: (): MachineEvent => ({ type: 'current-identified', at: at(), artifact: v2 }),
  identifyFailed: (): MachineEvent => ({ type: 'current-failed', at: at(), error }),
  weightSet: (): MachineEvent => ({ type: 'weight-set', at: at(), weight: 100 }),
  weightFailed: (): MachineEvent => ({ type: 'weight-failed', at: at(), error }),
  onset: (preexisting: boolean, status: 'ok' | 'unknown' = 'ok'): MachineEvent => ({
    type: 'onset-found',
    at: at(),
    finding: {
      status,
      preexisting,
      onsetAt: status === 'ok' ? DEPLOY_AT + 5_000 : null,
      deployAt: DEPLOY_AT,
      method: 'change-point',
      reason: 'onset located',
    },
  }),
  /** The trend explains the breach: keep baking (`look` counts the gate's looks at it). */
  explained: (look: number): MachineEvent => ({
    type: 'onset-found',
    at: at(),
    finding: {
      status: 'ok',
      preexisting: false,
      onsetAt: null,
      deployAt: DEPLOY_AT,
      method: 'change-point',
      reason: 'the trend explains the breach',
      explained: {
        signal: errorSignal.id,
        look,
        level: 0.01,
        fromT: DEPLOY_AT - 600_000,
        windowFrom: DEPLOY_AT - 1_800_000,
      },
    },
  }),
  retrieved: (verified: 'valid' | 'tampered' | 'none' | 'unavailable' = 'valid'): MachineEvent => ({
    type: 'target-retrieved',
    at: at(),
    verified:
      verified === 'none'
        ? null
        : {
            record: {
              service: 'checkout',
              artifact: v1,
              verifiedAt: DEPLOY_AT - 86_400_000,
              evidence: { summary: 'baked', bakeSeconds: 120, signals: [] },
              keyId: 'k',
              algorithm: 'test-only',
              signature: 's',
            },
            signatureValid: verified !== 'tampered',
          },
    candidates: verified === 'unavailable' ? [] : [v1, v2],
  }),
  retrievalFailed: (): MachineEvent => ({ type: 'retrieval-failed', at: at(), error }),
  cutoverDone: (): MachineEvent => ({
    type: 'cutover-done',
    at: at(),
    receipt: { operationId: 'w/rollback', from: v2, to: v1, changed: true, detail: 'switched' },
  }),
  cutoverFailed: (): MachineEvent => ({ type: 'cutover-failed', at: at(), error }),
  gatePassed: (): MachineEvent => ({
    type: 'gate-passed',
    at: at(),
    report: { ready: true, detail: 'ready' },
  }),
  gateFailed: (): MachineEvent => ({ type: 'gate-failed', at: at(), error }),
  recorded: (): MachineEvent => ({ type: 'verification-recorded', at: at(), keyId: 'k' }),
  recordFailed: (): MachineEvent => ({ type: 'verification-failed', at: at(), error }),
  killSwitch: (): MachineEvent => ({ type: 'kill-switch', at: at(), reason: 'operator' }),
};

/** Feeds `steps` (each built from the snapshot it meets) to a fresh watch. */
function drive(steps: readonly ((s: MachineSnapshot) => MachineEvent)[], watch: Partial<WatchOptions> = {}) {
  clock = DEPLOY_AT;
  let s = startWatch({
    watchId: 'w',
    contract,
    deploy: { artifactId: 'v2', deployedAt: DEPLOY_AT },
    options: { ...options, ...watch },
    guard: { lastRollback: null },
    now: DEPLOY_AT,
  }).snapshot;
  for (const step of steps) s = transition(s, step(s), contract).snapshot;
  return s;
}

const toWatching = [events.identified];
const toValidating = [...toWatching, (s: MachineSnapshot) => evaluated(s, decisions.breach, 'bake')];
const toRetrieving = [...toValidating, () => events.onset(false)];
const toCuttingOver = [...toRetrieving, () => events.retrieved()];
const toGate = [...toCuttingOver, events.cutoverDone];
const toVerifying = [...toGate, events.gatePassed];
const toPromoting = [...toWatching, (s: MachineSnapshot) => evaluated(s, decisions.promote, 'bake')];

/** The types of the commands a transition issued, in order. */
const types = (commands: readonly Command[]) => commands.map((c) => c.type);

interface Row {
  readonly from: MachineStateName;
  readonly path: readonly ((s: MachineSnapshot) => MachineEvent)[];
  readonly event: string;
  readonly send: (s: MachineSnapshot) => MachineEvent;
  readonly to: MachineStateName;
  readonly commands: readonly Command['type'][];
  readonly outcome?: string;
  readonly watch?: Partial<WatchOptions>;
  readonly contract?: typeof contract;
}

const ending = ['notify'] as const;
const rows: readonly Row[] = [
  // Starting
  {
    from: 'Starting',
    path: [],
    event: 'current-identified',
    send: events.identified,
    to: 'Watching',
    commands: ['evaluate'],
  },
  {
    from: 'Starting',
    path: [],
    event: 'current-failed',
    send: events.identifyFailed,
    to: 'Watching',
    commands: ['evaluate'],
  },
  {
    from: 'Starting',
    path: [],
    event: 'current-identified (weights)',
    send: events.identified,
    to: 'Watching',
    commands: ['set-weight'],
    watch: { weights: [10, 100], bakeSecondsPerStep: 60 },
  },
  // Watching
  {
    from: 'Watching',
    path: toWatching,
    event: 'evaluated: continue',
    send: (s) => evaluated(s, decisions.continue, 'bake'),
    to: 'Watching',
    commands: ['evaluate'],
  },
  {
    from: 'Watching',
    path: toWatching,
    event: 'evaluated: breach',
    send: (s) => evaluated(s, decisions.breach, 'bake'),
    to: 'Validating',
    commands: ['find-onset'],
  },
  {
    from: 'Watching',
    path: toWatching,
    event: 'evaluated: promote',
    send: (s) => evaluated(s, decisions.promote, 'bake'),
    to: 'Promoting',
    commands: ['record-verification'],
  },
  {
    from: 'Watching',
    path: toWatching,
    event: 'evaluated: promote, with an incident under way at the deploy',
    send: (s) =>
      evaluated(
        s,
        {
          type: 'promote',
          evidence: [],
          reason: 'every signal passed; but baseline unhealthy: the incident was still going',
          incident: { signal: errorSignal.id, reason: 'baseline unhealthy: the incident was still going' },
        },
        'bake',
      ),
    to: 'IncidentRouted',
    commands: [...ending],
    outcome: 'incident-routed',
  },
  {
    from: 'Watching',
    path: toWatching,
    event: 'evaluated: promote (dry run)',
    send: (s) => evaluated(s, decisions.promote, 'bake'),
    to: 'Promoted',
    commands: [...ending],
    outcome: 'promoted',
    watch: { dryRun: true },
  },
  {
    from: 'Watching',
    path: toWatching,
    event: 'evaluated: inconclusive (extend policy)',
    send: (s) => evaluated(s, decisions.inconclusive, 'bake'),
    to: 'Watching',
    commands: ['evaluate'],
  },
  {
    from: 'Watching',
    path: toWatching,
    event: 'evaluated: inconclusive (hold policy)',
    send: (s) => evaluated(s, decisions.inconclusive, 'bake'),
    to: 'Held',
    commands: [...ending],
    outcome: 'kept-on-hold',
    contract: holding,
  },
  {
    from: 'Watching',
    path: toWatching,
    event: 'evaluated: escalate',
    send: (s) => evaluated(s, decisions.escalate, 'bake'),
    to: 'Escalated',
    commands: [...ending],
    outcome: 'escalated',
  },
  {
    from: 'Watching',
    path: [events.identified],
    event: 'weight-set',
    send: events.weightSet,
    to: 'Watching',
    commands: ['evaluate'],
    watch: { weights: [10, 100], bakeSecondsPerStep: 60 },
  },
  {
    from: 'Watching',
    path: [events.identified],
    event: 'weight-failed',
    send: events.weightFailed,
    to: 'Escalated',
    commands: [...ending],
    outcome: 'escalated',
    watch: { weights: [10, 100], bakeSecondsPerStep: 60 },
  },
  {
    from: 'Watching',
    path: toWatching,
    event: 'kill-switch',
    send: events.killSwitch,
    to: 'Halted',
    commands: [...ending],
    outcome: 'halted',
  },
  // Validating
  {
    from: 'Validating',
    path: toValidating,
    event: 'onset-found: after the deploy',
    send: () => events.onset(false),
    to: 'Retrieving',
    commands: ['retrieve-target'],
  },
  {
    from: 'Validating',
    path: toValidating,
    event: 'onset-found: before the deploy',
    send: () => events.onset(true),
    to: 'IncidentRouted',
    commands: [...ending],
    outcome: 'incident-routed',
  },
  {
    from: 'Validating',
    path: toValidating,
    event: 'onset-found: unknown',
    send: () => events.onset(false, 'unknown'),
    to: 'Validating',
    commands: ['find-onset'],
  },
  {
    from: 'Validating',
    path: [...toValidating, () => events.onset(false, 'unknown'), () => events.onset(false, 'unknown')],
    event: 'onset-found: unknown, third time',
    send: () => events.onset(false, 'unknown'),
    to: 'Escalated',
    commands: [...ending],
    outcome: 'escalated',
  },
  {
    from: 'Validating',
    path: [
      ...toValidating,
      ...[1, 2, 3].flatMap((look) => [
        () => events.explained(look),
        (s: MachineSnapshot) => evaluated(s, decisions.breach, 'bake'),
      ]),
    ],
    event: 'onset-found: unknown, at the fourth look of a breach the trend explained',
    send: () => events.onset(false, 'unknown'),
    to: 'Validating',
    commands: ['find-onset'],
  },
  // Retrieving
  {
    from: 'Retrieving',
    path: toRetrieving,
    event: 'target-retrieved',
    send: () => events.retrieved(),
    to: 'CuttingOver',
    commands: ['cutover'],
  },
  {
    from: 'Retrieving',
    path: toRetrieving,
    event: 'target-retrieved (dry run)',
    send: () => events.retrieved(),
    to: 'DryRunComplete',
    commands: [...ending],
    outcome: 'would-roll-back',
    watch: { dryRun: true },
  },
  {
    from: 'Retrieving',
    path: toRetrieving,
    event: 'target-retrieved: none verified',
    send: () => events.retrieved('none'),
    to: 'Halted',
    commands: [...ending],
    outcome: 'halted',
  },
  {
    from: 'Retrieving',
    path: toRetrieving,
    event: 'target-retrieved: bad signature',
    send: () => events.retrieved('tampered'),
    to: 'Halted',
    commands: [...ending],
    outcome: 'halted',
  },
  {
    from: 'Retrieving',
    path: toRetrieving,
    event: 'target-retrieved: not on the platform',
    send: () => events.retrieved('unavailable'),
    to: 'Halted',
    commands: [...ending],
    outcome: 'halted',
  },
  {
    from: 'Retrieving',
    path: toRetrieving,
    event: 'retrieval-failed',
    send: events.retrievalFailed,
    to: 'Halted',
    commands: [...ending],
    outcome: 'halted',
  },
  // CuttingOver
  {
    from: 'CuttingOver',
    path: toCuttingOver,
    event: 'cutover-done',
    send: events.cutoverDone,
    to: 'CuttingOver',
    commands: ['await-ready'],
  },
  {
    from: 'CuttingOver',
    path: toCuttingOver,
    event: 'cutover-failed',
    send: events.cutoverFailed,
    to: 'Escalated',
    commands: [...ending],
    outcome: 'escalated',
  },
  {
    from: 'CuttingOver',
    path: toGate,
    event: 'gate-passed',
    send: events.gatePassed,
    to: 'Verifying',
    commands: ['evaluate'],
  },
  {
    from: 'CuttingOver',
    path: toGate,
    event: 'gate-failed',
    send: events.gateFailed,
    to: 'Escalated',
    commands: [...ending],
    outcome: 'escalated',
  },
  // Verifying
  {
    from: 'Verifying',
    path: toVerifying,
    event: 'evaluated: continue',
    send: (s) => evaluated(s, decisions.continue, 'verify'),
    to: 'Verifying',
    commands: ['evaluate'],
  },
  {
    from: 'Verifying',
    path: toVerifying,
    event: 'evaluated: promote (recovered)',
    send: (s) => evaluated(s, decisions.promote, 'verify'),
    to: 'RolledBack',
    commands: ['save-guard', ...ending],
    outcome: 'rolled-back',
  },
  {
    from: 'Verifying',
    path: toVerifying,
    event: 'evaluated: inconclusive for want of traffic',
    send: (s) => evaluated(s, { ...decisions.inconclusive, insufficientTraffic: true } as Decision, 'verify'),
    to: 'RolledBack',
    commands: ['save-guard', ...ending],
    outcome: 'rolled-back',
  },
  {
    from: 'Verifying',
    path: toVerifying,
    event: 'evaluated: breach (not recovered)',
    send: (s) => evaluated(s, decisions.breach, 'verify'),
    to: 'Escalated',
    commands: ['save-guard', ...ending],
    outcome: 'escalated',
  },
  {
    from: 'Verifying',
    path: toVerifying,
    event: 'kill-switch',
    send: events.killSwitch,
    to: 'Halted',
    commands: [...ending],
    outcome: 'halted',
  },
  // Promoting
  {
    from: 'Promoting',
    path: toPromoting,
    event: 'verification-recorded',
    send: events.recorded,
    to: 'Promoted',
    commands: [...ending],
    outcome: 'promoted',
  },
  {
    from: 'Promoting',
    path: toPromoting,
    event: 'verification-failed',
    send: events.recordFailed,
    to: 'Promoted',
    commands: [...ending],
    outcome: 'promoted',
  },
];

describe('transition(): every edge of the state graph', () => {
  it.each(rows.map((r) => [`${r.from} --${r.event}--> ${r.to}`, r] as const))('%s', (_name, row) => {
    const before = drive(row.path, row.watch);
    expect(before.state).toBe(row.from);
    const { snapshot, commands } = transition(before, row.send(before), row.contract ?? contract);
    expect(snapshot.state).toBe(row.to);
    expect(types(commands)).toEqual(row.commands);
    expect(types(snapshot.pending)).toEqual(row.commands);
    expect(snapshot.outcome).toBe(row.outcome ?? null);
    if (row.to !== row.from) expect(snapshot.phases.at(-1)?.state).toBe(row.to);
  });

  it('covers every state that is not terminal', () => {
    const from = new Set(rows.map((r) => r.from));
    const passing = MACHINE_STATE_NAMES.filter((s) => !TERMINAL_STATES.has(s));
    expect([...from].sort()).toEqual([...passing].sort());
  });

  it('ignores an event that does not answer the pending command (stray or replayed)', () => {
    const watching = drive(toWatching);
    for (const send of [
      events.cutoverDone,
      events.recorded,
      events.retrievalFailed,
      () => events.onset(true),
    ]) {
      const result = transition(watching, send(), contract);
      expect(result.snapshot).toBe(watching);
      expect(result.commands).toEqual(watching.pending);
    }
  });

  it('asks for the onset with the rule that breached, kept from the evidence', () => {
    const validating = drive(toValidating);
    expect(validating.pending[0]).toEqual({ type: 'find-onset', signal: errorSignal.id, rule: errorRule });
  });
});

describe('transition(): the one way a watch ends', () => {
  const terminal = () => drive([...toValidating, () => events.onset(true)]);
  const notified = (s: MachineSnapshot, failed?: string): MachineEvent => {
    const head = s.pending[0];
    if (head?.type !== 'notify') throw new Error(`expected a pending notify, got ${head?.type}`);
    return {
      type: 'notified',
      at: at(),
      notification: head.notification,
      ...(failed ? { error: failed } : {}),
    };
  };

  it('notifies, then writes the audit, then rests', () => {
    const s = terminal();
    expect(types(s.pending)).toEqual(['notify']);
    const afterNotify = transition(s, notified(s), contract);
    expect(types(afterNotify.commands)).toEqual(['write-audit']);
    expect(afterNotify.snapshot.notifications).toMatchObject([{ ok: true }]);
    const written = transition(afterNotify.snapshot, { type: 'audit-written', at: at() }, contract);
    expect(written.commands).toEqual([]);
    expect(written.snapshot.auditWritten).toBe(true);
    expect(written.snapshot.state).toBe('IncidentRouted');
  });

  it('records a failed notification and still writes the audit', () => {
    const s = terminal();
    const afterNotify = transition(s, notified(s, 'webhook down'), contract);
    expect(afterNotify.snapshot.notifications).toMatchObject([{ ok: false, error: 'webhook down' }]);
    expect(types(afterNotify.commands)).toEqual(['write-audit']);
  });

  it('saves the rollback guard before notifying', () => {
    const s = drive([...toVerifying, (x) => evaluated(x, decisions.promote, 'verify')]);
    expect(types(s.pending)).toEqual(['save-guard', 'notify']);
    const saved = transition(s, { type: 'guard-saved', at: at() }, contract);
    expect(types(saved.commands)).toEqual(['notify']);
  });

  it('retries a failed audit write four times, then stops asking', () => {
    let s = terminal();
    s = transition(s, notified(s), contract).snapshot;
    const issued: number[] = [];
    for (let attempt = 1; attempt <= 6; attempt++) {
      const next = transition(s, { type: 'audit-failed', at: at(), error }, contract);
      issued.push(next.commands.length);
      s = next.snapshot;
    }
    expect(issued).toEqual([1, 1, 1, 1, 0, 0]);
    expect(s.auditAttempts).toBe(5);
    expect(s.auditWritten).toBe(false);
  });

  it('a kill switch on an ended watch changes nothing', () => {
    const s = terminal();
    expect(transition(s, events.killSwitch(), contract).snapshot).toBe(s);
  });
});
