export {
  arbAwkwardNumber,
  arbContract,
  arbReadResult,
  arbSample,
  arbSeries,
  arbSignal,
  arbStepData,
} from './arbitraries';
export type { MemoryArtifactStore, MemoryArtifactStoreOptions, RecordTamper } from './memory-artifact-store';
export { createMemoryArtifactStore } from './memory-artifact-store';
export type { MemoryAuditSink } from './memory-audit-sink';
export { createMemoryAuditSink } from './memory-audit-sink';
export type { MemoryExecutor, MemoryExecutorOptions } from './memory-executor';
export { createMemoryExecutor } from './memory-executor';
export type { FakeCall, FakeOptions, FaultDecision, FaultInjector } from './memory-faults';
export type { MemorySourceOptions, StepData } from './memory-source';
export { MemoryMetricSource, stepsFromArrays } from './memory-source';
export type { MemoryStateStore, MemoryStateStoreOptions } from './memory-state-store';
export { createMemoryStateStore } from './memory-state-store';
export type { MemoryLeaseEntry, MemoryLeaseTable, MemoryWatchLeaseOptions } from './memory-watch-lease';
export { createMemoryLeaseTable, createMemoryWatchLease } from './memory-watch-lease';
export type { RecordingNotifier } from './recording-notifier';
export { createRecordingNotifier } from './recording-notifier';
export type { Random } from './seeded-random';
export { binomial, poisson, seededRandom } from './seeded-random';
export { flushPromises, runOnClock, SimulatedClock } from './simulated-clock';
export type { InsecureTestSignerOptions } from './test-signer';
export { insecureTestSigner, testChecksum } from './test-signer';
