import type { PortContext } from './abort';
import type { Result } from './result';

/**
 * A deployable version as an executor knows it. `id` is stable and unique per target
 * (a Deployer release `42`, a Kubernetes `<deployment>@<pod-template-hash>`: never something
 * a rollback changes, such as a revision number).
 */
export interface ArtifactRef {
  readonly id: string;
  /** Source revision (git sha) or the platform's revision number. */
  readonly revision?: string;
  /** Content identity: image digest, pod-template hash. */
  readonly digest?: string;
  /** A human label: a tag such as `v1.4.2`, a branch. */
  readonly target?: string;
  /** Epoch ms the artifact was deployed or built. */
  readonly createdAt?: number;
  /**
   * Database schema facts. `version` is the schema this artifact runs against;
   * `minCompatible`, when set on a newer artifact, is the oldest schema version whose code still
   * works after its migrations ran. The rollback machine refuses to roll back to an artifact whose
   * `version` is below (or unknown next to) the failing artifact's `minCompatible`: the watch
   * ends halted, nothing changed, with the reason (docs/errors.md: an outcome, not an error).
   */
  readonly schema?: { readonly version: number; readonly minCompatible?: number };
  /** Adapter-specific facts (images, host names). Strings only, no secrets. */
  readonly attributes?: Readonly<Record<string, string>>;
}

/** What a cutover did. `changed: false` means the target was already live (idempotent replay). */
export interface CutoverReceipt {
  readonly operationId: string;
  readonly from: ArtifactRef | null;
  readonly to: ArtifactRef;
  /** Whether this call moved traffic. */
  readonly changed: boolean;
  /**
   * On a replay (`changed: false`): an earlier call with the same operationId moved traffic,
   * and its process stopped before the receipt was recorded. The audit reports the operation's
   * switch (`cutover.changed: true`), not the replaying call's. Executors that keep a record of
   * their operations (Deployer's journal) SHOULD set it.
   */
  readonly switchedEarlier?: boolean;
  /** Human-readable detail for the audit record (hosts switched, patch applied). */
  readonly detail: string;
}

/** The outcome of the readiness gate after a cutover. */
export interface GateReport {
  readonly ready: true;
  /** How the gate decided (probes passed, rollout status), for the audit record. */
  readonly detail: string;
}

/**
 * Something that can put traffic on an artifact: a Deployer release directory, a Kubernetes
 * Deployment. Rules for implementers:
 * - Methods MUST NOT throw for platform failures: they resolve to a {@link Result}.
 * - `cutover` MUST be idempotent per `operationId`: calling it again with the same id (after a
 *   crash and resume) never switches twice; when `target` is already live it resolves with
 *   `changed: false`.
 * - `cutover` MUST go through the same path deploys use (the platform's own switch), never a
 *   side channel.
 * - `awaitReady` resolves `ok` only when the new state serves traffic; it fails with
 *   `GATE_FAILED` when the platform says it never will, and `TIMEOUT` at `ctx.deadline`.
 * - Nothing secret goes into errors, receipts or artifact attributes.
 */
export interface Executor {
  /** A short name for logs and audit records, e.g. `deployer-local`. */
  readonly name: string;
  /** True when the executor can split traffic by weight (progressive delivery). */
  readonly supportsWeights: boolean;
  /** The artifact serving traffic now. */
  current(ctx: PortContext): Promise<Result<ArtifactRef>>;
  /** Artifacts the executor can cut over to, newest first (may include the current one). */
  candidates(ctx: PortContext): Promise<Result<readonly ArtifactRef[]>>;
  /** Puts traffic on `target`. MUST be idempotent per `operationId`. */
  cutover(target: ArtifactRef, operationId: string, ctx: PortContext): Promise<Result<CutoverReceipt>>;
  /** The readiness gate on the state after a cutover. */
  awaitReady(target: ArtifactRef, ctx: PortContext): Promise<Result<GateReport>>;
  /**
   * Progressive delivery: route `weightPercent` (0..100) of traffic to `artifact`, the rest to
   * the stable artifact. Only when `supportsWeights`. MUST be idempotent per `operationId`.
   */
  setWeight?(
    artifact: ArtifactRef,
    weightPercent: number,
    operationId: string,
    ctx: PortContext,
  ): Promise<Result<void>>;
  /** Releases what the executor created; idempotent. */
  dispose(): Promise<void>;
}
