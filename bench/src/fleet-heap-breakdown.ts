/**
 * What a fleet's retained heap is made of (docs/benchmarks.md, kept block `heap11-issue-13`):
 * two V8 heap snapshots, one before the fleet starts and one after `--steps` steps, and the
 * objects of the second that the first did not hold (V8 keeps an object's snapshot id across
 * snapshots of one process) summed two ways:
 *
 * - by constructor (the snapshot's node name: `Object`, `Array`, `(closure)`, strings...), self sizes;
 * - by owner: each new object is charged to the nearest named owner on its shortest path from
 *   the GC roots (breadth first, as DevTools' "distance"): the store double's stored text, the
 *   watch state's `last` verdicts, count windows (`recent`, `pending`), test states (`tests`),
 *   the baseline snapshot, the machine's chart columns (`series`), the contract, and closures
 *   with their contexts (their own size; what a context holds goes to the owner above it).
 *
 * E.g. from bench/:
 *
 *   node --expose-gc --max-old-space-size=4096 --conditions=source --import tsx \
 *     src/fleet-heap-breakdown.ts --watches 100 --steps 60
 *
 * `--closures` also lists the new closures by name and the two edges above each (which
 * functions each watch makes, and who holds them).
 */
import { readFileSync, rmSync } from 'node:fs';
import { writeHeapSnapshot } from 'node:v8';
import { positiveIntegerOption } from './script-options';
import { fleetHeap } from './sections/fleet';

const args = process.argv.slice(2);
const watches = positiveIntegerOption(args, 'watches', 100);
const steps = positiveIntegerOption(args, 'steps', 60);

interface Snapshot {
  readonly snapshot: {
    readonly meta: {
      readonly node_fields: string[];
      readonly node_types: [string[], ...unknown[]];
      readonly edge_fields: string[];
      readonly edge_types: [string[], ...unknown[]];
    };
  };
  readonly nodes: number[];
  readonly edges: number[];
  readonly strings: string[];
}

function take(name: string): Snapshot {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const file = writeHeapSnapshot(`/tmp/fleet-heap-${process.pid}-${name}.heapsnapshot`);
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
  rmSync(file);
  return parsed;
}

/** Ids of every node of a snapshot. */
function idsOf(s: Snapshot): Set<number> {
  const fields = s.snapshot.meta.node_fields;
  const width = fields.length;
  const idAt = fields.indexOf('id');
  const ids = new Set<number>();
  for (let i = 0; i < s.nodes.length; i += width) ids.add(s.nodes[i + idAt] as number);
  return ids;
}

const MEASURE = 'this script (excluded)';
const WATCH_OTHER = 'watch state: other (signal states, segments)';
/** The fleet's executor double (its map of done commands, switches, weights): the harness's, not the engine's. */
const HARNESS_EXECUTOR = 'harness: executor double (done commands, switches)';
/** The SimulatedClock's pending timers (their entries; the frames they resume are charged below). */
const HARNESS_CLOCK = "harness: simulated clock's timers";
/**
 * The controller's suspended async steps: generator objects, their register files, promises and
 * their reactions, while each watch waits for its next step (what the registers hold is charged
 * to its own owner: the machine snapshot's fields stay with the controller and machine).
 */
const ASYNC_FRAMES = 'controller: suspended async steps (generators, registers, promises)';
/** Node's own objects (a MessagePort's queue, the environment's cleanup queue): not the engine's. */
const NODE_INTERNALS = 'Node internals (MessagePort queue, cleanup queue)';
const ASYNC_NODES = new Set([
  'Generator',
  'Promise',
  'system / PromiseReaction',
  'system / PromiseCapability',
]);
const PROCESS_WIDE = 'compiled code, feedback and shapes (process-wide, not per watch)';

/** Owners named by a property or context variable: the edge's name -> the owner charged. */
const OWNER_OF_EDGE: Record<string, string> = {
  last: 'watch state: `last` verdicts',
  recent: 'watch state: count windows (recent, pending)',
  pending: 'watch state: count windows (recent, pending)',
  tests: 'watch state: test states',
  baseline: 'baseline snapshot',
  series: 'machine: chart columns',
  contract: 'contract',
  stored: 'store double: stored JSON text and map',
  sorted: 'store double: stored JSON text and map',
  signals: WATCH_OTHER,
  bake: WATCH_OTHER,
  verify: WATCH_OTHER,
  coarseGrids: 'stats: coarse grids cached per baseline test (stats/baseline-rate-test.ts)',
  writer: 'controller: snapshot writer (remembered stored forms)',
  executor: HARNESS_EXECUTOR,
  '#timers': HARNESS_CLOCK,
  // This script's own ids of the first snapshot: not the fleet's.
  idsBefore: MEASURE,
};
/** Owners that keep what they hold: a `series` inside the baseline stays the baseline's. */
const STICKY = new Set([
  MEASURE,
  'stats: coarse grids cached per baseline test (stats/baseline-rate-test.ts)',
  'store double: stored JSON text and map',
  'watch state: `last` verdicts',
  'baseline snapshot',
  'contract',
  'watch state: count windows (recent, pending)',
  'watch state: test states',
  'controller: snapshot writer (remembered stored forms)',
  HARNESS_EXECUTOR,
]);
const CLOSURES = 'closures and contexts (own size)';
/**
 * tsx compiles with esbuild's `keepNames`: every function, closures made per watch included, is
 * given its `name` by `Object.defineProperty`, which gives it a property store of its own. The
 * tsup build (packages/core/tsup.config.ts) does not keep names: these bytes are the bench's.
 */
const KEEP_NAMES = "closures' `name` property stores (tsx keepNames: the bench's loader, not the tsup build)";
const UNOWNED = 'controller and machine: other objects';

/**
 * Compiled code and shapes, a function's shared info, source text and script, and shapes'
 * transition metadata: made once per process (the run's JIT), not per watch.
 */
function isProcessWide(nodeType: string | undefined, nodeName: string, edge: string): boolean {
  return (
    nodeType === 'code' ||
    nodeType === 'object shape' ||
    nodeName === '(shared function)' ||
    /^internal:(source|script_or_debug_info|back_pointer|dependent_code)$/.test(edge)
  );
}

function breakdown(before: Set<number>, s: Snapshot) {
  const meta = s.snapshot.meta;
  const width = meta.node_fields.length;
  const ew = meta.edge_fields.length;
  const at = (f: string) => meta.node_fields.indexOf(f);
  const [typeAt, nameAt, idAt, sizeAt, countAt] = ['type', 'name', 'id', 'self_size', 'edge_count'].map(
    at,
  ) as [number, number, number, number, number];
  const eTypeAt = meta.edge_fields.indexOf('type');
  const eNameAt = meta.edge_fields.indexOf('name_or_index');
  const eToAt = meta.edge_fields.indexOf('to_node');
  const nodeTypes = meta.node_types[0];
  const edgeTypes = meta.edge_types[0];
  const n = s.nodes.length / width;
  const firstEdge = new Int32Array(n + 1);
  for (let i = 0; i < n; i++)
    firstEdge[i + 1] = (firstEdge[i] as number) + (s.nodes[i * width + countAt] as number) * ew;
  const owner: (string | undefined)[] = new Array(n);
  const passOn: (string | undefined)[] = new Array(n);
  const seen = new Uint8Array(n);
  const parent = new Int32Array(n).fill(-1);
  const parentEdge: string[] = new Array(n);
  const queue = new Int32Array(n);
  let head = 0;
  let tail = 0;
  queue[tail++] = 0;
  seen[0] = 1;
  passOn[0] = UNOWNED;
  while (head < tail) {
    const i = queue[head++] as number;
    const from = passOn[i] as string;
    for (let e = firstEdge[i] as number; e < (firstEdge[i + 1] as number); e += ew) {
      const type = edgeTypes[s.edges[e + eTypeAt] as number];
      if (type === 'weak' || type === 'shortcut') continue;
      const to = (s.edges[e + eToAt] as number) / width;
      if (seen[to]) continue;
      seen[to] = 1;
      queue[tail++] = to;
      parent[to] = i;
      parentEdge[to] =
        `${type}:${type === 'element' || type === 'hidden' ? s.edges[e + eNameAt] : s.strings[s.edges[e + eNameAt] as number]}`;
      const named =
        type === 'property' || type === 'context' ? s.strings[s.edges[e + eNameAt] as number] : undefined;
      // `pending` names a segment's held intervals inside a watch state, and the machine
      // snapshot's commands outside one: only the first is a count window.
      const marked =
        named !== undefined &&
        !STICKY.has(from) &&
        Object.hasOwn(OWNER_OF_EDGE, named) &&
        (named !== 'pending' || from === WATCH_OTHER)
          ? OWNER_OF_EDGE[named]
          : undefined;
      const inherited = marked ?? from;
      const nodeType = nodeTypes[s.nodes[to * width + typeAt] as number];
      const nodeName = s.strings[s.nodes[to * width + nameAt] as number] as string;
      const isClosure = nodeType === 'closure' || nodeName === 'system / Context';
      const fromClosure = nodeTypes[s.nodes[i * width + typeAt] as number] === 'closure';
      const keptName =
        fromClosure && type === 'internal' && named === undefined && nodeName === '(object properties)';
      const loose = !STICKY.has(inherited);
      const frame =
        loose && (ASYNC_NODES.has(nodeName) || parentEdge[to] === 'internal:parameters_and_registers');
      // The clock's timers resume the controller's frames: what those hold is not the clock's.
      passOn[to] = inherited === HARNESS_CLOCK && (frame || isClosure) ? UNOWNED : inherited;
      owner[to] = isProcessWide(nodeType, nodeName, parentEdge[to] as string)
        ? PROCESS_WIDE
        : keptName
          ? KEEP_NAMES
          : nodeName.startsWith('Node / ') && loose
            ? NODE_INTERNALS
            : frame
              ? ASYNC_FRAMES
              : isClosure && loose
                ? CLOSURES
                : inherited;
    }
  }
  const byOwner = new Map<string, number>();
  const offHeap = new Map<string, number>();
  const byKind = new Map<string, { bytes: number; count: number }>();
  const byOwnerKind = new Map<string, number>();
  let total = 0;
  for (let i = 0; i < n; i++) {
    if (before.has(s.nodes[i * width + idAt] as number)) continue;
    const size = s.nodes[i * width + sizeAt] as number;
    if (size === 0) continue;
    total += size;
    const o = owner[i] ?? 'unreachable (collected next GC)';
    if (o === MEASURE) continue;
    const nodeType = nodeTypes[s.nodes[i * width + typeAt] as number] as string;
    const name = s.strings[s.nodes[i * width + nameAt] as number] as string;
    const kind = nodeType === 'object' || nodeType === 'hidden' ? name : `(${nodeType})`;
    // ArrayBuffer backing stores are outside the V8 heap (`heapUsed` does not count them).
    const table = nodeType === 'native' && name === 'system / JSArrayBufferData' ? offHeap : byOwner;
    table.set(o, (table.get(o) ?? 0) + size);
    const ok = `${o} / ${kind} ${name.slice(0, 40)}`;
    byOwnerKind.set(ok, (byOwnerKind.get(ok) ?? 0) + size);
    const k = byKind.get(kind) ?? { bytes: 0, count: 0 };
    k.bytes += size;
    k.count++;
    byKind.set(kind, k);
  }
  if (args.includes('--labels')) {
    // The unowned bytes by the two nearest named edges on their path (to find owners to name).
    const byLabel = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      if (before.has(s.nodes[i * width + idAt] as number) || owner[i] !== UNOWNED) continue;
      const names: string[] = [];
      for (let j = i; j > 0 && names.length < 2; j = parent[j] as number) {
        const pe = parentEdge[j] as string;
        if (pe.startsWith('property:') || pe.startsWith('context:')) names.push(pe);
      }
      const label = names.reverse().join(' > ');
      byLabel.set(label, (byLabel.get(label) ?? 0) + (s.nodes[i * width + sizeAt] as number));
    }
    for (const [label, bytes] of [...byLabel].sort((a, b) => b[1] - a[1]).slice(0, 40)) {
      console.log(`${(bytes / watches / 1024).toFixed(2)}\t${label}`);
    }
  }
  const ownerArg = args.indexOf('--owner-paths');
  if (ownerArg !== -1) {
    // The nodes of one owner (a prefix of its name) by the path of names to them, to see what it holds.
    const prefix = args[ownerArg + 1] as string;
    const byPath = new Map<string, { bytes: number; count: number }>();
    for (let i = 0; i < n; i++) {
      if (before.has(s.nodes[i * width + idAt] as number) || !owner[i]?.startsWith(prefix)) continue;
      const path: string[] = [];
      for (let j = i; j > 0 && path.length < 5; j = parent[j] as number) {
        const pe = (parentEdge[j] as string).replace(/^element:\d+/, 'element:#');
        path.push(`${pe}(${(s.strings[s.nodes[j * width + nameAt] as number] as string).slice(0, 16)})`);
      }
      const key = path.reverse().join(' ');
      const entry = byPath.get(key) ?? { bytes: 0, count: 0 };
      entry.bytes += s.nodes[i * width + sizeAt] as number;
      entry.count++;
      byPath.set(key, entry);
    }
    for (const [k, e] of [...byPath].sort((a, b) => b[1].bytes - a[1].bytes).slice(0, 25)) {
      console.log(`${(e.bytes / watches / 1024).toFixed(2)}\t${(e.count / watches).toFixed(1)}\t${k}`);
    }
  }
  if (args.includes('--closures')) {
    // New closures by name and the two edges above them: which functions each watch makes.
    const byName = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      if (before.has(s.nodes[i * width + idAt] as number)) continue;
      if (nodeTypes[s.nodes[i * width + typeAt] as number] !== 'closure') continue;
      const path: string[] = [];
      for (let j = parent[i] as number; j > 0 && path.length < 2; j = parent[j] as number) {
        path.push(
          `${parentEdge[j]}(${(s.strings[s.nodes[j * width + nameAt] as number] as string).slice(0, 20)})`,
        );
      }
      const key = `${s.strings[s.nodes[i * width + nameAt] as number]} <- ${path.reverse().join(' ')} ${parentEdge[i]}`;
      byName.set(key, (byName.get(key) ?? 0) + 1);
    }
    for (const [k, count] of [...byName].sort((a, b) => b[1] - a[1]).slice(0, 40)) {
      console.log(`${(count / watches).toFixed(2)}\t${k}`);
    }
  }
  if (args.includes('--props')) {
    // Unowned property stores: by the path of names to their object.
    const byPath = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      if (before.has(s.nodes[i * width + idAt] as number) || owner[i] !== UNOWNED) continue;
      if (s.strings[s.nodes[i * width + nameAt] as number] !== '(object properties)') continue;
      const path: string[] = [];
      for (let j = i; j > 0 && path.length < 6; j = parent[j] as number) {
        path.push(
          `${parentEdge[j]}(${(s.strings[s.nodes[j * width + nameAt] as number] as string).slice(0, 20)})`,
        );
      }
      const key = path.reverse().join(' ');
      byPath.set(key, (byPath.get(key) ?? 0) + (s.nodes[i * width + sizeAt] as number));
    }
    for (const [k, bytes] of [...byPath].sort((a, b) => b[1] - a[1]).slice(0, 15)) {
      console.log(`${(bytes / watches / 1024).toFixed(2)}\t${k}`);
    }
  }
  if (args.includes('--paths')) {
    const big: number[] = [];
    for (let i = 0; i < n; i++) {
      if (before.has(s.nodes[i * width + idAt] as number) || owner[i] !== UNOWNED) continue;
      if ((s.nodes[i * width + sizeAt] as number) > 300) big.push(i);
    }
    big.sort((a, b) => (s.nodes[b * width + sizeAt] as number) - (s.nodes[a * width + sizeAt] as number));
    for (const i of big.slice(0, 30)) {
      const path: string[] = [];
      for (let j = i; j > 0 && path.length < 14; j = parent[j] as number) {
        path.push(
          `${parentEdge[j]}->${nodeTypes[s.nodes[j * width + typeAt] as number]}:${(s.strings[s.nodes[j * width + nameAt] as number] as string).slice(0, 30)}`,
        );
      }
      console.log(s.nodes[i * width + sizeAt], path.reverse().join(' | '));
    }
  }
  return { total, byOwner, offHeap, byKind, byOwnerKind };
}

let idsBefore: Set<number> | undefined;
let after: Snapshot | undefined;
const figures = await fleetHeap(watches, steps, {
  start: () => {
    idsBefore = idsOf(take('before'));
  },
  end: () => {
    after = take('after');
  },
});
if (!idsBefore || !after) throw new Error('fleet-heap-breakdown: no snapshots taken');
const { total, byOwner, offHeap, byKind, byOwnerKind } = breakdown(idsBefore, after);
const perWatch = (bytes: number) => (bytes / watches / 1024).toFixed(2);
console.log(
  `fleet heap: ${watches} watches after ${steps} steps; retained per signal ${(figures.perSignal / 1024).toFixed(2)} KiB, engine only ${(figures.perSignalEngine / 1024).toFixed(2)} KiB; new objects in the snapshot ${perWatch(total)} KiB per watch`,
);
const onHeap = [...byOwner.values()].reduce((a, b) => a + b, 0);
console.log(
  `\n| owner | KiB per watch in the V8 heap | share of it | KiB per watch outside (ArrayBuffer stores) |\n| --- | --- | --- | --- |`,
);
for (const [o, bytes] of [...byOwner].sort((a, b) => b[1] - a[1])) {
  const off = offHeap.get(o);
  console.log(
    `| ${o} | ${perWatch(bytes)} | ${((bytes / onHeap) * 100).toFixed(1)}% | ${off ? perWatch(off) : ''} |`,
  );
}
console.log('\n| constructor | objects per watch | KiB per watch |\n| --- | --- | --- |');
for (const [kind, k] of [...byKind].sort((a, b) => b[1].bytes - a[1].bytes).slice(0, 20)) {
  console.log(`| ${kind} | ${(k.count / watches).toFixed(1)} | ${perWatch(k.bytes)} |`);
}
if (args.includes('--detail')) {
  for (const [k, bytes] of [...byOwnerKind].sort((a, b) => b[1] - a[1]).slice(0, 60)) {
    console.log(`${perWatch(bytes)}\t${k}`);
  }
}
