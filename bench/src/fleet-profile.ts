/**
 * Profiles the timed ticks of one fleet run (after the warm-up), for docs/benchmarks.md
 * ("the evaluation's allocations", "tick14-issue-13"). `--mode cpu` writes a .cpuprofile and
 * prints the self time by owner (the engine's parts, the test doubles, the collector: see
 * `OWNERS`) and by function; `--mode alloc` samples every allocation of the timed ticks,
 * collected or not (the sampling heap profiler with the objects the collector freed included),
 * writes a .heapprofile and prints bytes per watch per step by owner (`ALLOC_OWNERS`), by
 * function and by allocation site; `--mode kept` the same sampling without the freed objects:
 * what the timed ticks allocated that is still alive at their end, per watch (mostly its last
 * step's state, snapshot and stored text: what a step keeps until the next, which the young
 * generation's collections copy and promote);
 * `--mode promises` counts the Promises made during the timed ticks (an async hook: it slows
 * the run, so its tick times are not figures), per signal per tick. E.g. from bench/:
 *
 *   node --expose-gc --conditions=source --import tsx src/fleet-profile.ts \
 *     --mode alloc --watches 250 --ticks 20 --out /tmp/fleet
 *
 * `--bench DIR` profiles another checkout's engine (its bench directory's fleet.ts) instead.
 */
import { createHook } from 'node:async_hooks';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { fleetTicks as FleetTicks } from './sections/fleet';

const args = process.argv.slice(2);
const text = (name: string, fallback: string): string => {
  const at = args.indexOf(`--${name}`);
  return at === -1 ? fallback : (args[at + 1] ?? fallback);
};
const count = (name: string, fallback: number): number => {
  const value = Number(text(name, String(fallback)));
  if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} needs a positive integer`);
  return value;
};
const mode = text('mode', 'alloc');
if (mode !== 'cpu' && mode !== 'alloc' && mode !== 'kept' && mode !== 'promises') {
  throw new Error('--mode takes cpu, alloc, kept or promises');
}
const watches = count('watches', 250);
const ticks = count('ticks', 20);
const out = text('out', `/tmp/fleet-${mode}`);
const top = count('top', 40);
// `--bench DIR`: another checkout's bench directory, whose fleet.ts drives its own engine (e.g.
// the engine before a change), profiled by this script.
const { fleetTicks, SIGNALS_PER_WATCH } = (await import(
  pathToFileURL(resolve(text('bench', '.'), 'src/sections/fleet.ts')).href
)) as { fleetTicks: typeof FleetTicks; SIGNALS_PER_WATCH: number };

/**
 * Who owns a file's self time, first match wins (paths under packages/core/src/ unless named).
 * The doubles are the harness's (an in-memory store that writes JSON text, an in-memory source);
 * what the engine does before calling them is the engine's.
 */
const OWNERS: readonly (readonly [string, RegExp])[] = [
  ['collector (GC)', /^\(garbage collector\)$/],
  ['test doubles (state store JSON text, source, clock)', /\/testing\/|\/stores\/state-key\.ts$/],
  ['save: per-step record and parts (machine/stored-*)', /\/machine\/(stored-|time-column)/],
  [
    'controller and machine (interpreter, transition, chart series, control requests, events)',
    /\/machine\/|\/events\/|eventemitter3/,
  ],
  [
    'evaluator, reads and retries',
    /\/evaluation\/(evaluator|signal-reader|read-with-retry|signal-queries|batching-source)\.ts$/,
  ],
  ['signal evaluation, verdicts (evaluation/ other)', /\/evaluation\//],
  ['statistics and rules (stats/, rules/, signals/)', /\/(stats|rules|signals)\//],
  ['other (program, idle, natives, bench)', /.*/],
];

interface CpuNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}

/** Self time of a .cpuprofile by owner and by function, as shares of the timed ticks' samples. */
function printCpuOwners(cpu: { nodes: CpuNode[]; samples: number[] }): void {
  const hits = new Map<number, number>();
  for (const id of cpu.samples) hits.set(id, (hits.get(id) ?? 0) + 1);
  const byOwner = new Map<string, number>();
  const byFunction = new Map<string, number>();
  for (const node of cpu.nodes) {
    const n = hits.get(node.id) ?? 0;
    if (n === 0) continue;
    const where = node.callFrame.url || node.callFrame.functionName;
    const owner = (OWNERS.find(([, match]) => match.test(where)) as (typeof OWNERS)[number])[0];
    byOwner.set(owner, (byOwner.get(owner) ?? 0) + n);
    const name = `${node.callFrame.functionName || '(anonymous)'} ${node.callFrame.url.replace(/^.*\/(packages|bench|node_modules)\//, '$1/')}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + n);
  }
  const share = (n: number) => `${((100 * n) / cpu.samples.length).toFixed(1).padStart(5)}%`;
  console.log('self time by owner');
  for (const [owner, n] of [...byOwner].sort((a, b) => b[1] - a[1])) console.log(`${share(n)}  ${owner}`);
  console.log('self time by function');
  for (const [name, n] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`${share(n)}  ${name}`);
  }
}

interface HeapNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: HeapNode[];
}

const session = new Session();
session.connect();
let profile: unknown;
let promises = 0;
const counting = createHook({
  init(_id, type) {
    if (type === 'PROMISE') promises++;
  },
});
const figures = await fleetTicks(watches, ticks, count('warmup', 12), {
  async start() {
    if (mode === 'promises') {
      counting.enable();
    } else if (mode === 'cpu') {
      await session.post('Profiler.enable');
      await session.post('Profiler.start');
    } else {
      await session.post('HeapProfiler.enable');
      await session.post('HeapProfiler.startSampling', {
        samplingInterval: 4096,
        // `kept`: only what is still alive when the timed ticks end (a watch keeps its last
        // step's state, snapshot and stored text until its next step replaces them).
        includeObjectsCollectedByMajorGC: mode === 'alloc',
        includeObjectsCollectedByMinorGC: mode === 'alloc',
      });
    }
  },
  async end() {
    if (mode === 'promises') counting.disable();
    else if (mode === 'cpu') profile = (await session.post('Profiler.stop')).profile;
    else profile = (await session.post('HeapProfiler.stopSampling')).profile;
  },
});
console.log(JSON.stringify(figures));
if (mode === 'promises') {
  const perSignal = promises / (watches * SIGNALS_PER_WATCH * ticks);
  console.log(
    `${perSignal.toFixed(2)} Promises per signal per tick (${(perSignal * SIGNALS_PER_WATCH).toFixed(1)} per watch)`,
  );
  process.exit(0);
}
writeFileSync(`${out}.${mode === 'cpu' ? 'cpuprofile' : 'heapprofile'}`, JSON.stringify(profile));
if (mode === 'cpu') printCpuOwners(profile as { nodes: CpuNode[]; samples: number[] });

/**
 * Who owns an allocation, first match wins, by the allocating function's file (and for the
 * controller's `persist`, its name: the save is that function's work). Built-ins (no file:
 * `Promise.all`, `Array.prototype.push`, `Map`) are charged to the nearest caller with a file.
 */
const ALLOC_OWNERS: readonly (readonly [string, (url: string, fn: string) => boolean])[] = [
  ['harness: in-memory state store (its JSON text)', (u) => /\/testing\/memory-state-store\.ts$/.test(u)],
  ['harness: in-memory source (samples, buckets)', (u) => /\/testing\/memory-source\.ts$/.test(u)],
  ['harness: other doubles, clock, bench', (u) => /\/testing\/|\/bench\//.test(u)],
  [
    'save path (machine/stored-*, time-column, controller persist)',
    (u, f) =>
      /\/machine\/(stored-|time-column)/.test(u) || (/\/machine\/controller\.ts$/.test(u) && f === 'persist'),
  ],
  [
    'controller and machine (interpreter, transition, chart series, control requests, events, clock)',
    (u) => /\/machine\/|\/events\/|\/time\/|eventemitter3/.test(u),
  ],
  [
    'evaluator (evaluator.ts: ticks, joins, signal states, summaries)',
    (u) => /\/evaluation\/evaluator\.ts$/.test(u),
  ],
  [
    'reads: retry frame, reader, sanitize, queries, batching',
    (u) => /\/evaluation\/(signal-reader|read-with-retry|signal-queries|batching-source)\.ts$/.test(u),
  ],
  ['signal evaluation: count reads, windows, verdicts (evaluation/ other)', (u) => /\/evaluation\//.test(u)],
  ['statistics and rules (stats/, rules/, signals/)', (u) => /\/(stats|rules|signals)\//.test(u)],
  ['other (start-up, node_modules, unattributed built-ins)', () => true],
];

/** Self bytes per watch per step by owner, by function within each owner, and by site. */
function printAllocOwners(head: HeapNode, per: number): void {
  const sites = new Map<string, number>();
  const owners = new Map<string, Map<string, number>>();
  let total = 0;
  const walk = (node: HeapNode, caller: { url: string; fn: string }) => {
    const { functionName, url } = node.callFrame;
    const at = url === '' ? caller : { url, fn: functionName };
    const short = (u: string) => u.replace(/^.*\/(packages|bench|node_modules)\//, '$1/');
    const site = `${functionName || '(anonymous)'} ${short(url)}${url === '' ? ` <- ${at.fn} ${short(at.url)}` : ''}`;
    sites.set(site, (sites.get(site) ?? 0) + node.selfSize);
    const owner = (
      ALLOC_OWNERS.find(([, match]) => match(at.url, at.fn)) as (typeof ALLOC_OWNERS)[number]
    )[0];
    const fns = owners.get(owner) ?? new Map<string, number>();
    const fn = `${at.fn || '(anonymous)'} ${short(at.url)}`;
    fns.set(fn, (fns.get(fn) ?? 0) + node.selfSize);
    owners.set(owner, fns);
    total += node.selfSize;
    for (const child of node.children) walk(child, at);
  };
  walk(head, { url: '', fn: '(root)' });
  const kib = (bytes: number) => `${(bytes / per / 1024).toFixed(2).padStart(6)} KiB`;
  console.log(
    `total ${(total / per / 1024).toFixed(1)} KiB per watch${mode === 'kept' ? ' (alive at the end)' : ' per step'}`,
  );
  const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
  console.log('by owner (built-ins charged to their caller), with its largest functions');
  for (const [owner, fns] of [...owners].sort((a, b) => sum(b[1]) - sum(a[1]))) {
    console.log(`${kib(sum(fns))}  ${owner}`);
    for (const [fn, bytes] of [...fns].sort((a, b) => b[1] - a[1]).slice(0, 8)) {
      if (bytes / per >= 64) console.log(`          ${(bytes / per).toFixed(0).padStart(6)} B  ${fn}`);
    }
  }
  console.log('by allocation site (function, file; built-ins with their caller)');
  for (const [site, bytes] of [...sites].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`${(bytes / per).toFixed(0).padStart(8)} B  ${site}`);
  }
}

// Last: the owners' table above must be initialised before the report reads it.
if (mode === 'alloc') printAllocOwners((profile as { head: HeapNode }).head, watches * ticks);
// What survives: per watch (its last step's objects, and what earlier steps left alive).
if (mode === 'kept') printAllocOwners((profile as { head: HeapNode }).head, watches);
