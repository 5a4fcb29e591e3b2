import {
  describeArtifactStoreContract,
  describeAuditSinkContract,
  describeStateStoreContract,
  describeWatchLeaseContract,
  payloadFixture,
} from '@rollgate/testkit';
import { describe, expect, it } from 'vitest';
import { RollgateError } from '../../src/errors/rollgate-error';
import { createMemoryArtifactStore } from '../../src/testing/memory-artifact-store';
import { createMemoryAuditSink } from '../../src/testing/memory-audit-sink';
import type { FakeCall } from '../../src/testing/memory-faults';
import { createMemoryStateStore } from '../../src/testing/memory-state-store';
import { createMemoryLeaseTable, createMemoryWatchLease } from '../../src/testing/memory-watch-lease';
import { SimulatedClock } from '../../src/testing/simulated-clock';
import { insecureTestSigner } from '../../src/testing/test-signer';
import { auditRecordFixture } from './fixtures/audit-record-fixture';
import { liveContext } from './fixtures/port-context';

describeStateStoreContract('memory', async (clock) => {
  const store = createMemoryStateStore({ clock });
  return { store, corrupt: async (key) => store.corrupt(key), teardown: async () => {} };
});

describeWatchLeaseContract('memory', async (clock) => {
  const leases = createMemoryLeaseTable(clock);
  const ttlMs = 10_000;
  return {
    lease: () => createMemoryWatchLease({ table: leases, ttlMs }),
    state: createMemoryStateStore({ clock, leases }),
    expire: async () => clock.advance(ttlMs + 1),
    teardown: async () => {},
  };
});

describeAuditSinkContract('memory', async (clock) => {
  const sink = createMemoryAuditSink({ clock });
  return { sink, storedCount: async () => sink.records.length, teardown: async () => {} };
});

describeArtifactStoreContract(
  'memory with the insecure test signer',
  async ({ clock, keep, brokenSigner }) => {
    const store = createMemoryArtifactStore({
      signer: brokenSigner ?? insecureTestSigner('ci-test'),
      clock,
      ...(keep === undefined ? {} : { keep }),
    });
    return {
      store,
      tamper: async (service, id, patch) => store.tamper(service, id, patch),
      teardown: async () => {},
    };
  },
  (keep) => createMemoryArtifactStore({ signer: insecureTestSigner(), keep }),
  150,
);

describe('in-memory fakes: test helpers', () => {
  const ctx = () => liveContext();
  const boom = new RollgateError('STORE_FAILED', 'injected', { retryable: true });

  it('the state store exposes snapshots, keys and the save count, and can be seeded', async () => {
    const store = createMemoryStateStore();
    store.set('resume', { state: 'CuttingOver', operationId: 'op-1' });
    expect(await store.load('resume', ctx())).toEqual({
      ok: true,
      value: { state: 'CuttingOver', operationId: 'op-1' },
    });
    await store.save('other', { n: 1 }, ctx());
    expect(store.keys).toEqual(['resume', 'other']);
    expect(store.saveCount).toBe(1);
    expect(store.get('other')).toEqual({ n: 1 });
    expect(store.get('missing')).toBeUndefined();
    expect(() => store.set('bad', undefined)).toThrow(/undefined/);
  });

  it('the state store lists a prefix in key order however the keys were stored', async () => {
    const store = createMemoryStateStore();
    // Saved out of order, with neighbours sharing the prefix's first characters (w1 vs w10).
    for (const key of [
      'watch/w2',
      'control/w10/b',
      'control/w1/c',
      'watch/w1',
      'control/w1/a',
      'control/w2/a',
    ])
      await store.save(key, { key }, ctx());
    store.set('control/w1/b', { seeded: true });
    store.corrupt('control/w1/0');
    expect(await store.list('control/w1/', ctx())).toEqual({
      ok: true,
      value: ['control/w1/0', 'control/w1/a', 'control/w1/b', 'control/w1/c'],
    });
    expect(await store.list('control/w1', ctx())).toEqual({
      ok: true,
      value: ['control/w1/0', 'control/w1/a', 'control/w1/b', 'control/w1/c', 'control/w10/b'],
    });
    expect(await store.list('', ctx())).toEqual({ ok: true, value: [...store.keys].sort() });
    expect(await store.list('control/w3/', ctx())).toEqual({ ok: true, value: [] });
    expect(await store.list('zzz', ctx())).toEqual({ ok: true, value: [] });
    // Saving a key again (or clearing it with null) does not list it twice.
    await store.save('control/w1/a', null, ctx());
    expect((await store.list('control/w1/a', ctx())) as unknown).toEqual({
      ok: true,
      value: ['control/w1/a'],
    });
  });

  it('fault injection fails a call before or after its effect, as asked', async () => {
    const calls: FakeCall[] = [];
    let mode: 'skip' | 'apply' | 'none' = 'skip';
    const store = createMemoryStateStore({
      fault: (call) => {
        calls.push(call);
        return mode === 'none' ? undefined : { error: boom, effect: mode };
      },
    });
    expect(await store.save('k', { v: 1 }, ctx())).toEqual({ ok: false, error: boom });
    expect(store.get('k')).toBeUndefined();
    mode = 'apply';
    expect(await store.save('k', { v: 2 }, ctx())).toEqual({ ok: false, error: boom });
    expect(store.get('k')).toEqual({ v: 2 });
    mode = 'none';
    expect(await store.load('k', ctx())).toEqual({ ok: true, value: { v: 2 } });
    expect(calls.map((c) => `${c.port}.${c.method}:${c.subject}`)).toEqual([
      'state.save:k',
      'state.save:k',
      'state.load:k',
    ]);
  });

  it('an audit write failing after its effect still keeps one record on the retry', async () => {
    let failures = 1;
    const sink = createMemoryAuditSink({
      fault: () => (failures-- > 0 ? { error: boom, effect: 'apply' } : undefined),
    });
    const record = auditRecordFixture('watch-1');
    expect((await sink.write(record, ctx())).ok).toBe(false);
    expect((await sink.write(record, ctx())).ok).toBe(true);
    expect(sink.records).toEqual([record]);
    expect(sink.writeCount).toBe(2);
  });

  it('an artifact store fault is a plain error shorthand and skips the effect', async () => {
    const store = createMemoryArtifactStore({
      signer: insecureTestSigner(),
      fault: (call) => (call.method === 'record' ? boom : undefined),
    });
    expect(await store.record(payloadFixture('checkout', '1@a', 1), ctx())).toEqual({
      ok: false,
      error: boom,
    });
    expect(store.records).toEqual([]);
  });

  it('tamper accepts a field patch and refuses an unknown record', async () => {
    const store = createMemoryArtifactStore({ signer: insecureTestSigner() });
    await store.record(payloadFixture('checkout', '1@a', 1), ctx());
    store.tamper('checkout', '1@a', { verifiedAt: 99 });
    const last = await store.lastVerified('checkout', { excluding: [] }, ctx());
    expect(last.ok && last.value?.record.verifiedAt).toBe(99);
    expect(last.ok && last.value?.signatureValid).toBe(false);
    expect(() => store.tamper('checkout', 'nope', {})).toThrow(/no record/);
  });

  it('deadlines are only checked when the fake is given a clock', async () => {
    const past = { signal: new AbortController().signal, deadline: 0 };
    expect((await createMemoryStateStore().save('k', 1, past)).ok).toBe(true);
    const clock = new SimulatedClock(10);
    const timed = await createMemoryStateStore({ clock }).save('k', 1, past);
    expect(!timed.ok && timed.error.code).toBe('TIMEOUT');
  });
});
