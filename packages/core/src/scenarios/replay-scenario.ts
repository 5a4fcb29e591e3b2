import type { AuditRecord } from '../audit/audit-record';
import type { Contract, ContractInput, SignalInput } from '../contract/contract-schema';
import { defaultSignals } from '../contract/default-contract';
import { parseContract } from '../contract/parse-contract';
import { type Controller, createController, type WatchResult } from '../machine/controller';
import type { ControllerDecision } from '../machine/state-table';
import { decisionOfOutcome } from '../machine/state-table';
import type { AbortSignalLike } from '../ports/abort';
import { kindOf } from '../signals/signal-kinds';
import {
  createMemoryArtifactStore,
  createMemoryAuditSink,
  createMemoryExecutor,
  createMemoryStateStore,
  createRecordingNotifier,
  insecureTestSigner,
  MemoryMetricSource,
  runOnClock,
  SimulatedClock,
  type StepData,
} from '../simulation';
import type { Scenario } from './scenario-schema';

/** Epoch ms at which step 0 of every replayed scenario starts (any fixed time works). */
export const REPLAY_EPOCH_MS = Date.UTC(2026, 0, 1);

/** One scenario's outcome, as `rollgate backtest --json` prints it. */
export interface ReplayResult {
  readonly name: string;
  readonly decision: ControllerDecision;
  /** The last step whose data the decision used; null when the watch kept the version. */
  readonly decidedAtStep: number | null;
  /** The signal that decided (the breach's), null when none did. */
  readonly signal: string | null;
  readonly reason: string;
  readonly outcome: WatchResult['outcome'];
  readonly audit: AuditRecord | null;
}

/** Contract changes applied to every replayed scenario (`backtest --contract FILE`). */
export type ContractOverrides = Partial<Omit<ContractInput, 'service'>>;

/**
 * The contract a scenario is judged by: Rollgate's default contract, timed to the scenario (its
 * step, the whole pre-deploy window as the baseline, the whole rest as the bake, its histogram
 * buckets), segmented like its `segments`, then `overrides` on top. At the end of the data an
 * undecided watch keeps the version (FORMAT.md), so inconclusive evidence holds rather than
 * extending past the data.
 */
export function scenarioContract(scenario: Scenario, overrides: ContractOverrides = {}): Contract {
  const steps = scenario.series.requests.length;
  const segmentLabel = segmentLabelOf(scenario);
  const signals: SignalInput[] = defaultSignals().map((signal) =>
    segmentLabel && kindOf(signal).counts !== null
      ? { ...signal, segments: { by: segmentLabel, minSamples: 20, maxSegments: 10 } }
      : signal,
  );
  return parseContract(
    {
      service: scenario.name,
      stepSeconds: scenario.stepSeconds,
      baselineSeconds: scenario.deployAtStep * scenario.stepSeconds,
      bakeSeconds: (steps - scenario.deployAtStep) * scenario.stepSeconds,
      latencyBucketsMs: [...scenario.latencyBucketsMs],
      signals,
      promotion: { inconclusive: 'hold', extendSeconds: 300, maxExtensions: 0 },
      ...overrides,
    },
    `contract for scenario ${scenario.name}`,
  );
}

/** What a harness may add to a replay without changing it. */
export interface ReplayOptions {
  /**
   * Called with the replay's controller before its watch starts: a harness listens to its
   * `events` (each evaluation's verdicts, each step's snapshot) to see how the engine reached
   * the decision; the replay itself is unchanged.
   */
  readonly onController?: (controller: Controller) => void;
}

/**
 * Replays a scenario through the same evaluator and rollback machine a live watch uses, with a
 * simulated clock and a simulated executor. The previous version is a verified artifact; when
 * the machine cuts over to it, the source serves pre-deploy telemetry again (the restored
 * version), so recovery verification runs as it would live.
 */
export async function replayScenario(
  scenario: Scenario,
  overrides: ContractOverrides = {},
  options: ReplayOptions = {},
): Promise<ReplayResult> {
  const contract = scenarioContract(scenario, overrides);
  const stepMs = scenario.stepSeconds * 1000;
  const total = scenario.series.requests.length;
  const deployAt = REPLAY_EPOCH_MS + scenario.deployAtStep * stepMs;
  const clock = new SimulatedClock(deployAt);
  const steps = scenarioSteps(scenario);
  const segments = segmentsOf(scenario);
  const source = new MemoryMetricSource({
    name: 'scenario',
    clock,
    startMs: REPLAY_EPOCH_MS,
    stepMs,
    steps,
    ...(segments ? { segments } : {}),
    latencyBucketsMs: scenario.latencyBucketsMs,
  });
  const executor = createMemoryExecutor({
    name: 'simulated',
    artifacts: [{ id: 'new' }, { id: 'previous' }],
    current: 'new',
    onSwitch: () => {
      const from = Math.ceil((clock.now() - REPLAY_EPOCH_MS) / stepMs);
      const restored: StepData[] = [];
      for (let k = 0; from + k < total + 200; k++) {
        // The restored version behaves as it did before the deploy: replay the baseline window.
        const i = scenario.deployAtStep - 1 - ((scenario.deployAtStep - 1 - k) % scenario.deployAtStep);
        restored.push(steps[Math.max(0, Math.min(i, scenario.deployAtStep - 1))] ?? {});
      }
      source.overwrite(from, restored);
    },
  });
  const artifacts = createMemoryArtifactStore({ signer: insecureTestSigner() });
  // Nothing aborts a replay: a signal that never fires (core has no host AbortController).
  const never: AbortSignalLike = {
    aborted: false,
    addEventListener: () => {},
    removeEventListener: () => {},
  };
  const ctx = { signal: never, deadline: Number.POSITIVE_INFINITY };
  await artifacts.record(
    {
      service: contract.service,
      artifact: { id: 'previous' },
      verifiedAt: deployAt - 86_400_000,
      evidence: { summary: 'verified before the scenario', bakeSeconds: contract.bakeSeconds, signals: [] },
    },
    ctx,
  );
  const controller = createController({
    contract,
    sources: { default: source },
    executor,
    artifacts,
    state: createMemoryStateStore(),
    audit: createMemoryAuditSink(),
    notifier: createRecordingNotifier(),
    clock,
    settleMs: 0,
    retry: { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 },
  });
  options.onController?.(controller);
  const result = await runOnClock(clock, controller.watch({ artifactId: 'new', deployedAt: deployAt }));
  return toReplayResult(scenario, result, executor.switches.length > 0, stepMs);
}

function toReplayResult(
  scenario: Scenario,
  result: WatchResult,
  cutOver: boolean,
  stepMs: number,
): ReplayResult {
  const s = result.snapshot;
  const decision = decisionOfOutcome(result.outcome, cutOver);
  const decidedAt =
    decision === 'keep'
      ? null
      : (s.breach?.confirmedAt ??
        s.phases.find((p) => p.state === 'Escalated' || p.state === 'Halted')?.at ??
        null);
  // The evaluation at time T consumed the steps ending at or before T: the last is step T/step - 1.
  const decidedAtStep =
    decidedAt === null
      ? null
      : Math.min(scenario.series.requests.length - 1, Math.round((decidedAt - REPLAY_EPOCH_MS) / stepMs) - 1);
  const lead = s.breach?.evidence[0];
  return {
    name: scenario.name,
    decision,
    decidedAtStep,
    signal: lead ? `${lead.signal}${lead.segment ? ` [${lead.segment}]` : ''}` : null,
    reason: result.reason,
    outcome: result.outcome,
    audit: result.audit,
  };
}

/**
 * A scenario's series as the in-memory source's steps (`MemoryMetricSource`), one per scenario
 * step from its first: what {@link replayScenario} reads, for harnesses that drive their own
 * controllers over a scenario (the bench's fleets).
 */
export function scenarioSteps(scenario: Scenario): StepData[] {
  const s = scenario.series;
  return s.requests.map((requests, i) => {
    const step: Record<string, unknown> = { requests, errors: s.errors[i] ?? 0 };
    const histogram = s.latencyHistogram[i];
    if (histogram) step.latencyHistogram = histogram;
    const p99 = s.latencyP99Ms[i];
    if (p99 !== undefined) step.latencyP99Ms = p99;
    if (s.cpuCores) step.cpu = s.cpuCores[i];
    if (s.memoryBytes) step.memory = s.memoryBytes[i];
    if (s.ready) step.ready = s.ready[i];
    if (s.restarts) step.restarts = s.restarts[i];
    return step as StepData;
  });
}

/** The label segments are keyed by (`browser` in `browser=safari`), or null without segments. */
function segmentLabelOf(scenario: Scenario): string | null {
  const first = Object.keys(scenario.segments ?? {})[0];
  return first?.includes('=') ? (first.split('=')[0] ?? null) : null;
}

function segmentsOf(scenario: Scenario): { label: string; values: Record<string, StepData[]> } | null {
  const label = segmentLabelOf(scenario);
  if (!label || !scenario.segments) return null;
  const values: Record<string, StepData[]> = {};
  for (const [key, series] of Object.entries(scenario.segments)) {
    const [segLabel, value] = key.split('=');
    if (segLabel !== label || value === undefined) continue;
    values[value] = series.requests.map((requests, i) => ({
      requests,
      errors: series.errors[i] ?? 0,
      ...(series.latencyHistogram?.[i] ? { latencyHistogram: series.latencyHistogram[i] } : {}),
    }));
  }
  return { label, values };
}
