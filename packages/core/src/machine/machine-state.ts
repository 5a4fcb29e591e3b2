import type { AuditRecord } from '../audit/audit-record';
import type { SerializedRollgateError } from '../errors/rollgate-error';
import type { Decision } from '../evaluation/confirmation';
import type { Evaluation } from '../evaluation/evaluator';
import type { OnsetFinding, TrendLook } from '../evaluation/onset';
import type { WatchState } from '../evaluation/watch-state';
import type { CheckedVerification, VerificationEvidence } from '../ports/artifact-store';
import type { ArtifactRef, CutoverReceipt, GateReport } from '../ports/executor';
import type { Notification } from '../ports/notifier';
import type { Verdict } from '../rules/verdict';
import type { ChartColumns } from './audit/chart-columns';
import type { MachineStateName } from './state-table';

/** The deploy being watched. The time is mandatory: the validation gate compares with it. */
export interface DeployEvent {
  readonly artifactId: string;
  /** Epoch ms the new version started serving. */
  readonly deployedAt: number;
  /** Schema facts of the new version, when it shipped a migration (see ArtifactRef.schema). */
  readonly schema?: ArtifactRef['schema'];
}

/** Last rollback of a service, for the cooldown and no-chained-rollbacks guardrails. */
export interface RollbackGuard {
  readonly lastRollback: {
    readonly at: number;
    readonly watchId: string;
    readonly from: string;
    readonly to: string;
  } | null;
}

/** Options fixed for the whole watch, recorded in the snapshot so a resume behaves the same. */
export interface WatchOptions {
  readonly dryRun: boolean;
  readonly cooldownSeconds: number;
  /** Delay after each step boundary before evaluating, so the backend has ingested the step. */
  readonly settleMs: number;
  /** Progressive weights, only when the contract asks and the executor supports weights. */
  readonly weights: readonly number[] | null;
  readonly bakeSecondsPerStep: number | null;
}

/** A command the machine asks the interpreter to run through the ports. */
export type Command =
  | { readonly type: 'identify-current' }
  | { readonly type: 'set-weight'; readonly weight: number; readonly operationId: string }
  | { readonly type: 'evaluate'; readonly watch: 'bake' | 'verify'; readonly at: number }
  | {
      readonly type: 'find-onset';
      readonly signal: string;
      readonly segment?: string;
      /** The breaching rule's type (absent in commands stored before it was kept: the signal's first rule). */
      readonly rule?: string;
      /** The gate's previous look, where the trend explained the breach then: this is a repeated look. */
      readonly trend?: TrendLook;
    }
  | { readonly type: 'retrieve-target'; readonly excluding: readonly string[] }
  | { readonly type: 'cutover'; readonly target: ArtifactRef; readonly operationId: string }
  | { readonly type: 'await-ready'; readonly target: ArtifactRef }
  | {
      readonly type: 'record-verification';
      readonly artifact: ArtifactRef;
      readonly evidence: VerificationEvidence;
    }
  | { readonly type: 'save-guard'; readonly guard: RollbackGuard }
  | { readonly type: 'notify'; readonly notification: Notification }
  | { readonly type: 'write-audit'; readonly record: AuditRecord };

/** What the interpreter feeds back after running a command (or from outside: a stop). */
export type MachineEvent =
  | { readonly type: 'current-identified'; readonly at: number; readonly artifact: ArtifactRef }
  | { readonly type: 'current-failed'; readonly at: number; readonly error: SerializedRollgateError }
  | { readonly type: 'weight-set'; readonly at: number; readonly weight: number }
  | { readonly type: 'weight-failed'; readonly at: number; readonly error: SerializedRollgateError }
  | {
      readonly type: 'evaluated';
      readonly at: number;
      readonly watch: WatchState;
      readonly evaluation: Evaluation;
    }
  | { readonly type: 'onset-found'; readonly at: number; readonly finding: OnsetFinding }
  | {
      readonly type: 'target-retrieved';
      readonly at: number;
      readonly verified: CheckedVerification | null;
      readonly candidates: readonly ArtifactRef[];
    }
  | { readonly type: 'retrieval-failed'; readonly at: number; readonly error: SerializedRollgateError }
  | { readonly type: 'cutover-done'; readonly at: number; readonly receipt: CutoverReceipt }
  | { readonly type: 'cutover-failed'; readonly at: number; readonly error: SerializedRollgateError }
  | { readonly type: 'gate-passed'; readonly at: number; readonly report: GateReport }
  | { readonly type: 'gate-failed'; readonly at: number; readonly error: SerializedRollgateError }
  | { readonly type: 'verification-recorded'; readonly at: number; readonly keyId: string }
  | { readonly type: 'verification-failed'; readonly at: number; readonly error: SerializedRollgateError }
  | { readonly type: 'guard-saved'; readonly at: number }
  | {
      readonly type: 'notified';
      readonly at: number;
      readonly notification: Notification;
      readonly error?: string;
    }
  | { readonly type: 'audit-written'; readonly at: number }
  | { readonly type: 'audit-failed'; readonly at: number; readonly error: SerializedRollgateError }
  | { readonly type: 'kill-switch'; readonly at: number; readonly reason: string }
  | { readonly type: 'control'; readonly at: number; readonly request: ControlRequest };

/** What a human can ask of a watch (see docs/cli.md, `rollgate promote|abort|retry`). */
export type ControlAction = 'promote' | 'abort' | 'retry';

/**
 * A human decision for one watch, delivered through the StateStore under its own key and applied
 * by whichever process runs the watch, at its next step. `actor` and `reason` go into the audit.
 */
export interface ControlRequest {
  /** Unique per request; requests of one watch are applied in ascending id order. */
  readonly id: string;
  readonly watchId: string;
  readonly action: ControlAction;
  /** Who asked, as the caller identified them (e.g. `github:alice`, `bob@build-7`). */
  readonly actor: string;
  /** Why, in the asker's words (may be empty). */
  readonly reason: string;
  /** Epoch ms the request was made. */
  readonly requestedAt: number;
}

/** A request as the machine answered it: applied (it steered the watch) or refused, and why. */
export interface ControlRecord extends ControlRequest {
  /** Epoch ms the watch picked the request up. */
  readonly at: number;
  /** The state the watch was in when it did. */
  readonly state: MachineStateName;
  readonly result: 'applied' | 'refused';
  /** What happened, or why nothing did, in words for the asker. */
  readonly detail: string;
}

/**
 * Where `retry` resumes a halted or escalated watch: the step that failed. `resume` re-issues
 * the commands that were pending when the kill switch stopped the watch.
 */
export interface RetryPoint {
  readonly state: MachineStateName;
  readonly step: 'resume' | 'weight' | 'bake' | 'onset' | 'retrieve' | 'cutover' | 'gate' | 'verify';
  readonly pending: readonly Command[];
}

/** One entry of the phase timeline. */
export interface PhaseEntry {
  readonly state: MachineStateName;
  readonly at: number;
  readonly reason: string;
}

/**
 * The machine's whole state as plain JSON, persisted through the StateStore after every
 * transition: load it and continue, and a crashed controller resumes where it was. `pending`
 * holds the commands issued and not yet answered; a resume runs them again, which is safe
 * because every command is idempotent (cutover per operationId, audit per watchId).
 */
export interface MachineSnapshot {
  readonly schema: 'rollgate.machine/v1';
  readonly watchId: string;
  readonly service: string;
  readonly state: MachineStateName;
  readonly startedAt: number;
  readonly deploy: DeployEvent;
  readonly options: WatchOptions;
  readonly guard: RollbackGuard;
  readonly watched: ArtifactRef | null;
  readonly bake: WatchState;
  readonly verify: WatchState | null;
  readonly stepIndex: number;
  readonly extensions: number;
  readonly lastDecision: Decision | null;
  readonly breach: {
    readonly confirmedAt: number;
    readonly signals: readonly string[];
    readonly evidence: readonly Verdict[];
    readonly reason: string;
  } | null;
  readonly validationAttempts: number;
  readonly onset: OnsetFinding | null;
  readonly target: ArtifactRef | null;
  readonly operationId: string | null;
  readonly cutover: {
    readonly requestedAt: number;
    readonly receipt: CutoverReceipt | null;
    readonly completedAt: number | null;
    readonly gate: { readonly ok: boolean; readonly detail: string; readonly at: number } | null;
    readonly error: SerializedRollgateError | null;
  } | null;
  readonly recovery: {
    readonly verified: boolean;
    /** How the verification ended (see the audit record's `recovery.status`). */
    readonly status?: 'verified' | 'not-recovered' | 'insufficient-traffic' | 'unverifiable';
    readonly reason: string;
    readonly readings: readonly Verdict[];
  } | null;
  readonly verification: {
    readonly recorded: boolean;
    readonly keyId?: string;
    readonly error?: string;
  } | null;
  readonly phases: readonly PhaseEntry[];
  /** Chart points per signal, as columns (`audit/chart-columns.ts`; the audit record's `series`). */
  readonly series: Readonly<Record<string, ChartColumns>>;
  readonly notifications: readonly { kind: string; title: string; ok: boolean; error?: string; at: number }[];
  readonly outcome: AuditRecord['outcome'] | null;
  readonly reason: string | null;
  readonly pending: readonly Command[];
  readonly auditWritten: boolean;
  readonly auditAttempts: number;
  /**
   * Human requests this watch picked up, in order, applied or refused. Absent in snapshots
   * written before requests existed (read as none).
   */
  readonly controls?: readonly ControlRecord[];
  /** The human decision (promote or abort) steering the watch now, if any. */
  readonly decidedBy?: ControlRecord | null;
  /**
   * Set when the watch halted or escalated: where `retry` resumes it, or null when a retry
   * would only meet the same guard again (the reason says what to do instead).
   */
  readonly retryFrom?: RetryPoint | null;
  /**
   * The audit record's revision: 1 for the first ending; a human request that reopens a
   * halted, escalated or held watch makes its next ending revision 2, and so on. Absent = 1.
   */
  readonly revision?: number;
}

/** The result of a transition: the next snapshot and the commands to run, in order. */
export interface Transition {
  readonly snapshot: MachineSnapshot;
  readonly commands: readonly Command[];
}
