import {
  type ArtifactRef,
  type Controller,
  createController,
  defaultSignals,
  parseContract,
} from '@rollgate/core';
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
} from '@rollgate/core/testing';

export const STEP = 5_000;
export const START = 1_700_000_000_000;
export const BASELINE_STEPS = 360;
export const DEPLOY_AT = START + BASELINE_STEPS * STEP;

/** ~100 requests per 5 s, 0.5% errors; with `bad`, 10% errors from 40 s after the deploy. */
function step(i: number, bad: boolean): StepData {
  const requests = 95 + ((i * 7) % 11);
  const afterDeploy = i - BASELINE_STEPS;
  return {
    requests,
    errors: bad && afterDeploy >= 8 ? Math.round(requests * 0.1) : i % 2 === 0 ? 1 : 0,
    latencyHistogram: [0, 0, 15, 50, requests - 65, 0, 0, 0, 0, 0, 0, 0],
    memory: 300e6 + ((i * 37) % 5) * 1e6,
    ready: 1,
    restarts: 0,
  };
}

/** A controller over in-memory ports on a simulated clock: v2 deployed, v1 verified. */
export function watchWorld(options: { bad: boolean }) {
  const contract = parseContract({
    service: 'checkout',
    stepSeconds: 5,
    bakeSeconds: 120,
    warmupSeconds: 30,
    signals: defaultSignals(),
  });
  const clock = new SimulatedClock(DEPLOY_AT);
  const total = BASELINE_STEPS + 400;
  const steps = Array.from({ length: total }, (_, i) => step(i, options.bad));
  const source = new MemoryMetricSource({ clock, startMs: START, stepMs: STEP, steps });
  const v1: ArtifactRef = { id: 'v1' };
  const executor = createMemoryExecutor({
    artifacts: [{ id: 'v2' }, v1],
    current: 'v2',
    onSwitch: () => {
      const from = Math.ceil((clock.now() - START) / STEP);
      source.overwrite(
        from,
        Array.from({ length: total - from }, (_, k) => step(from + k, false)),
      );
    },
  });
  const artifacts = createMemoryArtifactStore({ signer: insecureTestSigner() });
  const controller: Controller = createController({
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
  const ctx = { signal: new AbortController().signal, deadline: Number.POSITIVE_INFINITY };
  return {
    controller,
    clock,
    async watch() {
      await artifacts.record(
        {
          service: 'checkout',
          artifact: v1,
          verifiedAt: DEPLOY_AT - 86_400_000,
          evidence: { summary: 'baked', bakeSeconds: 600, signals: [] },
        },
        ctx,
      );
      return runOnClock(clock, controller.watch({ artifactId: 'v2', deployedAt: DEPLOY_AT }));
    },
  };
}
