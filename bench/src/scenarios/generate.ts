import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CORPUS_SEED, corpusSpecs } from './catalog';
import type { ScenarioSpec } from './scenario-spec';
import { type GeneratedMeta, type GeneratedScenario, synthesize } from './synthesize';
import { checkTruth } from './truth-check';

/** How many draws a healthy scenario gets before the generator gives up (see `generateCorpus`). */
export const MAX_KEEP_DRAWS = 5;

/** A generated corpus, ready to write. */
export interface Corpus {
  readonly scenarios: readonly GeneratedScenario[];
  /** `_meta.json` content: scenario name → generator parameters. */
  readonly meta: Readonly<Record<string, GeneratedMeta>>;
}

/**
 * Generates the corpus and checks every truth with the reference tests of truth-check.ts.
 * A `rollback` or `incident` scenario the reference tests cannot confirm is an error in the
 * catalog (the generator throws: fix the fault size, not the draw). A healthy scenario is
 * redrawn (seed + 1, up to MAX_KEEP_DRAWS) when a reference test at alpha = 0.01 happens to fire
 * on its noise: such a draw is a 1-in-100 fluke that any valid test at that alpha would also
 * flag, not a fair "keep". The draw used is recorded in `_meta.json` (`seed`, `draw`).
 */
export function generateCorpus(seed: string = CORPUS_SEED): Corpus {
  const scenarios: GeneratedScenario[] = [];
  const meta: Record<string, GeneratedMeta> = {};
  for (const spec of corpusSpecs(seed)) {
    let draw = 0;
    let current: ScenarioSpec = spec;
    for (;;) {
      const generated = synthesize(current);
      const check = checkTruth(generated.scenario);
      if (check.ok) {
        const delay =
          generated.scenario.truth.verdict === 'rollback' &&
          check.detection &&
          generated.scenario.truth.faultStartStep !== null
            ? (check.detection.step - generated.scenario.truth.faultStartStep) *
              generated.scenario.stepSeconds
            : undefined;
        const m: GeneratedMeta = {
          ...generated.meta,
          draw,
          ...(delay !== undefined ? { reference_delay_s: delay, reference_test: check.detection?.test } : {}),
        };
        scenarios.push({ scenario: generated.scenario, meta: m });
        meta[spec.name] = m;
        break;
      }
      if (spec.fault !== null || draw + 1 >= MAX_KEEP_DRAWS) {
        throw new Error(`scenario ${spec.name}: unfair truth: ${check.reason}`);
      }
      draw++;
      current = { ...spec, seed: (spec.seed + draw) >>> 0 };
    }
  }
  return { scenarios, meta };
}

/** The files of a corpus: one compact JSON per scenario (as the examples) and `_meta.json`. */
export function corpusFiles(corpus: Corpus): Map<string, string> {
  const files = new Map<string, string>();
  for (const { scenario } of corpus.scenarios)
    files.set(`${scenario.name}.json`, `${JSON.stringify(scenario)}\n`);
  files.set('_meta.json', `${JSON.stringify(corpus.meta, null, 1)}\n`);
  return files;
}

/** Writes the corpus into `dir`, removing JSON files of scenarios no longer in the catalog. */
export async function writeCorpus(dir: string, corpus: Corpus): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const files = corpusFiles(corpus);
  for (const existing of await readdir(dir)) {
    if (existing.endsWith('.json') && !files.has(existing)) await rm(join(dir, existing));
  }
  for (const [name, text] of files) await writeFile(join(dir, name), text);
  return [...files.keys()];
}

/** bench/scenarios, where the committed corpus lives. */
export const CORPUS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../scenarios');

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const corpus = generateCorpus();
  const written = await writeCorpus(CORPUS_DIR, corpus);
  const redrawn = Object.entries(corpus.meta).filter(([, m]) => (m.draw as number) > 0);
  console.log(`wrote ${written.length - 1} scenarios and _meta.json to ${CORPUS_DIR}`);
  if (redrawn.length > 0)
    console.log(`healthy scenarios redrawn: ${redrawn.map(([n, m]) => `${n} (draw ${m.draw})`).join(', ')}`);
}
