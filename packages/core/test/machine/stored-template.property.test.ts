import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultContract } from '../../src/contract/default-contract';
import { createWatchState, type SegmentState, type WatchState } from '../../src/evaluation/watch-state';
import type { MachineSnapshot } from '../../src/machine/machine-state';
import {
  loadStoredSnapshot,
  recordInV6Form,
  STORED_SNAPSHOT_SCHEMA,
  StoredSnapshotWriter,
  watchPartKey,
} from '../../src/machine/stored-snapshot';
import { applyDiff, diffOf, SAME } from '../../src/machine/stored-template';
import { watchStateKey } from '../../src/machine/stored-watches';
import type { SequentialState } from '../../src/rules/sequential-count';
import { world } from './world';

/**
 * rollgate.machine/v7 writes each per-step record as its difference from the head part
 * (machine/stored-template.ts). What must hold: the value read back is, as JSON text (key order
 * included), the value written, whatever the template; and a v7 watch loads to the state a v6
 * record of the same snapshot loads to.
 */

const json = (v: unknown): string | undefined => JSON.stringify(v);
const asStored = <T>(v: T): T => (v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T));
const corrupt = (m: string) => new Error(m);

/** Applies the difference as a store would hand it back: both sides through JSON. */
function roundTrip(value: unknown, template: unknown): { text: string | undefined; reshaped: boolean } {
  const { diff, reshaped } = diffOf(value, template);
  const stored = diff === SAME ? undefined : asStored(diff);
  const read = applyDiff(asStored(template), stored, 'v', corrupt);
  return { text: json(read), reshaped };
}

/** `value` with some leaves changed, some keys dropped or added: the next step of a record. */
function nextStep(value: unknown, seed: number): unknown {
  if (Array.isArray(value)) {
    if (seed % 7 === 0) return [...value, seed];
    return value.map((v, i) => nextStep(v, seed + i * 3));
  }
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    let i = 0;
    for (const [k, v] of Object.entries(value)) {
      i++;
      if ((seed + i) % 11 === 0) continue;
      out[k] = (seed + i) % 3 === 0 ? v : nextStep(v, seed * 31 + i);
    }
    if (seed % 13 === 0) out[`k${seed % 5}`] = seed;
    return out;
  }
  if (typeof value === 'number') return seed % 2 === 0 ? value : value + seed;
  if (typeof value === 'string') return seed % 2 === 0 ? value : `${value}${seed % 10}`;
  return value;
}

const leaf = fc.oneof(
  fc.double({ noNaN: true }),
  fc.integer(),
  fc.string({ maxLength: 4 }),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
);
const valueArb = fc
  .letrec((tie) => ({
    node: fc.oneof(
      { depthSize: 'small' },
      leaf,
      fc.array(tie('node'), { maxLength: 4 }),
      fc.dictionary(fc.constantFrom('a', 'b', 'c', 'd', '0', '10', 'last'), tie('node'), { maxKeys: 5 }),
    ),
  }))
  .node.filter((v) => v !== undefined);

describe('a value written against a template (stored-template.ts)', () => {
  it('property: reads back as the same JSON text, key order included, against any template', () => {
    fc.assert(
      fc.property(valueArb, valueArb, fc.nat(1_000), (template, other, seed) => {
        const changed = nextStep(template, seed);
        for (const value of [template, changed, other, asStored(template)]) {
          expect(roundTrip(value, template).text).toBe(json(value));
        }
        // Against itself nothing is written.
        expect(diffOf(template, template).diff).toBe(SAME);
      }),
      { numRuns: 500 },
    );
  });

  it('writes only what moved, and notes a value whose shape no longer fits', () => {
    const template = { a: 1, b: { c: 'x', d: [1, 2, 3, 4] }, e: [{ f: 1 }, { f: 2 }] };
    const moved = { a: 1, b: { c: 'x', d: [1, 2, 3, 5] }, e: [{ f: 1 }, { f: 3 }] };
    expect(diffOf(moved, template)).toEqual({
      diff: { b: { d: { 3: 5 } }, e: { 1: { f: 3 } } },
      reshaped: false,
    });
    // A column moving at most of its entries is written whole, without a new template.
    expect(diffOf({ ...template, b: { c: 'x', d: [5, 6, 7, 4] } }, template)).toEqual({
      diff: { b: { d: [[5, 6, 7, 4]] } },
      reshaped: false,
    });
    // Keys in another order, a key added or dropped, an object for a number: whole, reshaped.
    for (const value of [
      { b: template.b, a: 1, e: template.e },
      { ...template, g: 1 },
      { a: 1, b: template.b },
      { ...template, a: { n: 1 } },
      { ...template, e: [...template.e, { f: 3 }] },
    ]) {
      const { reshaped } = diffOf(value, template);
      expect(reshaped).toBe(true);
      expect(roundTrip(value, template).text).toBe(json(value));
    }
  });
});

const testState = fc
  .record({
    restarts: fc.nat(20),
    events: fc.nat(100),
    trials: fc.nat(10_000),
    logE: fc.double({ noNaN: true, noDefaultInfinity: true }),
    copies: fc.array(
      fc.record({ events: fc.nat(9), logWeight: fc.double({ noNaN: true, noDefaultInfinity: true }) }),
      {
        maxLength: 3,
      },
    ),
    alpha: fc.constantFrom(0.005, 0.01),
  })
  .map((t) => t as unknown as SequentialState);

/** A bake's watch state of random tests and count windows, on the default contract's signals. */
const watchArb = fc
  .record({
    tests: fc.dictionary(fc.constantFrom('0', '0:tail'), testState, { minKeys: 1, maxKeys: 2 }),
    recent: fc.array(fc.record({ events: fc.nat(5), trials: fc.nat(400) }), { maxLength: 5 }),
    evaluations: fc.nat(500),
  })
  .map(({ tests, recent, evaluations }) => (base: WatchState): WatchState => {
    const signals: Record<string, WatchState['signals'][string]> = {};
    for (const [signal, state] of Object.entries(base.signals)) {
      const segments: Record<string, SegmentState> = {};
      for (const [segment, seg] of Object.entries(state.segments)) {
        segments[segment] = {
          ...seg,
          tests: signal === 'error-rate' ? tests : seg.tests,
          recent: recent.map((r, i) => ({ t: 1_700_001_800_000 + i * 5_000, ...r })),
        };
      }
      signals[signal] = { ...state, segments };
    }
    return { ...base, evaluations, signals } as WatchState;
  });

describe('a v7 watch read back', () => {
  it('property: over random bake states, each save loads to what its v6 record loads to, and to the snapshot', async () => {
    // A real snapshot mid-bake to start from: its baseline, phases, series.
    const w = world({ contract: { bakeSeconds: 300 }, bakeSteps: 100 });
    const snapshots: MachineSnapshot[] = [];
    w.controller.events.on('step', ({ snapshot }) => {
      if (snapshot.state === 'Watching' && snapshot.bake.baseline !== null) snapshots.push(snapshot);
    });
    await w.watch();
    const base = snapshots[Math.floor(snapshots.length / 2)] as MachineSnapshot;
    expect(base.bake.signals['error-rate']).toBeDefined();
    const reference = createWatchState(defaultContract('checkout'), base.bake.deployAt);
    expect(Object.keys(reference.signals).length).toBeGreaterThan(0);

    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ state: watchArb, reason: fc.constantFrom('a', 'b'), keep: fc.boolean() }), {
          minLength: 2,
          maxLength: 6,
        }),
        async (steps) => {
          const store = new Map<string, unknown>();
          const load = async (key: string) => store.get(key) ?? null;
          let writer: StoredSnapshotWriter | null = null;
          let previous = base;
          for (const step of steps) {
            const bake = step.keep ? previous.bake : step.state(base.bake);
            const snapshot: MachineSnapshot = {
              ...base,
              bake,
              lastDecision: { type: 'continue', reason: step.reason },
            } as MachineSnapshot;
            writer ??= new StoredSnapshotWriter(snapshot);
            const plan = writer.plan(snapshot);
            for (const part of plan.parts) store.set(part.key, asStored(part.value));
            store.set(plan.key, asStored(plan.record));
            for (const key of plan.stale) store.set(key, null);
            plan.commit();
            previous = snapshot;

            const record = store.get(watchStateKey(base.watchId)) as Record<string, unknown> & {
              parts: { head: number };
            };
            expect(record.schema).toBe(STORED_SNAPSHOT_SCHEMA);
            const loaded = await loadStoredSnapshot(load, base.watchId);
            // The same store with the record as v6 wrote it: the head part applied.
            const head =
              record.parts.head === 0
                ? null
                : (store.get(watchPartKey(base.watchId, 'head', record.parts.head)) as { value: unknown })
                    .value;
            const v6Store = new Map(store);
            v6Store.set(plan.key, asStored(recordInV6Form(record, head, 'test')));
            const asV6 = await loadStoredSnapshot(async (key) => v6Store.get(key) ?? null, base.watchId);
            expect(json(loaded)).toBe(json(asV6));
            expect(loaded).toEqual(asV6);
            expect(loaded).toEqual(snapshot);
          }
        },
      ),
      { numRuns: 30 },
    );
  });
});
