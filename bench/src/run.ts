/**
 * `pnpm bench`: runs every benchmark section in one process, one after another, and writes
 * docs/benchmarks.md. Figures are comparable within one run only (shared, noisy machines):
 * quote ratios measured side by side. Options: `--quick` (scaled down), `--only a,b`.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXAMPLE_SCENARIOS_DIR, replayScenario } from '@rollgate/testkit/scenarios';
import type { BenchContext, BenchModule, BenchSection } from './section';
import { aaConditionsBench } from './sections/aa-conditions';
import { aaValidityBench } from './sections/aa-validity';
import { decisionQualityBench } from './sections/decision-quality';
import { engineBench } from './sections/engine';
import { familiesBench } from './sections/families';
import { fleetBench } from './sections/fleet';
import { prometheusBench } from './sections/prometheus';
import { prometheusBatchBench } from './sections/prometheus-batch';
import { referenceCaseBench } from './sections/reference-case';
import { storesBench } from './sections/stores';
import { keepSoakSection } from './soak/soak-section-file';

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
const started = Date.now();
const parts: string[] = [];
for (const [name, module] of modules) {
  if (only && !only.includes(name)) continue;
  ctx.log(`== ${name}`);
  const t0 = Date.now();
  try {
    for (const section of await module(ctx)) parts.push(table(section));
  } catch (error) {
    ctx.log(`${name} failed: ${error instanceof Error ? error.stack : String(error)}`);
    parts.push(
      `## ${name}\n\nThis section failed to run: ${error instanceof Error ? error.message : String(error)}`,
    );
    process.exitCode = 1;
  }
  ctx.log(`== ${name} done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}
const header = [
  '# Benchmarks',
  '',
  `Written by \`pnpm bench${quick ? ' -- --quick' : ''}\` on ${new Date(started).toISOString().slice(0, 10)}: Node ${process.version}, ${cpus().length} CPU (${cpus()[0]?.model ?? 'unknown'}), ${((Date.now() - started) / 1000).toFixed(0)} s in all. Timings on shared machines are noisy: compare figures of one run, side by side.`,
  '',
].join('\n');
const out = only
  ? join(root, 'docs', `benchmarks.${only.join('-')}.md`)
  : join(root, 'docs', 'benchmarks.md');
// The live soak's section is written by its own command (`run soak`); a bench run keeps it.
const previous = existsSync(out) ? readFileSync(out, 'utf8') : null;
writeFileSync(out, keepSoakSection(previous, `${header}\n${parts.join('\n\n')}\n`));
// Lay the tables out as the repository's formatter does, so `pnpm lint` passes on the result.
try {
  execFileSync(join(root, 'node_modules', '.bin', 'biome'), ['format', '--write', out], { stdio: 'ignore' });
} catch (error) {
  ctx.log(
    `could not format ${out} with biome (${(error as Error).message}); run pnpm format before committing it`,
  );
}
ctx.log(`wrote ${out}`);
