/**
 * Profiles the timed ticks of one fleet run (after the warm-up), for docs/benchmarks.md
 * ("the evaluation's allocations"). `--mode cpu` writes a .cpuprofile; `--mode alloc` samples
 * every allocation of the timed ticks, collected or not (the sampling heap profiler with the
 * objects the collector freed included), writes a .heapprofile and prints the top allocation
 * sites in bytes per watch per step. E.g. from bench/:
 *
 *   node --expose-gc --conditions=source --import tsx src/fleet-profile.ts \
 *     --mode alloc --watches 250 --ticks 20 --out /tmp/fleet
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { fleetTicks } from './sections/fleet';

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
if (mode !== 'cpu' && mode !== 'alloc') throw new Error('--mode takes cpu or alloc');
const watches = count('watches', 250);
const ticks = count('ticks', 20);
const out = text('out', `/tmp/fleet-${mode}`);
const top = count('top', 40);

interface HeapNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: HeapNode[];
}

const session = new Session();
session.connect();
let profile: unknown;
const figures = await fleetTicks(watches, ticks, count('warmup', 12), {
  async start() {
    if (mode === 'cpu') {
      await session.post('Profiler.enable');
      await session.post('Profiler.start');
    } else {
      await session.post('HeapProfiler.enable');
      await session.post('HeapProfiler.startSampling', {
        samplingInterval: 4096,
        includeObjectsCollectedByMajorGC: true,
        includeObjectsCollectedByMinorGC: true,
      });
    }
  },
  async end() {
    if (mode === 'cpu') profile = (await session.post('Profiler.stop')).profile;
    else profile = (await session.post('HeapProfiler.stopSampling')).profile;
  },
});
writeFileSync(`${out}.${mode === 'cpu' ? 'cpuprofile' : 'heapprofile'}`, JSON.stringify(profile));
console.log(JSON.stringify(figures));
if (mode === 'alloc') {
  // Self bytes by allocation site (function, file, line), per watch per timed step.
  const sites = new Map<string, number>();
  let total = 0;
  const walk = (node: HeapNode) => {
    const { functionName, url, lineNumber } = node.callFrame;
    const key = `${functionName || '(anonymous)'} ${url.replace(/^.*\/(packages|bench|node_modules)\//, '$1/')}:${lineNumber + 1}`;
    sites.set(key, (sites.get(key) ?? 0) + node.selfSize);
    total += node.selfSize;
    for (const child of node.children) walk(child);
  };
  walk((profile as { head: HeapNode }).head);
  const per = watches * ticks;
  console.log(`total ${(total / per / 1024).toFixed(1)} KiB per watch per step`);
  for (const [site, bytes] of [...sites].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`${(bytes / per).toFixed(0).padStart(8)} B  ${site}`);
  }
}
