// Errors

export { canonicalJson } from './artifacts/canonical-json';
export { checkVerification, signedContent, signVerification } from './artifacts/verification-signing';
export type { AuditOutcome, AuditPoint, AuditRecord, AuditVerdict } from './audit/audit-record';
// Audit and artifacts
export { AuditRecordSchema } from './audit/audit-record';
export { configError, formatPath, formatZodIssues } from './contract/config-error';
export type {
  BaselineRatioRule,
  Contract,
  ContractInput,
  HealthRule,
  RateOfChangeRule,
  Rule,
  SequentialRule,
  Signal,
  SignalInput,
  SignalKind,
  StaticRule,
} from './contract/contract-schema';
// Contract
export {
  ContractSchema,
  RULES_BY_KIND,
  RuleSchema,
  SignalSchema,
} from './contract/contract-schema';
export { defaultContract, defaultSignals } from './contract/default-contract';
export { parseContract } from './contract/parse-contract';
export type {
  RollgateErrorCode,
  RollgateErrorOptions,
  SerializedRollgateError,
} from './errors/rollgate-error';
export { ROLLGATE_ERROR_CODES, RollgateError, reviveRollgateError } from './errors/rollgate-error';
export type { Decision } from './evaluation/confirmation';
export type { Evaluation, EvaluatorEvents, EvaluatorOptions } from './evaluation/evaluator';
// Evaluation
export { Evaluator } from './evaluation/evaluator';
export type { OnsetFinding } from './evaluation/onset';
export type { RetryPolicy } from './evaluation/read-with-retry';
export { DEFAULT_RETRY_POLICY } from './evaluation/read-with-retry';
export type {
  BaselineSnapshot,
  CountInterval,
  SignalBaseline,
  SignalSummary,
  WatchState,
} from './evaluation/watch-state';
export { SafeEmitter } from './events/safe-emitter';
export { buildAuditRecord } from './machine/audit-builder';
export type { Controller, ControllerEvents, ControllerOptions, WatchResult } from './machine/controller';
export { createController, watchIdFor } from './machine/controller';
export type {
  Command,
  DeployEvent,
  MachineEvent,
  MachineSnapshot,
  MachineStateName,
  RollbackGuard,
  Transition,
  WatchOptions,
} from './machine/machine-state';
export { TERMINAL_STATES } from './machine/machine-state';
// Rollback machine
export { startWatch, transition } from './machine/rollback-machine';
export { parseMachineSnapshot } from './machine/snapshot-schema';
export type { StoredWatch, UnfinishedWatchQuery } from './machine/stored-watches';
export {
  findUnfinishedWatch,
  listStoredWatches,
  WATCH_KEY_PREFIX,
  watchStateKey,
} from './machine/stored-watches';
// Ports
export type { AbortSignalLike, PortContext } from './ports/abort';
export type {
  ArtifactStore,
  CheckedVerification,
  Signer,
  VerificationEvidence,
  VerificationPayload,
  VerificationRecord,
} from './ports/artifact-store';
export type { AuditSink } from './ports/audit-sink';
export type { ArtifactRef, CutoverReceipt, Executor, GateReport } from './ports/executor';
export type {
  Measure,
  MetricQuery,
  MetricRequest,
  MetricSource,
  ReadResult,
  Sample,
  Selector,
  Series,
} from './ports/metric-source';
export { COUNT_MEASURES } from './ports/metric-source';
export type { Notification, NotificationKind, Notifier } from './ports/notifier';
export type { Result } from './ports/result';
export { fail, ok } from './ports/result';
export type { StateStore } from './ports/state-store';
export { evaluateBaselineRatio } from './rules/baseline-ratio';
export { checkDataQuality } from './rules/data-quality';
export { evaluateHealth } from './rules/health-check';
export type { LinearFit } from './rules/rate-of-change';
export { evaluateRateOfChange, fitLine } from './rules/rate-of-change';
export { evaluateStaticRange } from './rules/static-range';
// Rules and verdicts
export type { TestStatistic, TimeWindow, Verdict, VerdictStatus } from './rules/verdict';
export { finiteOrNull } from './rules/verdict';
export type {
  BaselineRateTestOptions,
  BaselineRateTestState,
  ConcurrentObservation,
  ConcurrentRateTestOptions,
  ConcurrentRateTestState,
  CountObservation,
  CountPoint,
  ElevatedEpisode,
  EpisodeOptions,
  GaugeOnsetEstimate,
  GaugePoint,
  OnsetEstimate,
  RateObservation,
  RateTestState,
  RateTestSummary,
  RatioInterval,
  SprtOptions,
  SprtState,
} from './stats';
// Statistics: anytime-valid sequential tests, SPRT, change-point onset (docs/statistics.md)
export {
  averageLogEValues,
  clopperPearsonLower,
  clopperPearsonUpper,
  createBaselineRateTest,
  createConcurrentRateTest,
  createSprt,
  DEFAULT_RATIOS,
  DEFAULT_RESTART_SHARE,
  estimateDispersion,
  estimateGaugeOnset,
  estimateLocalDispersion,
  estimateOnset,
  findElevatedEpisode,
  splitAlpha,
  sprtExpectedSeconds,
  summarizeRateTest,
  updateRateTest,
} from './stats';
export type { Clock, TimerHandle } from './time/clock';
// Time
export { sleep } from './time/clock';
