import type { StateStore } from '@rollgate/core';
import { SimulatedClock } from '@rollgate/core/testing';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { abortedContext, errorOf, liveContext, okValue } from './store-fixtures';

/** What a state store test needs from an implementation. */
export interface StateStoreContractHarness {
  readonly store: StateStore;
  /** Damages what is stored for `key`, as a crash or a bad edit would. */
  corrupt(key: string): Promise<void>;
  teardown(): Promise<void>;
}

/** The suite every `StateStore` runs (the file store, the in-memory fake, the PostgreSQL store):
 * snapshots round-trip as JSON, keys stay apart and path-like keys are refused, listing by prefix,
 * damage is `STATE_CORRUPT`, abort and deadline are honoured. `clock` is the store's clock for deadlines. */
export function describeStateStoreContract(
  name: string,
  setup: (clock: SimulatedClock) => Promise<StateStoreContractHarness>,
): void {
  describe(`StateStore contract: ${name}`, () => {
    let h: StateStoreContractHarness;
    let clock: SimulatedClock;
    const ctx = () => liveContext(clock.now());
    beforeEach(async () => {
      clock = new SimulatedClock(1_700_000_000_000);
      h = await setup(clock);
    });
    afterEach(async () => h.teardown());

    it('loads null for a key never saved', async () => {
      expect(okValue(await h.store.load('never-saved', ctx()))).toBeNull();
    });

    it('round-trips a snapshot and overwrites it', async () => {
      const first = { state: 'Watching', step: 1, nested: { list: [1, 'two', null, true] } };
      okValue(await h.store.save('watch-1', first, ctx()));
      expect(okValue(await h.store.load('watch-1', ctx()))).toEqual(first);
      okValue(await h.store.save('watch-1', { state: 'Verifying', step: 2 }, ctx()));
      expect(okValue(await h.store.load('watch-1', ctx()))).toEqual({ state: 'Verifying', step: 2 });
    });

    it('returns a copy: changing a loaded or saved object does not change what is stored', async () => {
      const snapshot = { state: 'Watching', list: [1] };
      okValue(await h.store.save('copy', snapshot, ctx()));
      snapshot.list.push(2);
      const loaded = okValue(await h.store.load('copy', ctx())) as { list: number[] };
      loaded.list.push(3);
      expect(okValue(await h.store.load('copy', ctx()))).toEqual({ state: 'Watching', list: [1] });
    });

    it('keeps keys apart, including ones that encode alike', async () => {
      const keys = ['a/b', 'a%2Fb', 'a:b', 'a b', '.hidden', 'wätch-ü', 'a_b', 'A-b'];
      for (const [i, key] of keys.entries()) okValue(await h.store.save(key, { i }, ctx()));
      for (const [i, key] of keys.entries()) expect(okValue(await h.store.load(key, ctx()))).toEqual({ i });
    });

    it('lists the keys under a prefix, sorted, including keys that encode specially', async () => {
      expect(okValue(await h.store.list('watch/', ctx()))).toEqual([]);
      const keys = ['watch/b--2', 'watch/a--1', 'guard/checkout', 'watch/wätch:ü', 'watchful'];
      for (const key of keys) okValue(await h.store.save(key, { key }, ctx()));
      expect(okValue(await h.store.list('watch/', ctx()))).toEqual([
        'watch/a--1',
        'watch/b--2',
        'watch/wätch:ü',
      ]);
      expect(okValue(await h.store.list('', ctx()))).toEqual([...keys].sort());
      expect(okValue(await h.store.list('none/', ctx()))).toEqual([]);
      expect(errorOf(await h.store.list('watch/', abortedContext(clock.now()))).code).toBe('ABORTED');
    });

    it('refuses path traversal and malformed keys without touching anything', async () => {
      for (const key of [
        '',
        '..',
        '.',
        '../escape',
        'a/../../etc/passwd',
        'a\\..\\b',
        '/etc/passwd',
        'C:\\evil',
        'C:/evil',
        'nul\u0000byte',
        'x'.repeat(300),
      ]) {
        const saved = errorOf(await h.store.save(key, { evil: true }, ctx()));
        expect(saved.code).toBe('CONFIG_INVALID');
        expect(errorOf(await h.store.load(key, ctx())).code).toBe('CONFIG_INVALID');
      }
    });

    it('refuses snapshots JSON cannot hold', async () => {
      const cyclic: Record<string, unknown> = {};
      cyclic.self = cyclic;
      expect(errorOf(await h.store.save('cyclic', cyclic, ctx())).code).toBe('STORE_FAILED');
      expect(errorOf(await h.store.save('undefined', undefined, ctx())).code).toBe('STORE_FAILED');
      expect(errorOf(await h.store.save('bigint', { n: 10n }, ctx())).code).toBe('STORE_FAILED');
      expect(okValue(await h.store.load('cyclic', ctx()))).toBeNull();
    });

    it('reports a damaged snapshot as STATE_CORRUPT, not as missing', async () => {
      okValue(await h.store.save('damaged', { state: 'CuttingOver' }, ctx()));
      await h.corrupt('damaged');
      const error = errorOf(await h.store.load('damaged', ctx()));
      expect(error.code).toBe('STATE_CORRUPT');
      expect(error.message).toMatch(/corrupt/);
    });

    it('honours an aborted signal and a passed deadline', async () => {
      expect(errorOf(await h.store.save('k', { a: 1 }, abortedContext(clock.now()))).code).toBe('ABORTED');
      expect(errorOf(await h.store.load('k', abortedContext(clock.now()))).code).toBe('ABORTED');
      const late = { signal: new AbortController().signal, deadline: clock.now() - 1 };
      const timeout = errorOf(await h.store.save('k', { a: 1 }, late));
      expect(timeout.code).toBe('TIMEOUT');
      expect(timeout.retryable).toBe(true);
      expect(okValue(await h.store.load('k', ctx()))).toBeNull();
    });

    it('round-trips any JSON value (property)', async () => {
      await fc.assert(
        fc.asyncProperty(fc.jsonValue(), async (snapshot) => {
          okValue(await h.store.save('property', snapshot, ctx()));
          expect(okValue(await h.store.load('property', ctx()))).toEqual(
            JSON.parse(JSON.stringify(snapshot)),
          );
        }),
        { numRuns: 40 },
      );
    });
  });
}
