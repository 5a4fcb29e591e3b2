import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const dir = process.argv[2] ?? '.';
const steps = Number(process.argv[3] ?? 60);
const m = await import(pathToFileURL(resolve(dir, 'src/sections/fleet.ts')).href);
const r = await m.fleetRecord(steps);
console.log(JSON.stringify({ record: r.record, parts: r.parts }));
console.error(r.bytes, r.fields);
