import { COLD_START_FAMILIES } from './cold-start-families';
import { DRIFT_FAMILIES } from './drift-families';
import { DRIFT_STRESS_FAMILIES } from './drift-stress-families';
import { ENVELOPE_FAMILIES, SURGE_START_FAMILIES } from './envelope-families';
import { FAMILIES, type Family, familySpecs } from './families';
import { INCIDENT_FAMILIES } from './incident-families';
import { LEAK_FAMILIES } from './leak-families';
import { DATA_FAMILIES, postProcess } from './probe-data-families';
import { MEMORY_FAMILIES } from './probe-memory-families';
import { PROBE_TRAFFIC_FAMILIES } from './probe-traffic-families';
import type { ScenarioSpec } from './scenario-spec';
import { SURGE_STRESS_FAMILIES } from './surge-stress-families';
import { type GeneratedScenario, synthesize } from './synthesize';
import { checkTruth, oneLookPValue } from './truth-check';
import { WIDE_FAMILIES } from './wide-families';

/** How many draws a bad-deploy scenario gets to be detectable before it is left out. */
const MAX_DRAWS = 5;
/** The one-look threshold of issue 12 ("a one-look Fisher test on the whole bake rejects at p < 2e-4"). */
export const ONE_LOOK_P = 2e-4;

/** One family's scenarios of one set. */
export interface FamilySet {
  readonly family: Family;
  readonly set: string;
  readonly scenarios: readonly GeneratedScenario[];
  /** Bad-deploy draws left out because no fair test could see the fault in the bake. */
  readonly undetectable: readonly string[];
}

/**
 * Whether a bad-deploy scenario's fault is in its data at all: the reference sequential tests
 * of truth-check.ts see it within the bake (and not before it starts), or the one-look test on
 * the whole bake rejects at p < 2e-4; a leak that doubles memory within the hour always is.
 * Healthy and incident scenarios are kept as drawn: a real service does not redraw its noise.
 */
export function isFair(generated: GeneratedScenario): boolean {
  const s = generated.scenario;
  if (s.truth.verdict !== 'rollback') return true;
  if (generated.meta.fault?.kind === 'leak') return true;
  return checkTruth(s).ok || oneLookPValue(s) < ONE_LOOK_P;
}

/** Generates `count` scenarios of a family's set; an undetectable bad deploy is redrawn (seed + k). */
export function generateFamilySet(family: Family, set: string, count: number): FamilySet {
  const scenarios: GeneratedScenario[] = [];
  const undetectable: string[] = [];
  for (const spec of familySpecs(family, set, count)) {
    let found: GeneratedScenario | null = null;
    for (let draw = 0; draw < MAX_DRAWS && found === null; draw++) {
      const current: ScenarioSpec = draw === 0 ? spec : { ...spec, seed: (spec.seed + draw) >>> 0 };
      const generated = postProcess(family, synthesize(current));
      if (isFair(generated)) found = { scenario: generated.scenario, meta: { ...generated.meta, draw } };
    }
    if (found) scenarios.push(found);
    else undetectable.push(spec.name);
  }
  return { family, set, scenarios, undetectable };
}

/** Every family's set (or the named families only: the wide, cold-start, leak, drift, drift-stress, surge-stress, probe-traffic, probe-data, probe-memory, envelope, surge-start and incident-recovering families run only by id). */
export function generateFamilies(set: string, count: number, only?: readonly string[]): FamilySet[] {
  const families = only
    ? [
        ...FAMILIES,
        ...WIDE_FAMILIES,
        ...COLD_START_FAMILIES,
        ...LEAK_FAMILIES,
        ...DRIFT_FAMILIES,
        ...DRIFT_STRESS_FAMILIES,
        ...SURGE_STRESS_FAMILIES,
        ...PROBE_TRAFFIC_FAMILIES,
        ...DATA_FAMILIES,
        ...MEMORY_FAMILIES,
        ...ENVELOPE_FAMILIES,
        ...SURGE_START_FAMILIES,
        ...INCIDENT_FAMILIES,
      ].filter((f) => only.includes(f.id))
    : FAMILIES;
  return families.map((f) => generateFamilySet(f, set, count));
}
