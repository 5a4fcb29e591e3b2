/**
 * `@rollgate/core/simulation`: the simulated clock and the in-memory ports, for running the real
 * controller offline (scenario replays, backtests, calibration over history). Pure, and free of
 * test-only dependencies: `@rollgate/core/testing` re-exports all of it together with the
 * fast-check arbitraries, which need `fast-check` installed.
 */
export type {
  MemoryArtifactStore,
  MemoryArtifactStoreOptions,
  RecordTamper,
} from '../testing/memory-artifact-store';
export { createMemoryArtifactStore } from '../testing/memory-artifact-store';
export type { MemoryAuditSink } from '../testing/memory-audit-sink';
export { createMemoryAuditSink } from '../testing/memory-audit-sink';
export type { MemoryExecutor, MemoryExecutorOptions } from '../testing/memory-executor';
export { createMemoryExecutor } from '../testing/memory-executor';
export type { FakeCall, FakeOptions, FaultDecision, FaultInjector } from '../testing/memory-faults';
export type { MemorySourceOptions, StepData } from '../testing/memory-source';
export { MemoryMetricSource, stepsFromArrays } from '../testing/memory-source';
export type { MemoryStateStore } from '../testing/memory-state-store';
export { createMemoryStateStore } from '../testing/memory-state-store';
export type { RecordingNotifier } from '../testing/recording-notifier';
export { createRecordingNotifier } from '../testing/recording-notifier';
export type { Random } from '../testing/seeded-random';
export { binomial, poisson, seededRandom } from '../testing/seeded-random';
export { flushPromises, runOnClock, SimulatedClock } from '../testing/simulated-clock';
export type { InsecureTestSignerOptions } from '../testing/test-signer';
export { insecureTestSigner, testChecksum } from '../testing/test-signer';
