import { DEPLOY, gcSawtooth, int, logUniform, MIN, round } from './draws';
import type { Family } from './families';
import type { Prng } from './prng';
import type { DataFamily } from './probe-data-families';
import { heapService } from './probe-memory-families';
import type { ScenarioSpec, ServiceProfile, TrafficSpike } from './scenario-spec';
import type { GeneratedScenario } from './synthesize';

/**
 * Pre-deploy memory envelope families (issue 12, round 18): the memory of the window before the
 * deploy holds a one-off fall, not the process's own oscillation. Live, a healthy deploy under a
 * 4x surge filled memory to 2.07x; the next deploy, 48 s later, leaked and was kept, because the
 * envelope measured before it held the surge's memory falling back (386 -> 130 MB) and read it
 * as oscillation: `a rise of 5.419e+7 over 102 s is within the pre-deploy oscillation (range
 * 2.563e+8)`. Each scenario draws one of two causes inside the 30 min pre-deploy window:
 *
 * - a previous load surge (2-5x for 2-5 min) whose in-flight work held 20-120% of the heap at its
 *   peak and gives it back over 15-300 s (`loadMemory`), ending 1-20 min before the deploy;
 * - a restart of the previous release 1-20 min before the deploy: the old process held 15-100%
 *   more than a fresh one (grown over its life), the new one starts from the base level, some
 *   a little below it while they warm up (0-10% over 20-120 s).
 *
 * On a GC sawtooth (15-300 s cycles, 2-10% of the heap) at 5-150 req/s. Then either a leak
 * (twice the level in 10-50 min, from 0-4 min after the deploy: `mem-prior-fall-leak`, rollback)
 * or nothing (`mem-prior-fall-keep`, keep). What the generator cannot express (the restart) is
 * done to the synthesized memory series afterwards (`post`). Run by id
 * (`families.ts <set> <n> mem-prior-fall-keep,mem-prior-fall-leak`).
 */

type Draw = Omit<ScenarioSpec, 'name' | 'seed'>;

/** A restart of the previous release inside the pre-deploy window, as `post` draws it. */
interface Restart {
  /** Pre-deploy step of the restart. */
  readonly atStep: number;
  /** What the old process held above a fresh one at the restart (bytes), and at the window's start. */
  readonly heldBytes: number;
  readonly heldAtStartBytes: number;
  /** A fresh process's shortfall right after the restart (bytes), gone over `warmSeconds`. */
  readonly warmBytes: number;
  readonly warmSeconds: number;
}

/** A GC sawtooth of a heap of `base` bytes: 15-300 s cycles, 2-10% of the heap. */
const gcOf = (rng: Prng, base: number) => gcSawtooth(rng, base, (r) => r.between(0.02, 0.1));

/** The service, and the cause of the pre-deploy fall: a previous surge's memory or a restart. */
function priorFall(rng: Prng): { base: number; svc: ServiceProfile; spike?: TrafficSpike } {
  const base = logUniform(rng, 8e7, 1.5e9);
  const surge = rng.uniform() < 0.5;
  // Ending 1-20 min before the deploy.
  const endsBefore = int(rng, MIN, 20 * MIN);
  const steps = int(rng, 2 * MIN, 5 * MIN);
  const factor = round(rng.between(2, 5), 2);
  const spike: TrafficSpike = {
    atStep: DEPLOY - endsBefore - steps,
    steps,
    factor,
    latencyFactor: round(rng.between(1.15, 1.4), 3),
    errorFactor: 1,
    rampSteps: int(rng, 0, 4),
  };
  const peak = base * rng.between(0.2, 1.2);
  const svc = heapService(
    rng,
    base,
    gcOf,
    surge ? { factor, peak, riseMaxSeconds: 60, fallMaxSeconds: 300 } : undefined,
  );
  return surge ? { base, svc, spike } : { base, svc };
}

/** The draw of a family: the prior fall, and a leak when `leaks`. */
function drawPrior(rng: Prng, leaks: boolean): Draw {
  const { base, svc, spike } = priorFall(rng);
  const minutes = rng.between(10, 50);
  const cause = spike ? 'a previous load surge' : 'a restart of the previous release';
  return {
    description: `${cause}'s memory falls back inside the pre-deploy window${leaks ? '; the release leaks' : ''}`,
    service: svc,
    fault: leaks
      ? {
          kind: 'leak',
          bytesPerSecond: Math.round(base / (minutes * 60)),
          limitBytes: Math.round(2 * base),
          at: int(rng, 0, 4 * MIN),
        }
      : null,
    ...(spike ? { spikes: [spike] } : {}),
  };
}

/**
 * Adds a restart of the previous release to a synthesized scenario drawn without a previous surge
 * (one with `loadMemory` passes through): before it, the old process's extra memory, grown over
 * the window; after it, a fresh process, some a little below the base level while they warm up.
 */
function withRestart(generated: GeneratedScenario, rng: Prng): GeneratedScenario {
  const s = generated.scenario;
  const memory = s.series.memoryBytes;
  if (generated.meta.load_memory !== undefined || memory === undefined) return generated;
  const base = memory.slice(0, s.deployAtStep).reduce((a, b) => a + b, 0) / s.deployAtStep;
  const held = base * rng.between(0.15, 1);
  const restart: Restart = {
    atStep: s.deployAtStep - int(rng, MIN, 20 * MIN),
    heldBytes: Math.round(held),
    heldAtStartBytes: Math.round(held * rng.between(0.3, 1)),
    warmBytes: rng.uniform() < 0.5 ? Math.round(base * rng.between(0, 0.1)) : 0,
    warmSeconds: Math.round(rng.between(20, 120)),
  };
  const step = s.stepSeconds;
  const rewritten = memory.map((v, t) => {
    if (t < restart.atStep) {
      // The old process's extra memory, grown over the window up to the restart.
      const grown =
        restart.heldAtStartBytes + ((restart.heldBytes - restart.heldAtStartBytes) * t) / restart.atStep;
      return Math.round(v + grown);
    }
    const since = (t - restart.atStep) * step;
    const short = since < restart.warmSeconds ? restart.warmBytes * (1 - since / restart.warmSeconds) : 0;
    return Math.round(Math.max(0, v - short));
  });
  return {
    scenario: { ...s, series: { ...s.series, memoryBytes: rewritten } },
    meta: { ...generated.meta, restart },
  };
}

/**
 * A load surge at the deploy's start (round 19): the live soak's leak deploy (`shop-leak #4`) had
 * a 4x surge 5-65 s after the deploy, so every sample of the bake's first two minutes was held,
 * and the heap the surge grew was given back for the rest of a 240 s bake. Varied here: a 2-5x
 * surge of 30-90 s from 0-10 s after the deploy whose in-flight work holds 50-150% of the heap at
 * its peak (rising over 5-30 s, given back over 15-120 s), on a GC sawtooth (15-300 s, 2-10%),
 * a pre-deploy window of 2-30 min and a bake of 4-8 min; then nothing, or a leak doubling the
 * level in 4-15 min (the live one: about 5 min) from 0-15 s in.
 */
function drawSurgeAtStart(rng: Prng, leaks: boolean): Draw {
  const base = logUniform(rng, 8e7, 1.5e9);
  const factor = round(rng.between(2, 5), 2);
  const spike: TrafficSpike = {
    atStep: DEPLOY + int(rng, 0, 2),
    steps: int(rng, 6, 18),
    factor,
    latencyFactor: round(rng.between(1.15, 1.4), 3),
    errorFactor: 1,
    rampSteps: int(rng, 0, 2),
  };
  const peak = base * rng.between(0.5, 1.5);
  const svc = heapService(rng, base, gcOf, { factor, peak, riseMaxSeconds: 30, fallMaxSeconds: 120 });
  const preSteps = int(rng, 2 * MIN, 30 * MIN);
  const bakeSteps = int(rng, 4 * MIN, 8 * MIN);
  const minutes = rng.between(4, 15);
  return {
    description: `a load surge at the deploy's start fills memory, given back over the bake${leaks ? '; the release leaks' : ''}`,
    service: svc,
    fault: leaks
      ? {
          kind: 'leak',
          bytesPerSecond: Math.round(base / (minutes * 60)),
          limitBytes: Math.round(2 * base),
          at: int(rng, 0, 3),
        }
      : null,
    spikes: [{ ...spike, atStep: preSteps + (spike.atStep - DEPLOY) }],
    preSteps,
    bakeSteps,
  };
}

/** The pre-deploy envelope families, in the order the tables list them. */
export const ENVELOPE_FAMILIES: readonly DataFamily[] = [
  {
    id: 'mem-prior-fall-keep',
    failureClass: 'memory-load',
    truth: 'keep',
    description:
      'healthy release; 1-20 min before the deploy a previous load surge (2-5x, 2-5 min, 20-120% of the heap given back over 15-300 s) or a restart of the previous release (15-100% more held by the old process) ended, on a GC sawtooth (15-300 s, 2-10%)',
    draw: (rng) => drawPrior(rng, false),
    post: withRestart,
  },
  {
    id: 'mem-prior-fall-leak',
    failureClass: 'memory-load',
    truth: 'rollback',
    description:
      'the previous surge or restart of mem-prior-fall-keep inside the pre-deploy window, and a release that leaks (twice the level in 10-50 min) from 0-4 min in',
    draw: (rng) => drawPrior(rng, true),
    post: withRestart,
  },
];

/**
 * The surge-at-the-deploy's-start families (see `drawSurgeAtStart`), run by id
 * (`families.ts <set> <n> surge-memory-start-keep,surge-memory-start-leak`).
 */
export const SURGE_START_FAMILIES: readonly Family[] = [
  {
    id: 'surge-memory-start-keep',
    failureClass: 'memory-load',
    truth: 'keep',
    description:
      'healthy release; a 2-5x load surge of 30-90 s from 0-10 s after the deploy holds 50-150% of the heap at its peak, given back over 15-120 s, on a GC sawtooth (15-300 s, 2-10%); a 2-30 min pre-deploy window, a 4-8 min bake',
    draw: (rng) => drawSurgeAtStart(rng, false),
  },
  {
    id: 'surge-memory-start-leak',
    failureClass: 'memory-load',
    truth: 'rollback',
    description:
      "the surge at the deploy's start of surge-memory-start-keep on a release that leaks (twice the level in 4-15 min) from 0-15 s in",
    draw: (rng) => drawSurgeAtStart(rng, true),
  },
];
