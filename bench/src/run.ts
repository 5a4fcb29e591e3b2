/**
 * `pnpm bench`: runs every benchmark module in one process, one after another, and writes each
 * one's tables into its own section of docs/benchmarks.md (bench-doc.ts). Options: `--quick`
 * (scaled down), `--only a,b` (re-measures those modules; every other section, the live soak's
 * block and the tables measured once by hand are kept). Figures are comparable within one
 * section only (shared, noisy machines): quote ratios measured side by side.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXAMPLE_SCENARIOS_DIR, replayScenario } from '@rollgate/testkit/scenarios';
import { type BenchDoc, parseBenchDoc, renderBenchDoc, withSections } from './bench-doc';
import type { BenchContext, BenchModule, BenchSection } from './section';
import { aaConditionsBench } from './sections/aa-conditions';
import { aaValidityBench } from './sections/aa-validity';
import { cliStartupBench } from './sections/cli-startup';
import { decisionQualityBench } from './sections/decision-quality';
import { engineBench } from './sections/engine';
import { familiesBench } from './sections/families';
import { fleetBench } from './sections/fleet';
import { prometheusBench } from './sections/prometheus';
import { prometheusBatchBench } from './sections/prometheus-batch';
import { referenceCaseBench } from './sections/reference-case';
import { storesBench } from './sections/stores';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const onlyArg = args.find((a) => a.startsWith('--only'));
const only = onlyArg
  ? (onlyArg.includes('=') ? onlyArg.split('=')[1] : args[args.indexOf(onlyArg) + 1])?.split(',')
  : null;

const modules: [string, BenchModule][] = [
  ['engine', engineBench],
  ['fleet', fleetBench],
  [
    'decision-quality',
    decisionQualityBench({
      rollgate: (scenario) => replayScenario(scenario),
      rollgateName: 'Rollgate (default contract)',
      scenarioDirs: [join(root, 'bench', 'scenarios'), EXAMPLE_SCENARIOS_DIR],
    }),
  ],
  ['families', familiesBench],
  ['reference-case', referenceCaseBench],
  ['aa-validity', aaValidityBench],
  ['aa-conditions', aaConditionsBench],
  ['prometheus', prometheusBench],
  ['prometheus-batch', prometheusBatchBench],
  ['stores', storesBench],
  ['cli-startup', cliStartupBench],
];

function table(section: BenchSection): string {
  const lines = [
    `## ${section.title}`,
    '',
    section.description,
    '',
    `| ${section.columns.join(' | ')} |`,
    `| ${section.columns.map(() => '---').join(' | ')} |`,
    ...section.rows.map((row) => `| ${row.map((c) => String(c).replace(/\|/g, '\\|')).join(' | ')} |`),
  ];
  if (section.notes && section.notes.length > 0) lines.push('', ...section.notes.map((n) => `- ${n}`));
  return lines.join('\n');
}

const ctx: BenchContext = {
  quick,
  log: (message) => process.stderr.write(`[bench] ${message}\n`),
};
const unknown = only?.filter((name) => !modules.some(([m]) => m === name)) ?? [];
if (unknown.length > 0) {
  process.stderr.write(
    `pnpm bench: no module named ${unknown.join(', ')}; the modules are ${modules.map(([m]) => m).join(', ')}\n`,
  );
  process.exit(2);
}
const out = join(root, 'docs', 'benchmarks.md');
const HEADER = [
  '# Benchmarks',
  '',
  'Written by `pnpm bench` (bench/src/run.ts): one section per bench module, each naming the day, Node version and machine it was measured on. `pnpm bench -- --only NAME` re-measures one module and keeps every other section; the live soak and the tables measured once by hand sit in blocks no bench run rewrites. Timings on shared machines are noisy: compare figures of one section, measured side by side.',
].join('\n');
// Read (and check) the file before spending minutes on measuring: a half-edited file stops here.
const previous: BenchDoc = existsSync(out)
  ? parseBenchDoc(readFileSync(out, 'utf8'))
  : { header: HEADER, blocks: [] };
const measured: { name: string; text: string }[] = [];
const machine = `Node ${process.version}, ${cpus().length} CPU (${cpus()[0]?.model ?? 'unknown'})`;
for (const [name, module] of modules) {
  if (only && !only.includes(name)) continue;
  ctx.log(`== ${name}`);
  const t0 = Date.now();
  try {
    const tables = (await module(ctx)).map(table);
    const seconds = ((Date.now() - t0) / 1000).toFixed(0);
    const command = `pnpm bench${quick ? ' -- --quick' : ''}`;
    tables.push(
      `_Measured on ${new Date(t0).toISOString().slice(0, 10)} by \`${command}\` (module \`${name}\`, ${seconds} s): ${machine}._`,
    );
    measured.push({ name, text: tables.join('\n\n') });
  } catch (error) {
    // The section keeps its last figures; the run fails so nobody mistakes them for new ones.
    ctx.log(
      `${name} failed, its section is left as it was: ${error instanceof Error ? error.stack : String(error)}`,
    );
    process.exitCode = 1;
  }
  ctx.log(`== ${name} done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}
const next = withSections(
  { header: previous.header || HEADER, blocks: previous.blocks },
  measured,
  modules.map(([m]) => m),
);
writeFileSync(out, renderBenchDoc(next));
// Lay the tables out as the repository's formatter does, so `pnpm lint` passes on the result.
try {
  execFileSync(join(root, 'node_modules', '.bin', 'biome'), ['format', '--write', out], { stdio: 'ignore' });
} catch (error) {
  ctx.log(
    `could not format ${out} with biome (${(error as Error).message}); run pnpm format before committing it`,
  );
}
ctx.log(`wrote ${out}`);
