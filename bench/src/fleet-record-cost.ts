/**
 * What the per-step save costs: one watch's stored record after `--steps` steps (the record a
 * save writes at every step, parts excluded), for each checkout given, the time
 * `JSON.stringify` takes on it, and the time the save's plan takes (the engine's own writer
 * replanning its last two snapshots in turn, so every plan encodes a new watch state and
 * series and checks the tests against the tests part, as at a bake's step). In ONE process, checkouts interleaved, the minimum of `--rounds` rounds
 * of 200 calls each (docs/benchmarks.md, "verdict13-issue-13", "save14-issue-13"). Each
 * argument is a checkout's bench directory (its `src/sections/fleet.ts` drives its own engine,
 * its `packages/core` plans). From bench/:
 *
 *   node --conditions=source --import tsx src/fleet-record-cost.ts --steps 67 /work/wt/before/bench .
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { positiveIntegerOption } from './script-options';

type FleetRecord = (steps: number) => Promise<{
  record: unknown;
  parts: Record<string, unknown>;
  bytes: number;
  fields: Record<string, number>;
}>;

interface Writer {
  plan(snapshot: unknown): { record: unknown };
}
interface SnapshotModule {
  StoredSnapshotWriter: { prototype: Writer };
}

const args = process.argv.slice(2);
const steps = positiveIntegerOption(args, 'steps', 67);
const rounds = positiveIntegerOption(args, 'rounds', 20);
const dirs = args.filter((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--'));
if (dirs.length === 0) throw new Error("fleet-record-cost: give one or more checkouts' bench directories");

interface Measured {
  dir: string;
  record: unknown;
  bytes: number;
  bake: number;
  plan: () => unknown;
  best: number;
  bestPlan: number;
}

const measured: Measured[] = [];
for (const dir of dirs) {
  const fleet = (await import(pathToFileURL(resolve(dir, 'src/sections/fleet.ts')).href)) as {
    fleetRecord: FleetRecord;
  };
  const core = (await import(
    pathToFileURL(resolve(dir, '../packages/core/src/machine/stored-snapshot.ts')).href
  )) as SnapshotModule;
  // The engine's own writer and the snapshots it planned last: each plan wrapped to note them.
  const proto = core.StoredSnapshotWriter.prototype;
  const original = proto.plan;
  const planned: { writer: Writer; snapshot: unknown }[] = [];
  proto.plan = function (this: Writer, snapshot: unknown) {
    planned.push({ writer: this, snapshot });
    if (planned.length > 2) planned.shift();
    return original.call(this, snapshot);
  };
  const r = await fleet.fleetRecord(steps);
  proto.plan = original;
  const [before, last] = planned;
  if (before === undefined || last === undefined || before.writer !== last.writer) {
    throw new Error(`fleet-record-cost: ${dir}: no two saves of one writer seen`);
  }
  // The last two steps' snapshots in turn: each plan meets a new watch state and series, as
  // at a bake's step (its writer remembers the stored form of the one it planned just before).
  let turn = 0;
  const plan = () => {
    turn++;
    const p = turn % 2 === 0 ? before : last;
    return original.call(p.writer, p.snapshot).record;
  };
  if (JSON.stringify(original.call(last.writer, last.snapshot).record) !== JSON.stringify(r.record)) {
    throw new Error(`fleet-record-cost: ${dir}: the replanned record differs from the saved one`);
  }
  measured.push({
    dir,
    record: r.record,
    bytes: r.bytes,
    bake: r.fields.bake ?? 0,
    plan,
    best: Number.POSITIVE_INFINITY,
    bestPlan: Number.POSITIVE_INFINITY,
  });
}
let sink = 0;
const timed = (f: () => void): number => {
  const t0 = performance.now();
  for (let i = 0; i < 200; i++) f();
  return ((performance.now() - t0) * 1000) / 200;
};
for (let round = 0; round < rounds; round++) {
  const order = round % 2 === 0 ? measured : [...measured].reverse();
  for (const m of order) {
    m.best = Math.min(
      m.best,
      timed(() => {
        sink += JSON.stringify(m.record).length;
      }),
    );
    m.bestPlan = Math.min(
      m.bestPlan,
      timed(() => {
        sink += m.plan() === null ? 0 : 1;
      }),
    );
  }
}
if (sink === 0) throw new Error('fleet-record-cost: nothing written');
for (const m of measured) {
  console.log(
    JSON.stringify({
      dir: m.dir,
      steps,
      recordBytes: m.bytes,
      bakeBytes: m.bake,
      stringifyUs: m.best,
      planUs: m.bestPlan,
      fields: recordByField(m.record),
    }),
  );
}

/**
 * The record's JSON bytes by field: the newest chart points, the snapshot's other fields, the
 * bake's own fields, and per signal its `last` summary, its segments' tests, count windows and
 * other fields, and its other fields. A record written as its difference from a template part
 * (`changed`, the same paths: the template form tried at a7abcb0 and not merged, docs/benchmarks.md
 * `record15-issue-13`) is measured by the same paths.
 */
function recordByField(record: unknown): Record<string, number> {
  const out: Record<string, number> = {};
  const add = (key: string, value: unknown) => {
    out[key] = (out[key] ?? 0) + (value === undefined ? 0 : JSON.stringify(value).length);
  };
  if (typeof record !== 'object' || record === null) return out;
  const r = record as Record<string, unknown>;
  add('series (newest chart points)', r.series);
  const changed = (Array.isArray(r.changed) ? r.changed[0] : r.changed) as
    | Record<string, unknown>
    | undefined;
  const fields = 'changed' in r ? (changed ?? {}) : r;
  for (const [k, v] of Object.entries(r)) {
    if (k !== 'series' && k !== 'changed' && k !== 'bake' && k !== 'verify') add('snapshot: other fields', v);
  }
  if (fields !== r) {
    for (const [k, v] of Object.entries(fields))
      if (k !== 'bake' && k !== 'verify') add('snapshot: other fields', v);
  }
  const bake = fields.bake as Record<string, unknown> | undefined;
  if (typeof bake !== 'object' || bake === null || Array.isArray(bake)) return out;
  for (const [k, v] of Object.entries(bake)) if (k !== 'signals') add('bake: own fields', v);
  for (const [signal, state] of Object.entries(
    (bake.signals ?? {}) as Record<string, Record<string, unknown>>,
  )) {
    for (const [k, v] of Object.entries(state)) {
      if (k === 'last') add(`${signal}: last`, v);
      else if (k !== 'segments') add(`${signal}: other fields`, v);
    }
    for (const seg of Object.values((state.segments ?? {}) as Record<string, Record<string, unknown>>)) {
      for (const [k, v] of Object.entries(seg)) {
        if (k === 'tests') add(`${signal}: segments' tests`, v);
        else if (k === 'recent') add(`${signal}: segments' count windows`, v);
        else add(`${signal}: segments' other fields`, v);
      }
    }
  }
  return out;
}
