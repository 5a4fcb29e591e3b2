// Errors

export {
  isValidKeep,
  MIN_KEEP,
  payloadProblem as verificationPayloadProblem,
} from './artifacts/artifact-retention';
export { canonicalJson } from './artifacts/canonical-json';
export { checkVerification, signedContent, signVerification } from './artifacts/verification-signing';
export type { AuditControl, AuditOutcome, AuditPoint, AuditRecord, AuditVerdict } from './audit/audit-record';
// Audit and artifacts
export { AuditRecordSchema } from './audit/audit-record';
export { validateAuditRecord } from './audit/audit-validation';
export { configError, describeZodIssue, formatPath, formatZodIssues } from './contract/config-error';
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
  CONTRACT_LIMITS,
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
export type {
  PreflightOptions,
  PreflightRead,
  PreflightReport,
  SignalPreflight,
} from './evaluation/preflight';
export { preflightSignals } from './evaluation/preflight';
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
export type { ControlJudgement } from './machine/control-judgement';
export { judgeControl, RESTING_STATES } from './machine/control-judgement';
export type {
  ControlOutcome,
  ControlRequestInput,
  RequestControlOptions,
} from './machine/control-requests';
// Human requests: promote, abort, retry (docs/cli.md, docs/architecture.md)
export {
  abortWatch,
  CONTROL_KEY_PREFIX,
  controlRequestKey,
  controlRequestPrefix,
  createControlRequest,
  pendingControlRequests,
  promoteWatch,
  requestControl,
  retryWatch,
  submitControlRequest,
} from './machine/control-requests';
export type { Controller, ControllerEvents, ControllerOptions, WatchResult } from './machine/controller';
export { createController, watchIdFor } from './machine/controller';
export type {
  Command,
  ControlAction,
  ControlRecord,
  ControlRequest,
  DeployEvent,
  MachineEvent,
  MachineSnapshot,
  MachineStateName,
  RetryPoint,
  RollbackGuard,
  Transition,
  WatchOptions,
} from './machine/machine-state';
export { TERMINAL_STATES } from './machine/machine-state';
// Rollback machine
export { startWatch, transition } from './machine/rollback-machine';
export { parseMachineSnapshot } from './machine/snapshot-schema';
export type { PlannedSave } from './machine/stored-snapshot';
export {
  loadStoredSnapshot,
  STORED_SNAPSHOT_SCHEMA,
  StoredSnapshotWriter,
  WATCH_PART_KEY_PREFIX,
  watchPartKey,
} from './machine/stored-snapshot';
export type { StoredWatch, UnfinishedWatchQuery } from './machine/stored-watches';
export {
  findUnfinishedWatch,
  listStoredWatches,
  storeLoader,
  WATCH_KEY_PREFIX,
  watchStateKey,
} from './machine/stored-watches';
export type { SignalStatus, WatchStatus } from './machine/watch-status';
export { summarizeWatch } from './machine/watch-status';
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
export type { LeaseFence, LeaseGrant, WatchLease } from './ports/watch-lease';
export { watchLeaseKey } from './ports/watch-lease';
export { evaluateBaselineRatio } from './rules/baseline-ratio';
export { checkDataQuality } from './rules/data-quality';
export { evaluateHealth } from './rules/health-check';
export type { MeasureDomain } from './rules/measure-domain';
export {
  domainOf,
  ERROR_RATE_DOMAIN,
  FINITE_DOMAIN,
  inDomain,
  MEASURE_DOMAINS,
} from './rules/measure-domain';
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
export type { StateKeyCheck } from './stores/state-key';
export { checkStateKey } from './stores/state-key';
export type { Clock, TimerHandle } from './time/clock';
// Time
export { sleep } from './time/clock';
