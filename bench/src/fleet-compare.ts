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
 * least moved by other processes). A checkout whose fleet.ts predates `tickCpuP50Ms` prints it
 * as null: copy the newer fleet.ts there (the harness, not the engine).
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { FleetFigures } from './sections/fleet';

type FleetTicks = (watches: number, ticks: number, warmup: number) => Promise<FleetFigures>;

const args = process.argv.slice(2);
const option = (name: string, fallback: number): number => {
  const at = args.indexOf(`--${name}`);
  if (at === -1) return fallback;
  const value = Number(args[at + 1]);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} needs a positive integer`);
  args.splice(at, 2);
  return value;
};
const watches = option('watches', 250);
const rounds = option('rounds', 3);
const ticks = option('ticks', 20);
const warmup = option('warmup', 12);
if (args.length < 2) throw new Error('fleet-compare: give two or more bench directories to compare');

const harnesses: { dir: string; fleetTicks: FleetTicks }[] = [];
for (const dir of args) {
  const url = pathToFileURL(resolve(dir, 'src/sections/fleet.ts')).href;
  const module = (await import(url)) as { fleetTicks: FleetTicks };
  harnesses.push({ dir, fleetTicks: module.fleetTicks });
}
for (let round = 0; round < rounds; round++) {
  const order = round % 2 === 0 ? harnesses : [...harnesses].reverse();
  for (const { dir, fleetTicks } of order) {
    const f = await fleetTicks(watches, ticks, warmup);
    const cpu = (f as Partial<FleetFigures>).tickCpuP50Ms ?? null;
    console.log(
      JSON.stringify({ round, dir, signals: f.signals, p50: f.tickP50Ms, p99: f.tickP99Ms, cpuP50: cpu }),
    );
  }
}
