export type {
  RollgateErrorCode,
  RollgateErrorOptions,
  SerializedRollgateError,
} from './errors/rollgate-error';
export { ROLLGATE_ERROR_CODES, RollgateError, reviveRollgateError } from './errors/rollgate-error';
export type { AbortSignalLike, PortContext } from './ports/abort';
export type {
  ArtifactStore,
  CheckedVerification,
  Signer,
  VerificationEvidence,
  VerificationPayload,
  VerificationRecord,
} from './ports/artifact-store';
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
export type { Clock, TimerHandle } from './time/clock';
export { sleep } from './time/clock';
