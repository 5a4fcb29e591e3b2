export type {
  ArtifactStoreContractHarness,
  ArtifactStoreContractSetup,
} from './contracts/artifact-store-contract';
export { describeArtifactStoreContract } from './contracts/artifact-store-contract';
export type { AuditSinkContractHarness } from './contracts/audit-sink-contract';
export { describeAuditSinkContract } from './contracts/audit-sink-contract';
export type { ExecutorContractHarness } from './contracts/executor-contract';
export { describeExecutorContract } from './contracts/executor-contract';
export type {
  MetricSourceContractHarness,
  MetricSourceContractOptions,
} from './contracts/metric-source-contract';
export { describeMetricSourceContract } from './contracts/metric-source-contract';
export type { NotifierContractHarness } from './contracts/notifier-contract';
export { describeNotifierContract } from './contracts/notifier-contract';
export type { StateStoreContractHarness } from './contracts/state-store-contract';
export { describeStateStoreContract } from './contracts/state-store-contract';
export {
  abortedContext,
  auditRecordFixture,
  errorOf,
  liveContext,
  okValue,
  payloadFixture,
} from './contracts/store-fixtures';
export type { WatchLeaseContractHarness } from './contracts/watch-lease-contract';
export { describeWatchLeaseContract } from './contracts/watch-lease-contract';
