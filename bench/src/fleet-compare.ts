/**
 * Side-by-side fleet ticks of two or more engines in ONE process, runs interleaved (order
 * reversed every other round), for before/after tables on a shared machine (docs/benchmarks.md,
 * "the tick path, side by side"). Each argument is a checkout's bench directory: its
 * `src/sections/fleet.ts` is imported, and resolves `@rollgate/core` from that checkout, so each
 * harness drives its own engine. E.g. with the engine before a change in a second worktree
 * (`git worktree add --detach ../before <commit>` and `pnpm install --offline` there):
 *
 *   node --expose-gc --conditions=source --import tsx src/fleet-compare.ts \
 *     --watches 250 --rounds 3 ../../before/bench .
 *
 * Prints one JSON line per run: wall p50/p99 of a tick and its process CPU time p50 (the figure
 * least moved by other processes). `--measure heap` compares the retained heap per signal of
 * `--watches` watches after 60 steps instead (run with --expose-gc); `--measure bytes` one
 * watch's stored snapshot at 2 h and 24 h and the bytes its saves wrote per evaluation. A checkout whose fleet.ts predates `tickCpuP50Ms` prints it
 * as null: copy the newer fleet.ts there (the harness, not the engine).
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { positiveIntegerOption } from './script-options';
import type { FleetFigures } from './sections/fleet';

type FleetTicks = (watches: number, ticks: number, warmup: number) => Promise<FleetFigures>;
type FleetHeap = (
  watches: number,
  steps: number,
) => Promise<{
  perSignal: number;
  perSignalEngine?: number;
  arrayBuffersPerSignal?: number;
  snapshotBytes: number;
}>;
type SnapshotGrowth = (
  hours: readonly number[],
  log: (line: string) => void,
) => Promise<{ sizes: number[]; writtenPerStep: number; recordPerSave?: number; recordMax?: number }>;
interface Harness {
  readonly fleetTicks: FleetTicks;
  readonly fleetHeap: FleetHeap;
  readonly snapshotGrowth: SnapshotGrowth;
}

const args = process.argv.slice(2);
const option = (name: string, fallback: number): number => positiveIntegerOption(args, name, fallback);
const watches = option('watches', 250);
const rounds = option('rounds', 3);
const ticks = option('ticks', 20);
const warmup = option('warmup', 12);
/** What to compare: tick time (default), retained heap per signal, or stored bytes of one watch. */
const measure = (() => {
  const at = args.indexOf('--measure');
  if (at === -1) return 'ticks';
  const value = args[at + 1];
  if (value !== 'ticks' && value !== 'heap' && value !== 'bytes') {
    throw new Error('--measure takes ticks, heap or bytes');
  }
  args.splice(at, 2);
  return value;
})();
if (args.length < 2) throw new Error('fleet-compare: give two or more bench directories to compare');

const harnesses: (Harness & { dir: string })[] = [];
for (const dir of args) {
  const url = pathToFileURL(resolve(dir, 'src/sections/fleet.ts')).href;
  const module = (await import(url)) as Harness;
  harnesses.push({ dir, ...module });
}
for (let round = 0; round < rounds; round++) {
  const order = round % 2 === 0 ? harnesses : [...harnesses].reverse();
  for (const { dir, fleetTicks, fleetHeap, snapshotGrowth } of order) {
    if (measure === 'heap') {
      const h = await fleetHeap(watches, 60);
      const engine = h.perSignalEngine === undefined ? null : h.perSignalEngine / 1024;
      const outside = h.arrayBuffersPerSignal === undefined ? null : h.arrayBuffersPerSignal / 1024;
      console.log(
        JSON.stringify({
          round,
          dir,
          watches,
          heapPerSignalKiB: h.perSignal / 1024,
          engineKiB: engine,
          arrayBuffersKiB: outside,
        }),
      );
      continue;
    }
    if (measure === 'bytes') {
      const g = await snapshotGrowth([2, 24], () => {});
      console.log(JSON.stringify({ round, dir, ...g }));
      continue;
    }
    const f = await fleetTicks(watches, ticks, warmup);
    const cpu = (f as Partial<FleetFigures>).tickCpuP50Ms ?? null;
    console.log(
      JSON.stringify({ round, dir, signals: f.signals, p50: f.tickP50Ms, p99: f.tickP99Ms, cpuP50: cpu }),
    );
  }
}
