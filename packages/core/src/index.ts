// Errors
export { RollgateError, ROLLGATE_ERROR_CODES, reviveRollgateError } from './errors/rollgate-error';
export type { RollgateErrorCode, RollgateErrorOptions, SerializedRollgateError } from './errors/rollgate-error';

// Time
export { sleep } from './time/clock';
export type { Clock, TimerHandle } from './time/clock';

// Ports
export type { AbortSignalLike, PortContext } from './ports/abort';
export { ok, fail } from './ports/result';
export type { Result } from './ports/result';
export { COUNT_MEASURES } from './ports/metric-source';
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
export type { ArtifactRef, CutoverReceipt, Executor, GateReport } from './ports/executor';
export type {
  ArtifactStore,
  CheckedVerification,
  Signer,
  VerificationEvidence,
  VerificationPayload,
  VerificationRecord,
} from './ports/artifact-store';
export type { StateStore } from './ports/state-store';
export type { AuditSink } from './ports/audit-sink';
export type { Notification, NotificationKind, Notifier } from './ports/notifier';

// Contract
export {
  ContractSchema,
  SignalSchema,
  RuleSchema,
  RULES_BY_KIND,
} from './contract/contract-schema';
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
export { parseContract } from './contract/parse-contract';
export { defaultContract, defaultSignals } from './contract/default-contract';
export { configError, formatPath, formatZodIssues } from './contract/config-error';

// Rules and verdicts
export type { TestStatistic, TimeWindow, Verdict, VerdictStatus } from './rules/verdict';
export { finiteOrNull } from './rules/verdict';
export { evaluateStaticRange } from './rules/static-range';
export { evaluateBaselineRatio } from './rules/baseline-ratio';
export { evaluateRateOfChange, fitLine } from './rules/rate-of-change';
export type { LinearFit } from './rules/rate-of-change';
export { evaluateHealth } from './rules/health-check';
export { checkDataQuality } from './rules/data-quality';

// Evaluation
export { Evaluator } from './evaluation/evaluator';
export type { Evaluation, EvaluatorEvents, EvaluatorOptions } from './evaluation/evaluator';
export type { Decision } from './evaluation/confirmation';
export type { OnsetFinding } from './evaluation/onset';
export type {
  BaselineSnapshot,
  CountInterval,
  SignalBaseline,
  SignalSummary,
  WatchState,
} from './evaluation/watch-state';
export { DEFAULT_RETRY_POLICY } from './evaluation/read-with-retry';
export type { RetryPolicy } from './evaluation/read-with-retry';
export { SafeEmitter } from './events/safe-emitter';

// Rollback machine
export { startWatch, transition } from './machine/rollback-machine';
export { createController, watchIdFor } from './machine/controller';
export type { Controller, ControllerEvents, ControllerOptions, WatchResult } from './machine/controller';
export { TERMINAL_STATES } from './machine/machine-state';
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
export { parseMachineSnapshot } from './machine/snapshot-schema';
export { buildAuditRecord } from './machine/audit-builder';

// Audit and artifacts
export { AuditRecordSchema } from './audit/audit-record';
export type { AuditOutcome, AuditPoint, AuditRecord, AuditVerdict } from './audit/audit-record';
export { canonicalJson } from './artifacts/canonical-json';
export { checkVerification, signVerification, signedContent } from './artifacts/verification-signing';
