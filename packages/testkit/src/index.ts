export type { ExecutorContractHarness } from './contracts/executor-contract';
export { describeExecutorContract } from './contracts/executor-contract';
export type { MetricSourceContractHarness } from './contracts/metric-source-contract';
export { describeMetricSourceContract } from './contracts/metric-source-contract';
export type { NotifierContractHarness } from './contracts/notifier-contract';
export { describeNotifierContract } from './contracts/notifier-contract';
