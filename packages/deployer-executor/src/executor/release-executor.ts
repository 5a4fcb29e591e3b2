import {
  type ArtifactRef,
  type Clock,
  type CutoverReceipt,
  fail,
  type GateReport,
  ok,
  type PortContext,
  type Result,
  RollgateError,
} from '@rollgate/core';
import { SerialQueue } from '@rollgate/core/node';
import { contextError } from '../context/port-context';
import type { DeployerExecutor } from '../deployer-executor';
import { executorError } from '../errors/executor-error';
import { type GateSettings, runReadinessGate } from '../gate/readiness-gate';
import { defaultCandidate, selectableReleases } from '../release/release-rules';
import type { ReleaseSource, ReleaseView } from '../release/release-source';

/**
 * The Deployer executor over a {@link ReleaseSource}: both modes read releases, choose the
 * rollback candidate, refuse BAD_RELEASE targets, cut over one at a time and gate readiness the
 * same way; only how releases are read and `current` is switched differs.
 */
export class ReleaseExecutor<V extends ReleaseView> implements DeployerExecutor {
  readonly name: ReleaseSource['name'];
  readonly mode: ReleaseSource['mode'];
  readonly supportsWeights = false;
  readonly #source: ReleaseSource<V>;
  readonly #gate: GateSettings;
  readonly #clock: Clock;
  readonly #cutovers = new SerialQueue();

  constructor(source: ReleaseSource<V>, gate: GateSettings, clock: Clock) {
    this.#source = source;
    this.#gate = gate;
    this.#clock = clock;
    this.name = source.name;
    this.mode = source.mode;
  }

  current(ctx: PortContext): Promise<Result<ArtifactRef>> {
    return this.#guard('Reading the current release', ctx, async () => {
      const view = await this.#source.read(ctx);
      return view.ok ? ok(this.#source.ref(view.value.current, view.value)) : view;
    });
  }

  candidates(ctx: PortContext): Promise<Result<readonly ArtifactRef[]>> {
    return this.#guard('Listing the releases', ctx, async () => {
      const view = await this.#source.read(ctx);
      if (!view.ok) return view;
      return ok(selectableReleases(view.value.releases).map((r) => this.#source.ref(r, view.value)));
    });
  }

  rollbackCandidate(ctx: PortContext): Promise<Result<ArtifactRef>> {
    return this.#guard('Choosing the rollback candidate', ctx, async () => {
      const view = await this.#source.read(ctx);
      if (!view.ok) return view;
      const facts = defaultCandidate(view.value.releases, view.value.current);
      if (facts === undefined) {
        const { why, details } = this.#source.noCandidate(view.value);
        return fail(
          executorError('ARTIFACT_NOT_FOUND', `No more releases you can revert to. ${why}`, {
            details: { current: view.value.current.name, ...details },
          }),
        );
      }
      return ok(this.#source.ref(facts, view.value));
    });
  }

  cutover(target: ArtifactRef, operationId: string, ctx: PortContext): Promise<Result<CutoverReceipt>> {
    return this.#cutovers.run(() =>
      this.#guard('The cutover', ctx, async () => {
        if (typeof operationId !== 'string' || operationId.length === 0) {
          return fail(
            executorError('EXECUTOR_REFUSED', 'cutover needs a non-empty operationId to stay idempotent.'),
          );
        }
        return this.#source.cutover(target, operationId, ctx);
      }),
    );
  }

  awaitReady(target: ArtifactRef, ctx: PortContext): Promise<Result<GateReport>> {
    return this.#guard('The readiness gate', ctx, () =>
      runReadinessGate(this.#gate, this.#clock, target, ctx, (t, c) => this.#source.checkCurrent(t, c)),
    );
  }

  dispose(): Promise<void> {
    return this.#source.dispose();
  }

  /**
   * Runs one call: `ABORTED`/`TIMEOUT` before it starts when the context says so, and anything
   * thrown turned into a retryable `EXECUTOR_UNAVAILABLE` result with secrets redacted.
   */
  async #guard<T>(what: string, ctx: PortContext, body: () => Promise<Result<T>>): Promise<Result<T>> {
    const early = contextError(ctx, this.#clock, what);
    if (early) return fail(early);
    try {
      await this.#source.prepare();
      return await body();
    } catch (error) {
      if (RollgateError.is(error)) return fail(error);
      return fail(
        executorError(
          'EXECUTOR_UNAVAILABLE',
          `${what} failed: ${this.#source.redact((error as Error).message ?? String(error))}.`,
          { cause: error, retryable: true },
        ),
      );
    }
  }
}
