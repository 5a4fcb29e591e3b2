export type { AuditFileContents, TornAuditLine } from './audit-file';
export { readAuditFile } from './audit-file';
export type { Ed25519Signer, Ed25519SignerOptions } from './ed25519-signer';
export {
  createEd25519Signer,
  ED25519_PRIVATE_KEY_FILE,
  ED25519_PUBLIC_KEY_FILE,
  ed25519KeyId,
} from './ed25519-signer';
export type { FileArtifactStoreOptions } from './file-artifact-store';
export { ARTIFACT_FILE_FORMAT, createFileArtifactStore } from './file-artifact-store';
export type { FileAuditSinkOptions } from './file-audit-sink';
export { createFileAuditSink } from './file-audit-sink';
export type { FileStateStoreOptions } from './file-state-store';
export { createFileStateStore, STATE_FILE_FORMAT } from './file-state-store';
export type { FileWatchLeaseOptions } from './file-watch-lease';
export { createFileWatchLease, LEASE_FILE_FORMAT } from './file-watch-lease';
export type { HmacSignerOptions } from './hmac-signer';
export { createHmacSigner } from './hmac-signer';
export type { LoadedScenario, ScenarioFileResult, ScenarioLoadFailure } from './load-scenarios';
export { loadScenarios, META_FILE_NAME } from './load-scenarios';
export type { PortSignal, PortSignalOptions, PortSignalReason } from './port-signal';
export { portSignal } from './port-signal';
export { processAlive } from './process-alive';
export {
  redactingArtifactStore,
  redactingAuditSink,
  redactingNotifier,
  redactingStateStore,
} from './redacting-ports';
export { MAX_RETRY_AFTER_MS, parseRetryAfter } from './retry-after';
export type { Redact, SecretRedactorOptions } from './secret-redactor';
export {
  createSecretRedactor,
  looksLikeCredential,
  MIN_SECRET_LENGTH,
  REDACTED,
  redactValue,
  urlSecrets,
} from './secret-redactor';
export { SerialQueue } from './serial-queue';
export { systemClock } from './system-clock';
export type { WebhookReply, WebhookTarget } from './webhook-classify';
export { classifyWebhookReply } from './webhook-classify';
export type { WebhookNotifierOptions } from './webhook-notifier';
export { createWebhookNotifier, PAGERDUTY_EVENTS_URL } from './webhook-notifier';
export type { PagerDutyEvent, PagerDutySeverity, SlackPayload, WebhookFormat } from './webhook-payloads';
export { PAGERDUTY_SEVERITY, pagerDutyEvent, slackPayload } from './webhook-payloads';
