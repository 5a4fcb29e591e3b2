import { RollgateError } from '../errors/rollgate-error';
import type { BaselineSnapshot, WatchState } from '../evaluation/watch-state';
import { ChartColumns } from './audit/chart-columns';
import type { MachineSnapshot, PhaseEntry } from './machine-state';
import { parseMachineSnapshot } from './snapshot-schema';
import { encodeSeriesTail, encodeSignalTail, type StoredColumns, tuplesOfColumns } from './stored-series';
import {
  type CheckedWatchState,
  decodeBaseline,
  decodeLastVerdicts,
  decodeWatchState,
  encodeBaseline,
  encodeCheckedWatchState,
  type TestConstants,
  TestConstantsWitness,
  testConstantsOf,
} from './stored-watch-state';
import { watchStateKey } from './stored-watches';

/**
 * The schema of a snapshot saved in parts (see {@link StoredSnapshotWriter}). v8 saves the
 * snapshot's `phases` append-only, in chunks of {@link PHASES_PER_CHUNK} under keys of their own
 * (`phases-<0|1>-<chunk>`), a save writing only the chunk(s) its new phases fall in, where v7 kept
 * them in the tests part's head, rewritten whole (with the tests' fixed fields) at every
 * transition; a v7 reader would find no phases and refuse the record, so it is a new version. v6 saves a gauge
 * signal's pass verdict built on read (rules/lazy-gauge-verdict.ts) as its numbers, not its
 * reason, and a count recipe without `now` (its window's end); a v5 reader would take a gauge's
 * recipe for a count test's and refuse it as damaged, so it is a new version. v5 saves a
 * signal's `last` verdicts that are built on read (evaluation/lazy-verdict.ts) as what they are
 * built from, not their text and interval (`stored-watch-state.ts` `encodeLast`). v4 saves a chart
 * series whose points do not all have a statistic as columns too (`noStatistic` in
 * `stored-series.ts`), where v3 fell back to one tuple per point; v3 added the `tests` part and
 * the compact watch state (`stored-watch-state.ts`). Snapshots saved by earlier versions still
 * load: v3, in parts without the tests part (`rollgate.machine/v2`) or in one piece
 * (`rollgate.machine/v1`, every version before). A version that knows only v1 refuses a saved
 * in parts snapshot with `STATE_CORRUPT` naming the schema; one that knows v2 or v3 refuses a
 * newer one the same way (a v3 reader would take `noStatistic` points for points with a null
 * statistic): never misreads it.
 */
export const STORED_SNAPSHOT_SCHEMA = 'rollgate.machine/v8';
/**
 * v8 with the `phases` in the tests part's head (rewritten with the part at every transition)
 * instead of their own append-only chunks: loaded, never written.
 */
const STORED_SNAPSHOT_SCHEMA_V7 = 'rollgate.machine/v7';
/**
 * v7 with every field written at every step: the snapshot's and the watches' fields fixed for
 * the watch in the record (v7 writes them once, in the tests part's `head`), the recipes'
 * window, `newestT`, `samples` and `surgeHeld`, and the tests' observed counts: loaded, never written.
 */
const STORED_SNAPSHOT_SCHEMA_V6 = 'rollgate.machine/v6';
/**
 * v6 with the gauge signals' `last` verdicts saved whole and each count recipe's `now` (its
 * window's end): loaded, never written.
 */
const STORED_SNAPSHOT_SCHEMA_V5 = 'rollgate.machine/v5';
/** v5 without the `last` verdicts saved as recipes (`stored-watch-state.ts` `encodeLast`): loaded, never written. */
const STORED_SNAPSHOT_SCHEMA_V4 = 'rollgate.machine/v4';
/** The compact form before chart columns could mix points with and without a statistic: loaded, never written. */
const STORED_SNAPSHOT_SCHEMA_V3 = 'rollgate.machine/v3';
/** The schema of snapshots saved in parts before the tests part: loaded, never written. */
const STORED_SNAPSHOT_SCHEMA_V2 = 'rollgate.machine/v2';
const PART_SCHEMA = 'rollgate.watch-part/v1';
/** The prefix of the keys holding the parts of a watch's snapshot (outside `watch/`, so listings skip them). */
export const WATCH_PART_KEY_PREFIX = 'watch-part/';

type PartName = 'baseline' | 'series' | 'tests' | 'phases';

/**
 * The StateStore key of one generation of a part. Two keys per part, used in turn: a new
 * generation never overwrites the one the saved per-step record still refers to, so a crash
 * between the part's save and the record's leaves a consistent pair.
 */
export function watchPartKey(watchId: string, part: PartName, generation: number): string {
  return `${WATCH_PART_KEY_PREFIX}${watchId}/${part}-${generation % 2}`;
}

/**
 * Phases per chunk of the stored `phases` (v8): chunk `c` holds phases `c * 8` to `c * 8 + 7`. A
 * save that adds phases writes only the chunk(s) they fall in (at most 8 phases, one chunk in
 * nearly every save); a full chunk is never written again. A resume relies on the number: a
 * later version that changes it needs a new schema version.
 */
const PHASES_PER_CHUNK = 8;

/**
 * The StateStore key of one chunk of a generation of the stored `phases` (v8). A generation's
 * chunks are rewritten in place as phases are appended (a record saved before reads the prefix it
 * counts); a new generation, written only when the phases are not an extension of those saved
 * (never, for the machine: it only appends), goes under the other of the two key sets.
 */
export function watchPhasesKey(watchId: string, generation: number, chunk: number): string {
  return `${WATCH_PART_KEY_PREFIX}${watchId}/phases-${generation % 2}-${chunk}`;
}

/**
 * Chart points per signal saved in the per-step record after the series part before the part
 * is rewritten. Thinning (`audit-series-bound.ts`) rewrites it anyway every 15 evaluations once a
 * series is full; before that this keeps the per-step record small.
 */
const MAX_TAIL_POINTS = 15;

/** What the parts saved last hold, by generation (0: none saved, the value is empty). */
interface PartsState {
  readonly baseline: { readonly generation: number; readonly value: BaselineSnapshot | null };
  readonly series: {
    readonly generation: number;
    readonly points: Readonly<Record<string, ChartColumns>>;
  };
  readonly tests: { readonly generation: number; readonly value: KeptTests };
  /** v8: the phases the stored chunks hold (the snapshot's own array, compared by identity). */
  readonly phases: { readonly generation: number; readonly value: readonly PhaseEntry[] };
}

/**
 * The value of the `tests` part: the sequential tests' fixed fields of the bake and the verify
 * watch, and (v7) the `head`: the fields of the snapshot and of its watch states that stay the
 * same for the watch (or change at a transition at most), the record holding the rest.
 */
interface StoredTestConstants {
  readonly bake: TestConstants;
  readonly verify: TestConstants | null;
  readonly head?: StoredHead;
}

/**
 * What a writer keeps of the `tests` part saved last: witnesses of its fixed test fields
 * (`TestConstantsWitness`: the test states they were written from, not a copy) and the head.
 */
interface KeptTests {
  readonly bake: TestConstantsWitness;
  readonly verify: TestConstantsWitness | null;
  readonly head?: StoredHead;
}

/** The fields a v7 record leaves to the tests part: each as the snapshot held it when the part was written. */
interface StoredHead {
  readonly snapshot: Readonly<Record<string, unknown>>;
  readonly bake: Readonly<Record<string, unknown>>;
  readonly verify: Readonly<Record<string, unknown>> | null;
}

/**
 * The snapshot's fields written in the head (v7) when it has them: fixed when the watch starts,
 * so the head is rewritten a few times in a watch's life. The writer compares them by identity:
 * a snapshot shares its unchanged values, so the head refers to the live ones and keeps nothing
 * alive that the snapshot does not. v7 had `phases` here too, so every transition rewrote the
 * head (and the tests' fixed fields beside it); v8 appends them to chunks of their own.
 */
const HEAD_FIELDS: readonly string[] = ['service', 'startedAt', 'deploy', 'options', 'guard', 'watched'];
/** A watch state's fields written in the head (v7): set when the watch starts or its cold start ends. */
const WATCH_HEAD_FIELDS: readonly string[] = [
  'purpose',
  'deployAt',
  'warmupEndsAt',
  'coldStartEndsAt',
  'bakeEndsAt',
  'coldStart',
  'coldStartReason',
  'coldStartEarly',
];

/** The fields of `fields` that `value` has (defined), as they are: a new head's entry. */
function headOf(value: object, fields: readonly string[]): Record<string, unknown> {
  const v = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const f of fields) if (v[f] !== undefined) out[f] = v[f];
  return out;
}

/**
 * Whether `head` holds exactly the fields of `fields` that `value` has, each the same value:
 * then the record can leave them out and a load puts them back as they are. Compared by identity
 * (a snapshot shares its unchanged values); an object equal in value but not the same (a head
 * loaded from the store, its snapshot parsed apart) is taken into the head in place of its equal,
 * so it is compared once after a resume, not at every step.
 */
function headMatches(
  value: object,
  head: Readonly<Record<string, unknown>> | undefined,
  fields: readonly string[],
): boolean {
  if (head === undefined) return false;
  const v = value as Record<string, unknown>;
  let n = 0;
  for (const f of fields) {
    const x = v[f];
    if (x === undefined) continue;
    if (!(f in head)) return false;
    const h = head[f];
    if (h !== x) {
      if (typeof x !== 'object' || x === null || !sameJson(h, x)) return false;
      (head as Record<string, unknown>)[f] = x;
    }
    n++;
  }
  for (const _ in head) n--;
  return n === 0;
}

/** Whether two JSON values are equal: the same primitives, arrays and objects (keys in any order). */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJson(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  let n = 0;
  for (const k in x) {
    if (x[k] === undefined) continue;
    if (!(k in y) || !sameJson(x[k], y[k])) return false;
    n++;
  }
  for (const k in y) if (y[k] !== undefined) n--;
  return n === 0;
}

/** `value`'s fields but those of `head` (and `skip`), in `value`'s order. */
function withoutHead(
  value: Readonly<Record<string, unknown>>,
  head: Readonly<Record<string, unknown>>,
  skip?: string,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f in value) if (!(f in head) && f !== skip) out[f] = value[f];
  return out;
}

/**
 * How many of `saved` begin `phases` (all of them), or null when `phases` does not begin with
 * every saved phase. The same entry objects (the machine appends to a copy of the array) or,
 * after a resume, equal ones.
 */
function extendsPhases(phases: readonly PhaseEntry[], saved: readonly PhaseEntry[]): number | null {
  if (phases.length < saved.length) return null;
  for (let i = 0; i < saved.length; i++) {
    const a = phases[i] as PhaseEntry;
    const b = saved[i] as PhaseEntry;
    if (a !== b && !sameJson(a, b)) return null;
  }
  return saved.length;
}

/** A time as the audit record writes it (`audit/audit-builder.ts`). */
const isoOf = (ms: number): string =>
  Number.isFinite(ms) ? new Date(ms).toISOString() : new Date(0).toISOString();

/**
 * v8: each pending `write-audit` command whose audit record's `phases` are the snapshot's first
 * phases in the audit's form (`{ state, at: ISO time, reason }`), with them as their count,
 * `{ fromSnapshot: n }`: the audit record of a watch that looked many times holds every phase
 * again (the watch's end, until the record is written), and a load rebuilds them from the phases
 * the chunks hold ({@link pendingWithPhases}). Any other record is saved as it is. The record's
 * keys keep their order, so the audit a resumed watch writes is the same text.
 */
function pendingWithoutPhases(
  pending: MachineSnapshot['pending'],
  phases: readonly PhaseEntry[],
): readonly unknown[] {
  return pending.map((command) => {
    if (command.type !== 'write-audit') return command;
    const audit = command.record as unknown as Record<string, unknown>;
    const written = audit.phases;
    if (!Array.isArray(written) || written.length > phases.length) return command;
    for (let i = 0; i < written.length; i++) {
      const a = written[i] as Record<string, unknown>;
      const p = phases[i] as PhaseEntry;
      let keys = 0;
      for (const _ in a) keys++;
      if (keys !== 3 || a.state !== p.state || a.at !== isoOf(p.at) || a.reason !== p.reason) return command;
    }
    const record: Record<string, unknown> = {};
    for (const k in audit) record[k] = k === 'phases' ? { fromSnapshot: written.length } : audit[k];
    return { ...command, record };
  });
}

/**
 * The pending commands of a v8 record with each `write-audit` record's phases saved as their
 * count ({@link pendingWithoutPhases}) rebuilt from `phases` (the snapshot's, as loaded), or
 * null when such a count is more than the phases there are.
 */
function pendingWithPhases(pending: unknown, phases: readonly unknown[]): unknown | null {
  if (!Array.isArray(pending)) return pending;
  let damaged = false;
  const out = pending.map((command) => {
    if (!isObject(command) || command.type !== 'write-audit' || !isObject(command.record)) return command;
    const audit = command.record;
    if (!isObject(audit.phases)) return command;
    const n = audit.phases.fromSnapshot;
    if (!isGeneration(n) || n > phases.length) {
      damaged = true;
      return command;
    }
    const rebuilt = phases.slice(0, n).map((p) => {
      const phase = p as { state: unknown; at: number; reason: unknown };
      return { state: phase.state, at: isoOf(phase.at), reason: phase.reason };
    });
    const record: Record<string, unknown> = {};
    for (const k in audit) record[k] = k === 'phases' ? rebuilt : audit[k];
    return { ...command, record };
  });
  return damaged ? null : out;
}

/** The chunks holding `count` phases. */
const phaseChunks = (count: number): number => Math.ceil(count / PHASES_PER_CHUNK);

const NO_CONSTANTS: StoredTestConstants = { bake: {}, verify: null };
/** No part saved: no test matches (a watch without tests does). */
const NO_TESTS: KeptTests = { bake: new TestConstantsWitness(), verify: null };
const NO_TEST_WITNESS = new TestConstantsWitness();

/** The writes of one save: the parts that changed (first, in order), then the per-step record. */
export interface PlannedSave {
  readonly parts: readonly { readonly key: string; readonly value: unknown }[];
  readonly key: string;
  readonly record: unknown;
  /**
   * Keys of part generations the record no longer refers to once it is saved: cleared (saved
   * as null) after it, so a store keeps one copy of each part, not two.
   */
  readonly stale: readonly string[];
  /** Call once every write succeeded: the next save compares with these parts. */
  commit(): void;
}

/** Parts of snapshots loaded by {@link loadStoredSnapshot}, so the next save knows what is stored. */
const loadedParts = new WeakMap<MachineSnapshot, PartsState>();

/**
 * Saves a watch's snapshot in O(changes) rather than whole at every transition. The pre-deploy
 * baseline (fixed once the watch starts, half of a snapshot) is saved once under its own key;
 * the chart series under another, rewritten only when thinning changed old points or the newest
 * ones reach {@link MAX_TAIL_POINTS}; the per-step record (`watch/<id>`) holds the rest, the
 * chart points since, and the generation of each part it belongs with. Parts are saved before
 * the record, each generation under the key the record does not refer to, so every saved record
 * has its parts whatever the moment of a crash. Identity tells what changed: snapshots are
 * immutable and share unchanged values.
 */
export class StoredSnapshotWriter {
  #parts: PartsState;
  /** What the last plans encoded (see {@link Remembered}). */
  readonly #bake = new RememberedState();
  readonly #verify = new RememberedState();
  /** The watch states found to match the `tests` part's value last. */
  #matched: { bake: WatchState | null; verify: WatchState | null; value: KeptTests | null } = {
    bake: null,
    verify: null,
    value: null,
  };
  /** A writer for the watch of `snapshot`: fresh, or resumed from {@link loadStoredSnapshot}. */
  constructor(snapshot: MachineSnapshot) {
    this.#parts = loadedParts.get(snapshot) ?? {
      baseline: { generation: 0, value: null },
      series: { generation: 0, points: {} },
      tests: { generation: 0, value: NO_TESTS },
      phases: { generation: 0, value: [] },
    };
  }

  /** The writes that save `snapshot`. Nothing is remembered until {@link PlannedSave.commit}. */
  plan(snapshot: MachineSnapshot): PlannedSave {
    const watchId = snapshot.watchId;
    const parts: { key: string; value: unknown }[] = [];
    const stale: string[] = [];
    let { baseline, series, tests, phases } = this.#parts;

    const current = snapshot.bake.baseline;
    let ref: { part: 'baseline'; generation: number } | null = null;
    if (current !== null) {
      if (current !== baseline.value) {
        if (baseline.generation > 0) stale.push(watchPartKey(watchId, 'baseline', baseline.generation));
        baseline = { generation: baseline.generation + 1, value: current };
        parts.push(partWrite(watchId, 'baseline', baseline.generation, encodeBaseline(current)));
      }
      ref = { part: 'baseline', generation: baseline.generation };
    }

    let from = extendsCheckpoint(snapshot.series, series.points);
    if (from === null) {
      if (series.generation > 0) stale.push(watchPartKey(watchId, 'series', series.generation));
      series = { generation: series.generation + 1, points: snapshot.series };
      parts.push(partWrite(watchId, 'series', series.generation, encodeSeriesTail(snapshot.series, {})));
      from = lengths(snapshot.series);
    }

    // v8: the phases appended since the last save, in the chunks they fall in; the rest as saved.
    if (snapshot.phases !== phases.value) {
      const saved = phases.generation === 0 ? null : extendsPhases(snapshot.phases, phases.value);
      let chunk = 0;
      if (saved === null) {
        for (let c = 0; c < phaseChunks(phases.value.length); c++) {
          stale.push(watchPhasesKey(watchId, phases.generation, c));
        }
        phases = { generation: phases.generation + 1, value: snapshot.phases };
      } else {
        chunk = Math.floor(saved / PHASES_PER_CHUNK);
        phases = { generation: phases.generation, value: snapshot.phases };
        if (saved === snapshot.phases.length) chunk = phaseChunks(saved);
      }
      for (let c = chunk; c < phaseChunks(snapshot.phases.length); c++) {
        const from = c * PHASES_PER_CHUNK;
        parts.push({
          key: watchPhasesKey(watchId, phases.generation, c),
          value: {
            schema: PART_SCHEMA,
            watchId,
            part: 'phases',
            generation: phases.generation,
            value: { from, phases: snapshot.phases.slice(from, from + PHASES_PER_CHUNK) },
          },
        });
      }
    }

    const verify = snapshot.verify;
    const m = this.#matched;
    const known =
      m.value === tests.value && m.bake === snapshot.bake && (verify === null || m.verify === verify);
    // Each watch state encoded and checked against the tests part in one walk (a state encoded
    // before, remembered, is checked on its own).
    const bake = this.#bake.get(snapshot.bake, known ? null : tests.value.bake);
    const storedVerify =
      verify === null
        ? null
        : this.#verify.get(verify, known ? null : (tests.value.verify ?? NO_TEST_WITNESS));
    const head = tests.value.head;
    const sameHead =
      head !== undefined &&
      headMatches(snapshot, head.snapshot, HEAD_FIELDS) &&
      headMatches(snapshot.bake, head.bake, WATCH_HEAD_FIELDS) &&
      (verify === null || (head.verify !== null && headMatches(verify, head.verify, WATCH_HEAD_FIELDS)));
    if (!bake.matches || (storedVerify !== null && !storedVerify.matches) || !sameHead) {
      if (tests.generation > 0) stale.push(watchPartKey(watchId, 'tests', tests.generation));
      const sameBake = bake.matches && verify === null;
      const head: StoredHead = {
        snapshot: headOf(snapshot, HEAD_FIELDS),
        bake: headOf(snapshot.bake, WATCH_HEAD_FIELDS),
        verify: verify === null ? null : headOf(verify, WATCH_HEAD_FIELDS),
      };
      const value: StoredTestConstants = {
        bake: sameBake ? tests.value.bake.part() : testConstantsOf(snapshot.bake),
        verify: verify === null ? null : testConstantsOf(verify),
        head,
      };
      // The part is written; the writer keeps witnesses of it (the states it was written from).
      const kept: KeptTests = {
        bake: sameBake ? tests.value.bake : TestConstantsWitness.of(snapshot.bake),
        verify: verify === null ? null : TestConstantsWitness.of(verify),
        head,
      };
      tests = { generation: tests.generation + 1, value: kept };
      parts.push(partWrite(watchId, 'tests', tests.generation, value));
    }
    // Matches the part planned here; if this plan is not committed, the next compares again.
    this.#matched = { bake: snapshot.bake, verify, value: tests.value };

    const written = tests.value.head as StoredHead;
    const verifyStored =
      storedVerify === null ? null : withoutHead(storedVerify.stored, written.verify ?? {});
    const record = {
      ...withoutHead(snapshot as unknown as Record<string, unknown>, written.snapshot, 'phases'),
      schema: STORED_SNAPSHOT_SCHEMA,
      bake: { ...withoutHead(bake.stored, written.bake), baseline: ref },
      verify:
        verifyStored !== null && ref !== null && verify?.baseline === current
          ? { ...verifyStored, baseline: ref }
          : verifyStored,
      series: this.#encodeTails(snapshot.series, from),
      parts: {
        baseline: ref === null ? 0 : baseline.generation,
        series: series.generation,
        tests: tests.generation,
        // [generation, count]: short, as it is written at every step.
        phases: [phases.generation, snapshot.phases.length],
      },
    };
    for (const command of snapshot.pending) {
      if (command.type === 'write-audit') {
        (record as Record<string, unknown>).pending = pendingWithoutPhases(snapshot.pending, snapshot.phases);
        break;
      }
    }
    const next: PartsState = { baseline, series, tests, phases };
    return {
      parts,
      key: watchStateKey(watchId),
      record,
      stale,
      commit: () => {
        this.#parts = next;
      },
    };
  }

  /**
   * {@link encodeSeriesTail}, each signal's newest points encoded at every save: the stored form
   * of a series saved twice unchanged (a save without an evaluation) is not remembered, as a
   * watch state's is, since nearly every save follows an evaluation that appended a point to
   * every series, and a map of remembered forms per watch cost more heap than the rare
   * encoding it saved (docs/benchmarks.md, `heap17-issue-13`).
   */
  #encodeTails(
    series: Readonly<Record<string, ChartColumns>>,
    from: Readonly<Record<string, number>>,
  ): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    // v7: a signal's newest points at the times of the first signal's (the usual case: every
    // signal is evaluated at every step) name that signal for their `t` column.
    let first: { signal: string; t: readonly number[]; points: ChartColumns; start: number } | null = null;
    for (const signal in series) {
      const points = series[signal] as ChartColumns;
      const start = from[signal] ?? 0;
      // A series reading the first's column of times from the same point on has its times: its
      // `t` column is not built to be compared (docs/benchmarks.md, `fleet19-issue-13`).
      const shared =
        first !== null &&
        start === first.start &&
        points.length === first.points.length &&
        points.sharesTimesWith(first.points);
      const stored = encodeSignalTail(points, start, shared ? first?.signal : undefined);
      out[signal] = stored;
      if (Array.isArray(stored)) continue;
      const t = (stored as StoredColumns).t;
      if (first === null) first = { signal, t: t as readonly number[], points, start };
      else if (!shared && sameNumbers(t as readonly number[], first.t)) {
        out[signal] = { ...(stored as StoredColumns), t: first.signal };
      }
    }
    return out;
  }
}

/**
 * The stored form of one value a writer saves at every step (the bake's watch state, the
 * verify's), kept while the value stays the same: the bake's state is unchanged all through a
 * verification, so those saves encode only what changed. Snapshots are immutable, so the same
 * object (and the same `key`) has the same stored form. The stored form is kept from the
 * value's second save on: during a bake every save has a new watch state, and keeping what
 * only one save used would add to the heap. The value itself is the
 * one the current snapshot holds, so referring to it keeps nothing alive.
 */
class Remembered<V extends object, S> {
  #value: V | null = null;
  #key = 0;
  #stored: S | undefined = undefined;

  get(value: V, encode: (value: V) => S, key = 0): S {
    if (value !== this.#value || key !== this.#key) {
      this.#value = value;
      this.#key = key;
      this.#stored = undefined;
      return encode(value);
    }
    this.#stored ??= encode(value);
    return this.#stored;
  }
}

/**
 * {@link Remembered} for a watch state, whose encoding also checks the state's tests against a
 * `tests` part (`encodeCheckedWatchState`): a state encoded anew is checked in the same walk, one
 * whose stored form is remembered by the witness's `matches` alone. `saved` null: no check wanted.
 */
class RememberedState {
  readonly #remembered = new Remembered<WatchState, Record<string, unknown>>();

  get(state: WatchState, saved: TestConstantsWitness | null): CheckedWatchState {
    let checked: CheckedWatchState | null = null;
    const stored = this.#remembered.get(state, (s) => {
      checked = encodeCheckedWatchState(s, saved);
      return checked.stored;
    });
    if (checked !== null) return checked;
    return { stored, matches: saved === null || saved.matches(state) };
  }
}

function sameNumbers(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Per signal, how many points of `series` the checkpoint holds (they are its first points, the
 * same storage: `ChartColumns.isPrefixOf`), or null when the series is no longer the checkpoint
 * plus a short tail. O(signals): no point is compared.
 */
function extendsCheckpoint(
  series: Readonly<Record<string, ChartColumns>>,
  checkpoint: Readonly<Record<string, ChartColumns>>,
): Record<string, number> | null {
  const from: Record<string, number> = {};
  for (const signal in series) {
    const points = series[signal] as ChartColumns;
    const prefix = checkpoint[signal] ?? ChartColumns.EMPTY;
    if (!prefix.isPrefixOf(points) || points.length - prefix.length > MAX_TAIL_POINTS) return null;
    from[signal] = prefix.length;
  }
  for (const signal in checkpoint) {
    if (!(signal in series) && (checkpoint[signal] as ChartColumns).length > 0) return null;
  }
  return from;
}

function lengths(series: Readonly<Record<string, ChartColumns>>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const signal in series) out[signal] = (series[signal] as ChartColumns).length;
  return out;
}

function partWrite(
  watchId: string,
  part: PartName,
  generation: number,
  value: unknown,
): { key: string; value: unknown } {
  return {
    key: watchPartKey(watchId, part, generation),
    value: { schema: PART_SCHEMA, watchId, part, generation, value },
  };
}

function corrupt(message: string): RollgateError {
  return new RollgateError(
    'STATE_CORRUPT',
    `${message}\nRemove the watch's keys (watch/<id> and ${WATCH_PART_KEY_PREFIX}<id>/) to start it afresh, or restore them together from a backup.`,
    { component: 'controller' },
  );
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** What a writer resumed from a loaded `tests` part keeps of it (`KeptTests`). */
function keptTests(constants: StoredTestConstants): KeptTests {
  const kept = {
    bake: TestConstantsWitness.ofPart(constants.bake),
    verify: constants.verify === null ? null : TestConstantsWitness.ofPart(constants.verify),
  };
  return constants.head === undefined ? kept : { ...kept, head: constants.head };
}

const isGeneration = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

async function loadPart(
  load: (key: string) => Promise<unknown>,
  watchId: string,
  part: PartName,
  generation: number,
  origin: string,
  key = watchPartKey(watchId, part, generation),
): Promise<unknown> {
  const stored = await load(key);
  if (stored === null || stored === undefined) {
    throw corrupt(`${origin} needs its ${part} (generation ${generation}) from "${key}", which is missing.`);
  }
  if (
    !isObject(stored) ||
    stored.schema !== PART_SCHEMA ||
    stored.watchId !== watchId ||
    stored.part !== part ||
    !('value' in stored)
  ) {
    throw corrupt(`${origin} needs its ${part} from "${key}", which does not hold one.`);
  }
  if (stored.generation !== generation) {
    throw corrupt(
      `${origin} needs its ${part} of generation ${generation}, but "${key}" holds generation ${String(stored.generation)}.`,
    );
  }
  return stored.value;
}

/**
 * The `count` phases of a v8 record, from the chunks of their generation ({@link watchPhasesKey}).
 * A chunk may hold more phases than the record counts (saved before a record that was never
 * saved): the record's count is taken.
 */
async function loadPhases(
  load: (key: string) => Promise<unknown>,
  watchId: string,
  generation: number,
  count: number,
  origin: string,
): Promise<unknown[]> {
  const chunks = await Promise.all(
    Array.from({ length: phaseChunks(count) }, (_, c) =>
      loadPart(load, watchId, 'phases', generation, origin, watchPhasesKey(watchId, generation, c)),
    ),
  );
  const out: unknown[] = [];
  for (let c = 0; c < chunks.length; c++) {
    const chunk = chunks[c];
    const from = c * PHASES_PER_CHUNK;
    const wanted = Math.min(PHASES_PER_CHUNK, count - from);
    if (
      !isObject(chunk) ||
      chunk.from !== from ||
      !Array.isArray(chunk.phases) ||
      chunk.phases.length < wanted
    ) {
      throw corrupt(
        `${origin} needs phases ${from} to ${from + wanted - 1} from "${watchPhasesKey(watchId, generation, c)}", which does not hold them.`,
      );
    }
    for (let i = 0; i < wanted; i++) out.push(chunk.phases[i]);
  }
  return out;
}

/**
 * Loads the snapshot of `watchId` with its parts (see {@link StoredSnapshotWriter}), checked as
 * {@link parseMachineSnapshot} does, or null when none is stored. A snapshot saved in one piece
 * by an earlier version loads as it is. `load` resolves the stored value of a key (null when
 * there is none) and throws when the store fails. Throws `STATE_CORRUPT` naming what is wrong
 * when the snapshot or a part it needs is damaged, missing or of another generation.
 */
export async function loadStoredSnapshot(
  load: (key: string) => Promise<unknown>,
  watchId: string,
): Promise<MachineSnapshot | null> {
  const value = await load(watchStateKey(watchId));
  if (value === null || value === undefined) return null;
  const origin = `stored snapshot of watch ${watchId}`;
  // v4 is v3 with chart columns that may mix points with and without a statistic; v5 is v4
  // with `last` verdicts saved as recipes; v6 saves the gauges' passes as recipes too.
  // v7 leaves fixed and derived fields out (the tests part's head, `recipeDefaults`); v8 is v7
  // with the phases in chunks of their own rather than in the head.
  const v8 = isObject(value) && value.schema === STORED_SNAPSHOT_SCHEMA;
  const v7 = isObject(value) && (v8 || value.schema === STORED_SNAPSHOT_SCHEMA_V7);
  const recipes =
    isObject(value) &&
    (v7 || value.schema === STORED_SNAPSHOT_SCHEMA_V6 || value.schema === STORED_SNAPSHOT_SCHEMA_V5);
  const v3 =
    isObject(value) &&
    (recipes || value.schema === STORED_SNAPSHOT_SCHEMA_V4 || value.schema === STORED_SNAPSHOT_SCHEMA_V3);
  if (!isObject(value) || (!v3 && value.schema !== STORED_SNAPSHOT_SCHEMA_V2)) {
    return parseMachineSnapshot(value, origin);
  }

  const { parts, ...rest } = value;
  if (
    !isObject(parts) ||
    !isGeneration(parts.baseline) ||
    !isGeneration(parts.series) ||
    (v3 && !isGeneration(parts.tests)) ||
    (v8 &&
      !(
        Array.isArray(parts.phases) &&
        parts.phases.length === 2 &&
        isGeneration(parts.phases[0]) &&
        parts.phases[0] > 0 &&
        isGeneration(parts.phases[1]) &&
        parts.phases[1] > 0
      ))
  ) {
    throw corrupt(
      `${origin} is saved in parts but does not say which (parts: { baseline, series${v3 ? ', tests' : ''}${v8 ? ', phases: [generation, count]' : ''} } generations).`,
    );
  }
  let constants = NO_CONSTANTS;
  const testsGeneration = v3 ? (parts.tests as number) : 0;
  if (testsGeneration > 0) {
    const stored = await loadPart(load, watchId, 'tests', testsGeneration, origin);
    if (!isObject(stored) || !isObject(stored.bake) || !(stored.verify === null || isObject(stored.verify))) {
      throw corrupt(`${origin}: its tests part must hold { bake, verify } objects of fixed test fields.`);
    }
    const head = stored.head;
    if (
      v7 &&
      !(
        isObject(head) &&
        isObject(head.snapshot) &&
        isObject(head.bake) &&
        (head.verify === null || isObject(head.verify))
      )
    ) {
      throw corrupt(
        `${origin}: its tests part must hold the head (the fixed fields of the snapshot, bake and verify).`,
      );
    }
    constants = stored as unknown as StoredTestConstants;
  } else if (v7) {
    throw corrupt(`${origin}: a ${String(value.schema)} record needs its tests part (generation 0 given).`);
  }
  if (v7) {
    // The head's fields under the record's: the record holds every field that moved.
    const head = constants.head as StoredHead;
    Object.assign(rest, { ...head.snapshot, ...rest });
    if (v8) {
      const [generation, count] = parts.phases as [number, number];
      rest.phases = await loadPhases(load, watchId, generation, count, origin);
      const pending = pendingWithPhases(rest.pending, rest.phases as unknown[]);
      if (pending === null) {
        throw corrupt(`${origin}: a pending audit record counts more phases than the ${count} saved.`);
      }
      rest.pending = pending;
    }
    if (isObject(rest.bake)) rest.bake = { ...head.bake, ...rest.bake };
    if (isObject(rest.verify)) rest.verify = { ...(head.verify ?? {}), ...rest.verify };
  }
  if (v3) {
    rest.bake = decodeWatchState(rest.bake, constants.bake, 'bake', (m) => corrupt(`${origin}: ${m}`), v7);
    rest.verify = decodeWatchState(
      rest.verify,
      constants.verify ?? {},
      'verify',
      (m) => corrupt(`${origin}: ${m}`),
      v7,
    );
  }
  const baselineGeneration = parts.baseline;
  const storedBaseline =
    baselineGeneration > 0 ? await loadPart(load, watchId, 'baseline', baselineGeneration, origin) : null;
  const baseline = v3 ? decodeBaseline(storedBaseline, (m) => corrupt(`${origin}: ${m}`)) : storedBaseline;
  const resolve = (watch: unknown, field: string): unknown => {
    if (!isObject(watch) || !isObject(watch.baseline) || watch.baseline.part !== 'baseline') return watch;
    if (watch.baseline.generation !== baselineGeneration || baselineGeneration === 0) {
      throw corrupt(
        `${origin}: ${field}.baseline refers to generation ${String(watch.baseline.generation)} of the baseline, the snapshot to ${baselineGeneration}.`,
      );
    }
    return { ...watch, baseline };
  };
  // v5, v6: the `last` verdicts saved as recipes are built once the watch has its tests and baseline.
  const resolved = (watch: unknown, field: string): unknown => {
    const full = resolve(watch, field);
    return recipes ? decodeLastVerdicts(full, field, (m) => corrupt(`${origin}: ${m}`), v7) : full;
  };

  const checkpoint =
    parts.series > 0 ? await loadPart(load, watchId, 'series', parts.series, origin) : ({} as unknown);
  const tail = rest.series;
  if (!isObject(checkpoint) || !isObject(tail)) {
    throw corrupt(`${origin}: its chart series (saved part and newest points) must be objects of arrays.`);
  }
  const prefixLengths: Record<string, number> = {};
  const series: Record<string, unknown> = {};
  for (const signal of new Set([...Object.keys(checkpoint), ...Object.keys(tail)])) {
    let head = checkpoint[signal] ?? [];
    if (v3 && isObject(head)) {
      const tuples = tuplesOfColumns(head);
      if (tuples === null) throw corrupt(`${origin}: the saved chart points of "${signal}" are not columns.`);
      head = tuples;
    }
    let newest = tail[signal] ?? [];
    if (v7 && isObject(newest) && typeof newest.t === 'string') {
      // The times of another signal's newest points (`#encodeTails`).
      const same = tail[newest.t];
      if (!isObject(same) || !Array.isArray(same.t)) {
        throw corrupt(
          `${origin}: the newest chart points of "${signal}" take their times from "${newest.t}", which has none.`,
        );
      }
      newest = { ...newest, t: same.t };
    }
    if (v3 && isObject(newest)) {
      const tuples = tuplesOfColumns(newest);
      if (tuples === null)
        throw corrupt(`${origin}: the newest chart points of "${signal}" are not columns.`);
      newest = tuples;
    }
    if (!Array.isArray(head) || !Array.isArray(newest)) {
      throw corrupt(`${origin}: the chart series of "${signal}" is not an array.`);
    }
    prefixLengths[signal] = head.length;
    series[signal] = [...head, ...newest];
  }

  const snapshot = parseMachineSnapshot(
    {
      ...rest,
      schema: 'rollgate.machine/v1',
      bake: resolved(rest.bake, 'bake'),
      verify: resolved(rest.verify, 'verify'),
      series,
    },
    origin,
  );
  const points: Record<string, ChartColumns> = {};
  for (const [signal, n] of Object.entries(prefixLengths)) {
    if (n > 0) points[signal] = (snapshot.series[signal] ?? ChartColumns.EMPTY).prefix(n);
  }
  loadedParts.set(snapshot, {
    baseline: { generation: baselineGeneration, value: snapshot.bake.baseline },
    series: { generation: parts.series, points },
    tests: { generation: testsGeneration, value: keptTests(constants) },
    // Before v8 no chunk is stored: the first save writes them all.
    phases: v8
      ? { generation: (parts.phases as [number, number])[0], value: snapshot.phases }
      : { generation: 0, value: [] },
  });
  return snapshot;
}
