/**
 * `@rollgate/core`: the public API for embedders (wire a controller, watch a deploy, read its
 * outcome and audit record, answer human requests) and for adapter authors (the ports and what
 * implementing them needs). Each section below is one concern; docs/api.md describes them.
 * Everything else in core is internal and may change without notice.
 */

// ----- Embedding: wire a controller and watch a deploy (docs/api.md#embedding) -----

export type { ChartColumns } from './machine/audit/chart-columns';
export type {
  Controller,
  ControllerEvents,
  ControllerOptions,
  WatchCallOptions,
  WatchResult,
} from './machine/controller';
export { createController, watchIdFor } from './machine/controller';
export { failingArtifact } from './machine/failing-artifact';
export type {
  Command,
  ControlAction,
  ControlRecord,
  ControlRequest,
  DeployEvent,
  MachineSnapshot,
  PhaseEntry,
  RetryPoint,
  RollbackGuard,
  WatchOptions,
} from './machine/machine-state';
export { parseMachineSnapshot } from './machine/snapshot-schema';
export type { ControllerDecision, MachineStateName, TerminalStateName } from './machine/state-table';
export { TERMINAL_STATES } from './machine/state-table';

// ----- Stored watches and their status (docs/api.md#stored-watches) -----

export type { PlannedSave } from './machine/stored-snapshot';
export {
  loadStoredSnapshot,
  STORED_SNAPSHOT_SCHEMA,
  StoredSnapshotWriter,
  WATCH_PART_KEY_PREFIX,
  watchPartKey,
  watchPhasesKey,
} from './machine/stored-snapshot';
export type { StoredWatch, UnfinishedWatchQuery } from './machine/stored-watches';
export { findUnfinishedWatch, listStoredWatches, storeLoader, watchStateKey } from './machine/stored-watches';
export type { SignalStatus, WatchStatus } from './machine/watch-status';
export { summarizeWatch } from './machine/watch-status';

// ----- Human requests: promote, abort, retry (docs/cli.md, docs/api.md#human-requests) -----

export type { ControlJudgement } from './machine/control-judgement';
export { judgeControl } from './machine/control-judgement';
export type {
  ControlOutcome,
  ControlRequestInput,
  RequestControlOptions,
} from './machine/control-requests';
export {
  abortWatch,
  pendingControlRequests,
  promoteWatch,
  requestControl,
  retryWatch,
} from './machine/control-requests';

// ----- The contract: signals, rules, limits (docs/config.md) -----

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
export { CONTRACT_LIMITS, ContractSchema, SignalSchema } from './contract/contract-schema';
export { defaultContract, defaultSignals } from './contract/default-contract';
export { parseContract } from './contract/parse-contract';
export type { BaselineSpec, CountSpec, SignalKindSpec } from './signals/signal-kinds';
export { kindOf, SIGNAL_KIND_TABLE, SIGNAL_KINDS } from './signals/signal-kinds';

// ----- Evaluation: the evaluator, its events and the preflight (docs/architecture.md) -----

export type { BatchingSource, BatchingSourceOptions, BatchingStats } from './evaluation/batching-source';
export { batchingSource } from './evaluation/batching-source';
export type { Decision } from './evaluation/confirmation';
export type { Evaluation, EvaluatorEvents, EvaluatorOptions } from './evaluation/evaluator';
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
export type {
  BaselineSnapshot,
  CountInterval,
  SignalBaseline,
  SignalSummary,
  WatchState,
} from './evaluation/watch-state';
export type { SafeEmitter } from './events/safe-emitter';
export type { TestStatistic, TimeWindow, Verdict, VerdictStatus } from './rules/verdict';
export { partialReadWarnings } from './rules/verdict';

// ----- The audit record (docs/report.md, docs/stores.md) -----

export type { AuditControl, AuditOutcome, AuditPoint, AuditRecord, AuditVerdict } from './audit/audit-record';
export { AuditRecordSchema } from './audit/audit-record';
export { validateAuditRecord } from './audit/audit-validation';

// ----- Adapter options: one zod schema per adapter, paths and secrets marked (docs/writing-an-adapter.md) -----

export type { AdapterDeps, StoreDeps } from './options/adapter-deps';
export {
  defOf as schemaDef,
  innermostSchema,
  mapMarkedValues,
  mapOptionValues,
  markedValues,
  type OptionLeaf,
  type OptionPath,
  type SchemaDef,
} from './options/marked-values';
export {
  booleanOption,
  millisecondsOption,
  textMapOption,
  textOption,
  wholeNumberOption,
} from './options/option-fields';
export { type OptionMeta, optionMeta, pathOption, secretOption } from './options/option-meta';
export type { OptionsOf, ReadonlyOptions } from './options/options-of';
export { parseOptions } from './options/parse-options';

// ----- Ports: what an adapter implements (docs/writing-an-adapter.md) -----

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
export type { Notification, NotificationKind, Notifier } from './ports/notifier';
export type { Result } from './ports/result';
export { fail, ok } from './ports/result';
export type { StateStore } from './ports/state-store';
export type { LeaseFence, LeaseGrant, WatchLease } from './ports/watch-lease';
export type { Clock, TimerHandle } from './time/clock';
export { sleep } from './time/clock';

// ----- Helpers for store adapters: keys, retention, signed verifications (docs/stores.md) -----

export {
  isValidKeep,
  MIN_KEEP,
  payloadProblem as verificationPayloadProblem,
} from './artifacts/artifact-retention';
export { checkVerification, signedContent, signVerification } from './artifacts/verification-signing';
export type { StateKeyCheck } from './stores/state-key';
export { checkStateKey } from './stores/state-key';

// ----- Errors (docs/errors.md) -----

export type {
  RollgateErrorCode,
  RollgateErrorOptions,
  SerializedRollgateError,
} from './errors/rollgate-error';
export { ROLLGATE_ERROR_CODES, RollgateError } from './errors/rollgate-error';

// ----- Statistics: the sequential tests the rules run on, for calibration and benchmarks (docs/statistics.md) -----

export type {
  BaselineRateTestOptions,
  BaselineRateTestState,
  ConcurrentObservation,
  ConcurrentRateTestOptions,
  ConcurrentRateTestState,
  CountObservation,
  RateObservation,
  RateTestFigures,
  RateTestState,
  RateTestSummary,
  RatioInterval,
  SprtOptions,
  SprtState,
} from './stats';
export {
  clopperPearsonLower,
  clopperPearsonUpper,
  createBaselineRateTest,
  createConcurrentRateTest,
  createSprt,
  rateTestFigures,
  sprtExpectedSeconds,
  summarizeRateTest,
  updateRateTest,
} from './stats';
