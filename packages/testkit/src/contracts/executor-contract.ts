import type { ArtifactRef, Executor, PortContext } from '@rollgate/core';
import { RollgateError } from '@rollgate/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

// Adapters start processes and servers here: generous per-test limits, so a busy machine (CI at
// load 10 on 2 cores) slows the suite down without failing it. Outcomes are asserted, not times.
const TEST_TIMEOUT_MS = 60_000;

/** What an adapter's test provides so the shared suite can exercise it. */
export interface ExecutorContractHarness {
  /** An executor over a fresh platform state where `current()` is not `target()`. */
  executor: Executor;
  /** Now, by the clock deadlines are compared with (epoch ms). */
  now(): number;
  /** An executor over a platform that fails every call (unreachable API, missing deploy path). */
  failing: Executor;
  /**
   * The same adapter over a platform where a cutover succeeds but the target never becomes ready
   * (health URLs failing, a rollout that never progresses), with its own gate timeout short (a few
   * seconds at most): its `awaitReady` must fail.
   */
  unready: Executor;
  teardown(): Promise<void>;
}

/**
 * The suite every `Executor` adapter runs: the result union, the cutover round trip,
 * idempotency per operationId, a readiness gate that passes when the target serves and fails
 * when it never will, refusal of unknown artifacts, abort honoured, no mutation of inputs,
 * idempotent dispose. `setup` is called before every test with a fresh platform state.
 */
export function describeExecutorContract(name: string, setup: () => Promise<ExecutorContractHarness>): void {
  describe(`Executor contract: ${name}`, () => {
    let h: ExecutorContractHarness;
    const ctx = (): PortContext => ({ signal: new AbortController().signal, deadline: h.now() + 30_000 });

    beforeEach(async () => {
      h = await setup();
    }, TEST_TIMEOUT_MS);
    afterEach(async () => {
      await h.teardown();
    }, TEST_TIMEOUT_MS);

    async function pickTarget(
      executor: Executor = h.executor,
    ): Promise<{ current: ArtifactRef; target: ArtifactRef }> {
      const current = await executor.current(ctx());
      expect(current.ok).toBe(true);
      const list = await executor.candidates(ctx());
      expect(list.ok).toBe(true);
      if (!current.ok || !list.ok) throw new Error('unreachable');
      const target = list.value.find((a) => a.id !== current.value.id);
      expect(target).toBeDefined();
      if (!target) throw new Error('unreachable');
      return { current: current.value, target: Object.freeze({ ...target }) };
    }

    it(
      'identifies the running artifact and lists candidates with unique ids',
      async () => {
        const current = await h.executor.current(ctx());
        expect(current.ok).toBe(true);
        if (current.ok) expect(current.value.id.length).toBeGreaterThan(0);
        const list = await h.executor.candidates(ctx());
        expect(list.ok).toBe(true);
        if (list.ok) {
          const ids = list.value.map((a) => a.id);
          expect(new Set(ids).size).toBe(ids.length);
          expect(ids.length).toBeGreaterThan(0);
        }
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'cuts over to a candidate and reports the change',
      async () => {
        const { current, target } = await pickTarget();
        const receipt = await h.executor.cutover(target, 'op-contract-1', ctx());
        expect(receipt.ok).toBe(true);
        if (receipt.ok) {
          expect(receipt.value.operationId).toBe('op-contract-1');
          expect(receipt.value.changed).toBe(true);
          expect(receipt.value.to.id).toBe(target.id);
          expect(receipt.value.from?.id).toBe(current.id);
        }
        const after = await h.executor.current(ctx());
        expect(after.ok && after.value.id).toBe(target.id);
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'is idempotent per operationId: a replay changes nothing',
      async () => {
        const { target } = await pickTarget();
        const first = await h.executor.cutover(target, 'op-contract-2', ctx());
        expect(first.ok).toBe(true);
        const replay = await h.executor.cutover(target, 'op-contract-2', ctx());
        expect(replay.ok).toBe(true);
        if (replay.ok) expect(replay.value.changed).toBe(false);
        const after = await h.executor.current(ctx());
        expect(after.ok && after.value.id).toBe(target.id);
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'passes the readiness gate after a cutover',
      async () => {
        const { target } = await pickTarget();
        const receipt = await h.executor.cutover(target, 'op-contract-3', ctx());
        expect(receipt.ok).toBe(true);
        const gate = await h.executor.awaitReady(target, ctx());
        expect(gate.ok).toBe(true);
        if (gate.ok) expect(gate.value.detail.length).toBeGreaterThan(0);
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'fails the readiness gate (GATE_FAILED or TIMEOUT) when the target never becomes ready',
      async () => {
        const { target } = await pickTarget(h.unready);
        const receipt = await h.unready.cutover(target, 'op-contract-7', ctx());
        expect(receipt.ok).toBe(true);
        const gate = await h.unready.awaitReady(target, {
          signal: new AbortController().signal,
          deadline: h.now() + 15_000,
        });
        expect(gate.ok, 'awaitReady said ok for a target that never became ready').toBe(false);
        if (!gate.ok) expect(['GATE_FAILED', 'TIMEOUT']).toContain(gate.error.code);
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'refuses an unknown artifact without changing anything',
      async () => {
        const before = await h.executor.current(ctx());
        const unknown: ArtifactRef = Object.freeze({ id: 'rollgate-contract-no-such-artifact' });
        const receipt = await h.executor.cutover(unknown, 'op-contract-4', ctx());
        expect(receipt.ok).toBe(false);
        if (!receipt.ok) expect(RollgateError.is(receipt.error)).toBe(true);
        const after = await h.executor.current(ctx());
        expect(after.ok && before.ok && after.value.id === before.value.id).toBe(true);
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'honours an already-aborted signal: ABORTED and nothing changed',
      async () => {
        const { current, target } = await pickTarget();
        const c = new AbortController();
        c.abort(new Error('caller gave up'));
        const receipt = await h.executor.cutover(target, 'op-contract-5', {
          signal: c.signal,
          deadline: h.now() + 30_000,
        });
        expect(receipt.ok).toBe(false);
        if (!receipt.ok) expect(receipt.error.code).toBe('ABORTED');
        const after = await h.executor.current(ctx());
        expect(after.ok && after.value.id).toBe(current.id);
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'resolves platform failures to error results instead of throwing',
      async () => {
        const current = await h.failing.current(ctx());
        expect(current.ok).toBe(false);
        if (!current.ok) expect(RollgateError.is(current.error)).toBe(true);
        const receipt = await h.failing.cutover(Object.freeze({ id: 'x' }), 'op-contract-6', ctx());
        expect(receipt.ok).toBe(false);
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'disposes idempotently',
      async () => {
        await h.executor.dispose();
        await expect(h.executor.dispose()).resolves.toBeUndefined();
      },
      TEST_TIMEOUT_MS,
    );
  });
}
