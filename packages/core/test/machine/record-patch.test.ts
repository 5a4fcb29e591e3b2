import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RollgateError } from '../../src/errors/rollgate-error';
import type { MachineSnapshot } from '../../src/machine/machine-state';
import { applyPatch, diffRecord, jsonWeight } from '../../src/machine/record-patch';
import { loadStoredSnapshot, STORED_SNAPSHOT_SCHEMA, watchPartKey } from '../../src/machine/stored-snapshot';
import { watchStateKey } from '../../src/machine/stored-watches';
import { wholeRecord } from './stored-record';
import { DEPLOY_AT, errorsFrom, STEP, world } from './world';

const corrupt = (m: string) => new Error(m);
/** `value` as a store hands it back: its JSON round trip. */
const asStored = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

/**
 * A copy of `value` with some numbers changed, some arrays of numbers appended to and some
 * entries replaced (`seed` decides which): the kind of change one step makes to a record.
 */
function mutate(value: unknown, seed: number): unknown {
  let s = seed >>> 0;
  const next = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  const walk = (v: unknown): unknown => {
    if (typeof v === 'number') return next() < 0.3 ? v + 1 : v;
    if (Array.isArray(v)) {
      const out = v.map(walk);
      if (out.every((x) => typeof x === 'number') && next() < 0.3) out.push(next());
      return out;
    }
    if (typeof v === 'object' && v !== null) {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) {
        // defineProperty: a key "__proto__" (fc.jsonValue makes some) is an entry like any other.
        const value = next() < 0.1 ? `changed ${k}` : walk(x);
        Object.defineProperty(out, k, { value, enumerable: true, writable: true, configurable: true });
      }
      return out;
    }
    return v;
  };
  return walk(value);
}

describe('the per-step record as a patch of its base (record-patch.ts)', () => {
  it('applying the patch to the stored base gives the record, with its keys in the same order', () => {
    const json = fc.jsonValue({ maxDepth: 4 });
    fc.assert(
      fc.property(json, json, fc.integer(), fc.boolean(), (base, other, seed, related) => {
        // Half the cases a record of a later step (shares most of the base), half any two values.
        const record = related ? mutate(base, seed) : other;
        const { patch } = diffRecord(base, record);
        // The patch and the base as the store gives them back, JSON round trips both.
        const applied = applyPatch(asStored(base), asStored(patch), corrupt);
        expect(JSON.stringify(applied)).toBe(JSON.stringify(record));
      }),
      { numRuns: 2_000 },
    );
  });

  it('writes only what changed: nothing for an equal record, the appended points for a grown column', () => {
    const base = { a: { b: [1, 2, 3], c: 'x', d: [{ e: 1, f: 'long unchanged text' }] }, g: 5 };
    expect(diffRecord(base, asStored(base)).patch).toEqual({});
    const later = { a: { b: [1, 2, 3, 4], c: 'x', d: [{ e: 2, f: 'long unchanged text' }] }, g: 5 };
    expect(diffRecord(base, later).patch).toEqual({ a: { b: { '+': [4] }, d: { 0: { e: [2] } } } });
    // A key added or removed, or the order changed: the object is replaced whole.
    expect(diffRecord({ a: { x: 1, y: 2 } }, { a: { y: 2, x: 1 } }).patch).toEqual({ a: [{ y: 2, x: 1 }] });
    // An entry left undefined is absent, as in its JSON.
    expect(diffRecord({ a: 1 }, { a: 1, b: undefined }).patch).toEqual({});
  });

  it('weighs a value and its JSON round trip alike, so a resumed writer rebases when the first would', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (value) => {
        expect(jsonWeight(asStored(value))).toBe(jsonWeight(value));
      }),
      { numRuns: 500 },
    );
  });

  it('refuses a patch that does not fit its base, naming the place', () => {
    expect(() => applyPatch({ a: 1 }, { b: [2] }, corrupt)).toThrow(/record changes "b", which the base lacks/);
    expect(() => applyPatch([1, 2], { 5: [2] }, corrupt)).toThrow(/index "5" of an array of 2/);
    expect(() => applyPatch({ a: 1 }, { a: [1, 2] }, corrupt)).toThrow(/record\.a is not \[value\]/);
    expect(() => applyPatch(3, { a: [1] }, corrupt)).toThrow(/value that has none/);
  });
});

describe('a watch saved as patches', () => {
  const contract = { bakeSeconds: 1_200 };
  type World = ReturnType<typeof world>;
  /** Every step's state, decision and evaluations, by the simulated time it happened at. */
  const stepsOf = (w: World, controller = w.controller) => {
    const steps: { at: number; state: string; decision: unknown; evaluations: number }[] = [];
    controller.events.on('step', ({ snapshot }) => {
      steps.push({
        at: w.clock.now(),
        state: snapshot.state,
        decision: snapshot.lastDecision,
        evaluations: snapshot.bake.evaluations,
      });
    });
    return steps;
  };

  it('resumed from the record saved at any step, decides every later step and writes the audit as a run never stopped', async () => {
    const straight = world({ after: errorsFrom(200), contract, bakeSteps: 600 });
    const reference = stepsOf(straight);
    const uninterrupted = await straight.watch();
    expect(uninterrupted.outcome).toBe('rolled-back');
    const total = reference.length;
    expect(total).toBeGreaterThan(200);

    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: total - 2 }), async (crashStep) => {
        const w = world({ after: errorsFrom(200), contract, bakeSteps: 600 });
        const abort = new AbortController();
        let steps = 0;
        let crashedAt = 0;
        let watchId = '';
        w.controller.events.on('step', ({ snapshot }) => {
          watchId = snapshot.watchId;
          if (++steps === crashStep) {
            crashedAt = w.clock.now();
            abort.abort(new Error('crash'));
          }
        });
        const stopped = await w.watch(w.controller, abort.signal).catch((e: unknown) => e);
        expect(RollgateError.is(stopped) && stopped.code).toBe('ABORTED');
        const stored = w.state.get(watchStateKey(watchId)) as { schema: string; base: number };
        expect(stored.schema).toBe(STORED_SNAPSHOT_SCHEMA);
        // What was saved loads as the record the machine held: its base and its patch as one.
        expect(w.state.get(watchPartKey(watchId, 'record', stored.base))).toBeTruthy();
        expect(wholeRecord((k) => w.state.get(k), watchId)?.schema).toBe('rollgate.machine/v3');

        const restarted = w.restart();
        const after = stepsOf(w, restarted);
        const resumed = await w.watch(restarted);
        expect(resumed.outcome).toBe(uninterrupted.outcome);
        expect(resumed.audit).toEqual(uninterrupted.audit);
        expect(after.filter((s) => s.at > crashedAt)).toEqual(reference.filter((s) => s.at > crashedAt));
      }),
      { numRuns: 6 },
    );
  });

  it('a step writes a patch much smaller than the record it stands for, and every record loads as the snapshot', async () => {
    const w = world({ after: errorsFrom(200), contract, bakeSteps: 600 });
    let patches = 0;
    let wholes = 0;
    let checked = 0;
    w.controller.events.on('step', async ({ snapshot }) => {
      patches += JSON.stringify(w.state.get(watchStateKey(snapshot.watchId))).length;
      wholes += JSON.stringify(wholeRecord((k) => w.state.get(k), snapshot.watchId)).length;
      const loaded = (await loadStoredSnapshot(
        async (k) => w.state.get(k) ?? null,
        snapshot.watchId,
      )) as MachineSnapshot;
      expect(loaded).toEqual(snapshot);
      checked++;
    });
    expect((await w.watch()).outcome).toBe('rolled-back');
    expect(checked).toBeGreaterThan(200);
    expect(patches / wholes).toBeLessThan(0.75);
    expect((w.clock.now() - DEPLOY_AT) / STEP).toBeGreaterThan(200);
  });
});
