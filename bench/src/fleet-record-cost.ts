/**
 * What the per-step save's text costs: one watch's stored record after `--steps` steps (the
 * record a save writes at every step, parts excluded), for each checkout given, and the time
 * `JSON.stringify` takes on it, in ONE process, checkouts interleaved, the minimum of `--rounds`
 * rounds of 200 calls each (docs/benchmarks.md, "verdict13-issue-13"). Each argument is a
 * checkout's bench directory (its `src/sections/fleet.ts` drives its own engine). From bench/:
 *
 *   node --conditions=source --import tsx src/fleet-record-cost.ts --steps 67 /work/wt/before/bench .
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { positiveIntegerOption } from './script-options';

type FleetRecord = (
  steps: number,
) => Promise<{ record: unknown; bytes: number; fields: Record<string, number> }>;

const args = process.argv.slice(2);
const steps = positiveIntegerOption(args, 'steps', 67);
const rounds = positiveIntegerOption(args, 'rounds', 20);
const dirs = args.filter((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--'));
if (dirs.length === 0) throw new Error("fleet-record-cost: give one or more checkouts' bench directories");

const records: { dir: string; record: unknown; bytes: number; bake: number; best: number }[] = [];
for (const dir of dirs) {
  const fleet = (await import(pathToFileURL(resolve(dir, 'src/sections/fleet.ts')).href)) as {
    fleetRecord: FleetRecord;
  };
  const r = await fleet.fleetRecord(steps);
  records.push({
    dir,
    record: r.record,
    bytes: r.bytes,
    bake: r.fields.bake ?? 0,
    best: Number.POSITIVE_INFINITY,
  });
}
let sink = 0;
for (let round = 0; round < rounds; round++) {
  const order = round % 2 === 0 ? records : [...records].reverse();
  for (const r of order) {
    const t0 = performance.now();
    for (let i = 0; i < 200; i++) sink += JSON.stringify(r.record).length;
    r.best = Math.min(r.best, ((performance.now() - t0) * 1000) / 200);
  }
}
if (sink === 0) throw new Error('fleet-record-cost: nothing written');
for (const r of records) {
  console.log(
    JSON.stringify({ dir: r.dir, steps, recordBytes: r.bytes, bakeBytes: r.bake, stringifyUs: r.best }),
  );
}
