import type { ArtifactRef, Executor, PortContext } from '@rollgate/core';
import { RollgateError } from '@rollgate/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

/** What an adapter's test provides so the shared suite can exercise it. */
export interface ExecutorContractHarness {
  /** An executor over a fresh platform state where `current()` is not `target()`. */
  executor: Executor;
  /** Now, by the clock deadlines are compared with (epoch ms). */
  now(): number;
  /** An executor over a platform that fails every call (unreachable API, missing deploy path). */
  failing: Executor;
  teardown(): Promise<void>;
}

/**
 * The suite every `Executor` adapter runs (STYLE.md item 3): the result union, the cutover
 * round trip, idempotency per operationId, refusal of unknown artifacts, abort honoured, no
 * mutation of inputs, idempotent dispose. `setup` is called before every test with a fresh
 * platform state.
 */
export function describeExecutorContract(name: string, setup: () => Promise<ExecutorContractHarness>): void {
  describe(`Executor contract: ${name}`, () => {
    let h: ExecutorContractHarness;
    const ctx = (): PortContext => ({ signal: new AbortController().signal, deadline: h.now() + 30_000 });

    beforeEach(async () => {
      h = await setup();
    });
    afterEach(async () => {
      await h.teardown();
    });

    async function pickTarget(): Promise<{ current: ArtifactRef; target: ArtifactRef }> {
      const current = await h.executor.current(ctx());
      expect(current.ok).toBe(true);
      const list = await h.executor.candidates(ctx());
      expect(list.ok).toBe(true);
      if (!current.ok || !list.ok) throw new Error('unreachable');
      const target = list.value.find((a) => a.id !== current.value.id);
      expect(target).toBeDefined();
      if (!target) throw new Error('unreachable');
      return { current: current.value, target: Object.freeze({ ...target }) };
    }

    it('identifies the running artifact and lists candidates with unique ids', async () => {
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
    });

    it('cuts over to a candidate and reports the change', async () => {
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
    });

    it('is idempotent per operationId: a replay changes nothing', async () => {
      const { target } = await pickTarget();
      const first = await h.executor.cutover(target, 'op-contract-2', ctx());
      expect(first.ok).toBe(true);
      const replay = await h.executor.cutover(target, 'op-contract-2', ctx());
      expect(replay.ok).toBe(true);
      if (replay.ok) expect(replay.value.changed).toBe(false);
      const after = await h.executor.current(ctx());
      expect(after.ok && after.value.id).toBe(target.id);
    });

    it('passes the readiness gate after a cutover', async () => {
      const { target } = await pickTarget();
      const receipt = await h.executor.cutover(target, 'op-contract-3', ctx());
      expect(receipt.ok).toBe(true);
      const gate = await h.executor.awaitReady(target, ctx());
      expect(gate.ok).toBe(true);
      if (gate.ok) expect(gate.value.detail.length).toBeGreaterThan(0);
    });

    it('refuses an unknown artifact without changing anything', async () => {
      const before = await h.executor.current(ctx());
      const unknown: ArtifactRef = Object.freeze({ id: 'rollgate-contract-no-such-artifact' });
      const receipt = await h.executor.cutover(unknown, 'op-contract-4', ctx());
      expect(receipt.ok).toBe(false);
      if (!receipt.ok) expect(RollgateError.is(receipt.error)).toBe(true);
      const after = await h.executor.current(ctx());
      expect(after.ok && before.ok && after.value.id === before.value.id).toBe(true);
    });

    it('honours an already-aborted signal: ABORTED and nothing changed', async () => {
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
    });

    it('resolves platform failures to error results instead of throwing', async () => {
      const current = await h.failing.current(ctx());
      expect(current.ok).toBe(false);
      if (!current.ok) expect(RollgateError.is(current.error)).toBe(true);
      const receipt = await h.failing.cutover(Object.freeze({ id: 'x' }), 'op-contract-6', ctx());
      expect(receipt.ok).toBe(false);
    });

    it('disposes idempotently', async () => {
      await h.executor.dispose();
      await expect(h.executor.dispose()).resolves.toBeUndefined();
    });
  });
}
