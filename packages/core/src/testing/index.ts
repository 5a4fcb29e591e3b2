export { SimulatedClock, flushPromises } from './simulated-clock';
export { MemoryMetricSource, stepsFromArrays } from './memory-source';
export type { MemorySourceOptions, StepData } from './memory-source';
export {
  arbAwkwardNumber,
  arbContract,
  arbReadResult,
  arbSample,
  arbSeries,
  arbSignal,
  arbStepData,
} from './arbitraries';
export { createMemoryArtifactStore } from './memory-artifact-store';
export type { MemoryArtifactStore, MemoryArtifactStoreOptions, RecordTamper } from './memory-artifact-store';
export { createMemoryAuditSink } from './memory-audit-sink';
export type { MemoryAuditSink } from './memory-audit-sink';
export type { FakeCall, FakeOptions, FaultDecision, FaultInjector } from './memory-faults';
export { createMemoryStateStore } from './memory-state-store';
export type { MemoryStateStore } from './memory-state-store';
export { createRecordingNotifier } from './recording-notifier';
export type { RecordingNotifier } from './recording-notifier';
export { insecureTestSigner, testChecksum } from './test-signer';
export type { InsecureTestSignerOptions } from './test-signer';
