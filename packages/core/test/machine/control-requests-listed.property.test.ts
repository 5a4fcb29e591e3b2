import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RollgateError } from '../../src/errors/rollgate-error';
import {
  controlRequestPrefix,
  controlRequestsListed,
  createControlRequest,
  pendingControlRequests,
} from '../../src/machine/control-requests';
import type { ControlRequest } from '../../src/machine/machine-state';
import { fail, ok } from '../../src/ports/result';
import type { StateStore } from '../../src/ports/state-store';
import { createMemoryStateStore } from '../../src/testing/memory-state-store';

const ctx = { signal: new AbortController().signal, deadline: Number.POSITIVE_INFINITY };
const WATCH = 'w1';

/** A stored entry under some watch's prefix: a request, a damaged value, or a null. */
const entry = fc.record({
  watch: fc.constantFrom(WATCH, 'w10', 'w2'),
  id: fc.stringMatching(/^[a-z0-9]{1,8}$/),
  action: fc.constantFrom('promote' as const, 'abort' as const, 'retry' as const),
  shape: fc.constantFrom('request', 'request', 'request', 'damaged', 'null'),
  answered: fc.boolean(),
});

describe('controlRequestsListed (the interpreter lists, then asks it)', () => {
  it('answers as pendingControlRequests for any stored requests, damaged values and answered ones', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(entry, { maxLength: 8 }), async (entries) => {
        const state = createMemoryStateStore();
        const controls: { id: string }[] = [];
        for (const e of entries) {
          const key = `${controlRequestPrefix(e.watch)}${e.id}`;
          const request = createControlRequest(
            { watchId: e.watch, action: e.action, actor: 'ana' },
            1000,
            e.id,
          );
          const value = e.shape === 'request' ? request : e.shape === 'damaged' ? { action: 7 } : null;
          await state.save(key, value, ctx);
          if (e.answered && e.watch === WATCH) controls.push({ id: e.id });
        }
        const snapshot = { watchId: WATCH, controls } as unknown as Parameters<
          typeof pendingControlRequests
        >[1];
        const expected = await pendingControlRequests(state, snapshot, ctx);
        // The answer written out from the entries (the last save of a key wins): the watch's
        // unanswered requests by id, a problem for each damaged value, nulls skipped.
        const last = new Map<string, (typeof entries)[number]>();
        for (const e of entries) if (e.watch === WATCH) last.set(e.id, e);
        const answered = new Set(controls.map((c) => c.id));
        const open = [...last.values()].filter((e) => !answered.has(e.id));
        expect(expected.ok).toBe(true);
        if (expected.ok) {
          expect(expected.value.requests.map((r) => r.id)).toEqual(
            open
              .filter((e) => e.shape === 'request')
              .map((e) => e.id)
              .sort(),
          );
          expect(expected.value.problems.length).toBe(open.filter((e) => e.shape === 'damaged').length);
        }
        const prefix = controlRequestPrefix(WATCH);
        const listed = controlRequestsListed(state, snapshot, prefix, await state.list(prefix, ctx), ctx);
        const got = listed instanceof Promise ? await listed : listed;
        expect(got).toEqual(expected);
        expect(JSON.stringify(got)).toBe(JSON.stringify(expected));
        // Nothing under the watch's own prefix: answered at once, the shared empty answer.
        const mine = entries.filter((e) => e.watch === WATCH);
        if (mine.length === 0) {
          expect(listed instanceof Promise).toBe(false);
          expect(got).toBe(expected);
          expect(got).toEqual(ok({ requests: [], problems: [] }));
        }
      }),
      { numRuns: 150 },
    );
  });

  it('fails as pendingControlRequests does when the listing fails', async () => {
    const error = new RollgateError('STORE_FAILED', 'down', { component: 'store' });
    const state = {
      list: async () => fail(error),
    } as unknown as StateStore;
    const snapshot = { watchId: WATCH, controls: [] } as unknown as Parameters<
      typeof pendingControlRequests
    >[1];
    const prefix = controlRequestPrefix(WATCH);
    const listed = controlRequestsListed(state, snapshot, prefix, await state.list(prefix, ctx), ctx);
    expect(listed).toEqual(await pendingControlRequests(state, snapshot, ctx));
    expect(listed).toEqual(fail(error));
  });

  it('loads only the unanswered requests, oldest first', async () => {
    const state = createMemoryStateStore();
    const make = (id: string): ControlRequest =>
      createControlRequest({ watchId: WATCH, action: 'abort', actor: 'ana' }, 1000, id);
    for (const id of ['b', 'a', 'c']) await state.save(`${controlRequestPrefix(WATCH)}${id}`, make(id), ctx);
    const snapshot = { watchId: WATCH, controls: [{ id: 'b' }] } as unknown as Parameters<
      typeof pendingControlRequests
    >[1];
    const prefix = controlRequestPrefix(WATCH);
    const listed = controlRequestsListed(state, snapshot, prefix, await state.list(prefix, ctx), ctx);
    expect(listed instanceof Promise).toBe(true);
    const got = await listed;
    expect(got.ok && got.value.requests.map((r) => r.id)).toEqual(['a', 'c']);
  });
});
