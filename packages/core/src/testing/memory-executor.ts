import { RollgateError } from '../errors/rollgate-error';
import type { PortContext } from '../ports/abort';
import type { ArtifactRef, CutoverReceipt, Executor, GateReport } from '../ports/executor';
import { fail, ok, type Result } from '../ports/result';

/** Options of {@link createMemoryExecutor}. */
export interface MemoryExecutorOptions {
  readonly name?: string;
  /** Deployable artifacts, newest first. */
  readonly artifacts: readonly ArtifactRef[];
  /** The id of the artifact serving at the start. */
  readonly current: string;
  readonly supportsWeights?: boolean;
  /** Called after each effective switch (a simulated platform can change its telemetry). */
  readonly onSwitch?: (to: ArtifactRef, operationId: string) => void;
}

/** An in-memory Executor that records what it was asked to do. */
export interface MemoryExecutor extends Executor {
  /** Every cutover call, replays included. */
  readonly cutoverCalls: { readonly target: string; readonly operationId: string }[];
  /** Effective switches (the current artifact changed), per operationId. */
  readonly switches: { readonly from: string; readonly to: string; readonly operationId: string }[];
  readonly weights: { readonly artifact: string; readonly weight: number; readonly operationId: string }[];
  /** The id serving now. */
  currentId(): string;
  /** Simulates a deploy made outside Rollgate (a pipeline): `id` serves from now on. */
  deployExternally(id: string): void;
  /** The next call of `method` fails with `error` (`count` times). */
  failNext(
    method: 'current' | 'candidates' | 'cutover' | 'awaitReady' | 'setWeight',
    error: RollgateError,
    count?: number,
  ): void;
}

/**
 * A simulated platform for tests and backtests. `cutover` is idempotent per operationId (a
 * replay of a completed operation, or a cutover to what is already serving, changes nothing),
 * as the Executor port requires.
 */
export function createMemoryExecutor(options: MemoryExecutorOptions): MemoryExecutor {
  let current = options.current;
  const done = new Map<string, CutoverReceipt>();
  const failures: Partial<Record<string, RollgateError[]>> = {};
  const cutoverCalls: MemoryExecutor['cutoverCalls'] = [];
  const switches: MemoryExecutor['switches'] = [];
  const weights: MemoryExecutor['weights'] = [];
  const find = (id: string) => options.artifacts.find((a) => a.id === id);
  const injected = (method: string): RollgateError | undefined => failures[method]?.shift();
  const guard = (ctx: PortContext, method: string): RollgateError | undefined => {
    if (ctx.signal.aborted) return new RollgateError('ABORTED', 'aborted', { component: 'memory-executor' });
    return injected(method);
  };

  const executor: MemoryExecutor = {
    name: options.name ?? 'memory-executor',
    supportsWeights: options.supportsWeights ?? false,
    cutoverCalls,
    switches,
    weights,
    currentId: () => current,
    deployExternally(id) {
      current = id;
    },
    failNext(method, error, count = 1) {
      const list = failures[method] ?? [];
      for (let i = 0; i < count; i++) list.push(error);
      failures[method] = list;
    },
    async current(ctx): Promise<Result<ArtifactRef>> {
      const e = guard(ctx, 'current');
      if (e) return fail(e);
      return ok(find(current) ?? { id: current });
    },
    async candidates(ctx): Promise<Result<readonly ArtifactRef[]>> {
      const e = guard(ctx, 'candidates');
      if (e) return fail(e);
      return ok([...options.artifacts]);
    },
    async cutover(target, operationId, ctx): Promise<Result<CutoverReceipt>> {
      cutoverCalls.push({ target: target.id, operationId });
      const e = guard(ctx, 'cutover');
      if (e) return fail(e);
      const previous = done.get(operationId);
      if (previous) {
        const switchedEarlier = previous.changed || previous.switchedEarlier === true;
        return ok({
          ...previous,
          changed: false,
          ...(switchedEarlier ? { switchedEarlier } : {}),
          detail: `operation ${operationId} already applied`,
        });
      }
      const to = find(target.id);
      if (!to) {
        return fail(
          new RollgateError('ARTIFACT_NOT_FOUND', `no artifact ${target.id}`, {
            component: 'memory-executor',
          }),
        );
      }
      const from = find(current) ?? { id: current };
      if (current === to.id) {
        const receipt = { operationId, from, to, changed: false, detail: `${to.id} already serving` };
        done.set(operationId, receipt);
        return ok(receipt);
      }
      current = to.id;
      switches.push({ from: from.id, to: to.id, operationId });
      const receipt = { operationId, from, to, changed: true, detail: `switched ${from.id} -> ${to.id}` };
      done.set(operationId, receipt);
      options.onSwitch?.(to, operationId);
      return ok(receipt);
    },
    async awaitReady(target, ctx): Promise<Result<GateReport>> {
      const e = guard(ctx, 'awaitReady');
      if (e) return fail(e);
      if (current !== target.id) {
        return fail(
          new RollgateError('GATE_FAILED', `${target.id} is not serving (${current} is)`, {
            component: 'memory-executor',
          }),
        );
      }
      return ok({ ready: true, detail: `${target.id} serving` });
    },
    async setWeight(artifact, weightPercent, operationId, ctx): Promise<Result<void>> {
      const e = guard(ctx, 'setWeight');
      if (e) return fail(e);
      weights.push({ artifact: artifact.id, weight: weightPercent, operationId });
      return ok(undefined);
    },
    async dispose() {},
  };
  return executor;
}
