import type { Scenario } from '@rollgate/testkit/scenarios';
import { DEPLOY, gcSawtooth, int, logUniform, MIN, round, service } from './draws';
import type { Family } from './families';
import { Prng } from './prng';
import type { ScenarioSpec, ServiceProfile, TrafficSpike } from './scenario-spec';
import type { GeneratedScenario } from './synthesize';

/**
 * Data-condition families (issue 12, round 16): error, memory and data conditions of real
 * deploys that the other families do not draw. Each comes as a healthy `keep` family and a `bad`
 * twin with a persisting regression under the same conditions:
 *
 * - a cache that fills after the deploy (memory +10-40% over 2-6 min, then flat) next to the
 *   same fill with a slow leak that never plateaus, on a GC sawtooth;
 * - a downstream blip (a dependency failing for 20-90 s: errors 3-20x, then back) before, at or
 *   after the deploy, on a healthy release and on a bad one;
 * - scrape gaps (1-3 steps with no sample at random times: counters read nothing, then the next
 *   scrape carries what they counted meanwhile; gauges hold their last value, as Prometheus's
 *   lookback does) and new pods' error series appearing only at their first error;
 * - batch traffic (0.1-2 req/s arriving in bursts every 15-60 s, so most 5 s steps are empty);
 * - readiness that flaps (one pod of 3-6 not Ready for 5-15 s at random) vs a crash loop.
 *
 * What the generator cannot express is done to the synthesized scenario afterwards, by the
 * family's `post` (see {@link DataFamily}). Run by id (`families.ts <set> <n> cache-fill-keep,...`).
 */

/** A family whose synthesized scenarios are rewritten by `post` (seeded by the scenario's name). */
export interface DataFamily extends Family {
  readonly post: (generated: GeneratedScenario, rng: Prng) => GeneratedScenario;
}

/** Whether `family` rewrites its synthesized scenarios. */
export function isDataFamily(family: Family): family is DataFamily {
  return typeof (family as Partial<DataFamily>).post === 'function';
}

/** Applies a data family's rewrite to one synthesized scenario (others pass through). */
export function postProcess(family: Family, generated: GeneratedScenario): GeneratedScenario {
  if (!isDataFamily(family)) return generated;
  return family.post(generated, new Prng(`post:${generated.scenario.name}:${String(generated.meta.seed)}`));
}

type Draw = Omit<ScenarioSpec, 'name' | 'seed'>;

// ---------------------------------------------------------------------------------------------
// Rewrites of a synthesized scenario.

type Series = Scenario['series'];

/** A copy of the series, every array copied (rows of the histogram too). */
function copySeries(s: Series): {
  requests: number[];
  errors: number[];
  latencyP99Ms: (number | null)[];
  latencyHistogram: number[][];
  cpuCores?: number[];
  memoryBytes?: number[];
  ready?: number[];
  restarts?: number[];
} {
  return {
    requests: [...s.requests],
    errors: [...s.errors],
    latencyP99Ms: [...s.latencyP99Ms],
    latencyHistogram: s.latencyHistogram.map((r) => [...r]),
    ...(s.cpuCores ? { cpuCores: [...s.cpuCores] } : {}),
    ...(s.memoryBytes ? { memoryBytes: [...s.memoryBytes] } : {}),
    ...(s.ready ? { ready: [...s.ready] } : {}),
    ...(s.restarts ? { restarts: [...s.restarts] } : {}),
  };
}

function withSeries(g: GeneratedScenario, series: Series, extra: Record<string, unknown>): GeneratedScenario {
  return { scenario: { ...g.scenario, series }, meta: { ...g.meta, ...extra } };
}

/**
 * Moves the counts of step `from` into step `to` (requests, errors, histogram; the p99 of `to`
 * becomes the larger of the two, the merged samples' p99 being at most that) and empties `from`.
 */
function carry(s: ReturnType<typeof copySeries>, from: number, to: number): void {
  s.requests[to] = (s.requests[to] ?? 0) + (s.requests[from] ?? 0);
  s.errors[to] = (s.errors[to] ?? 0) + (s.errors[from] ?? 0);
  const a = s.latencyHistogram[to] ?? [];
  const b = s.latencyHistogram[from] ?? [];
  s.latencyHistogram[to] = a.map((x, k) => x + (b[k] ?? 0));
  const pa = s.latencyP99Ms[to] ?? null;
  const pb = s.latencyP99Ms[from] ?? null;
  s.latencyP99Ms[to] = pa === null ? pb : pb === null ? pa : Math.max(pa, pb);
  s.requests[from] = 0;
  s.errors[from] = 0;
  s.latencyHistogram[from] = b.map(() => 0);
  s.latencyP99Ms[from] = null;
}

/**
 * Scrape gaps: `gaps` gaps of 1-3 steps at random steps (at least a third of them in the bake).
 * In a gap the counters read nothing and the first scrape after it carries what they counted
 * meanwhile; the gauges (cpu, memory, ready) hold their last scraped value.
 */
export function scrapeGaps(g: GeneratedScenario, rng: Prng, gaps: number): GeneratedScenario {
  const s = copySeries(g.scenario.series);
  const total = s.requests.length;
  const deploy = g.scenario.deployAtStep;
  const at: number[] = [];
  for (let k = 0; k < gaps; k++) {
    const inBake = k % 3 === 0 || rng.uniform() < 0.5;
    const lo = inBake ? deploy : 1;
    const hi = inBake ? total - 5 : deploy - 4;
    const start = int(rng, lo, hi);
    const len = int(rng, 1, 3);
    at.push(start);
    for (let t = start; t < start + len && t + 1 < total; t++) {
      for (const key of ['cpuCores', 'memoryBytes', 'ready'] as const) {
        const series = s[key];
        if (series) series[t] = series[t - 1] ?? series[t] ?? 0;
      }
    }
    // Counters: the gap's counts arrive with the first scrape after it.
    const end = Math.min(total - 1, start + len);
    for (let t = start; t < end; t++) carry(s, t, end);
  }
  return withSeries(g, s, { scrape_gaps: at.sort((a, b) => a - b) });
}

/**
 * New pods' error series appear at their first error: Prometheus's rate() sees a series from its
 * first sample, so each new pod's first error after the deploy is not counted (`pods` errors lost).
 */
export function lateErrorSeries(g: GeneratedScenario, pods: number): GeneratedScenario {
  const s = copySeries(g.scenario.series);
  let lost = 0;
  for (let t = g.scenario.deployAtStep; t < s.errors.length && lost < pods; t++) {
    const e = s.errors[t] ?? 0;
    const take = Math.min(e, pods - lost);
    s.errors[t] = e - take;
    lost += take;
  }
  return withSeries(g, s, { late_error_series: lost });
}

/**
 * Batch arrivals: requests arrive in a burst every `periodSteps` steps (jittered by one step),
 * each burst carrying every request since the last one, so the steps in between are empty.
 */
export function batchArrivals(g: GeneratedScenario, rng: Prng, periodSteps: number): GeneratedScenario {
  const s = copySeries(g.scenario.series);
  const total = s.requests.length;
  let from = 0;
  let next = int(rng, 0, periodSteps - 1);
  while (from < total) {
    const to = Math.min(total - 1, next);
    for (let t = from; t < to; t++) carry(s, t, to);
    from = to + 1;
    next = to + Math.max(1, periodSteps + int(rng, -1, 1));
  }
  return withSeries(g, s, { batch_period_s: periodSteps * 5 });
}

/**
 * Readiness flaps: `flaps` times at random steps (a third of them or more in the bake) one pod of
 * `pods` reads not Ready for 1-3 steps (5-15 s), as a probe timing out under a GC pause does.
 */
export function readinessFlaps(
  g: GeneratedScenario,
  rng: Prng,
  flaps: number,
  pods: number,
): GeneratedScenario {
  const s = copySeries(g.scenario.series);
  const ready = s.ready;
  if (!ready) return g;
  const total = ready.length;
  const deploy = g.scenario.deployAtStep;
  const at: number[] = [];
  for (let k = 0; k < flaps; k++) {
    const inBake = k % 3 === 0 || rng.uniform() < 0.5;
    const start = inBake ? int(rng, deploy, total - 4) : int(rng, 0, deploy - 4);
    const len = int(rng, 1, 3);
    at.push(start);
    for (let t = start; t < start + len && t < total; t++) {
      ready[t] = round(Math.min(ready[t] ?? 1, (pods - 1) / pods), 4);
    }
  }
  return withSeries(g, s, { ready_flaps: at.sort((a, b) => a - b) });
}

// ---------------------------------------------------------------------------------------------
// Draws.

/** A GC sawtooth of a heap of `base` bytes: 15-300 s cycles, 3-10% of the heap. */
const gcOf = (rng: Prng, base: number) => gcSawtooth(rng, base, (r) => r.between(0.03, 0.1));

/** A heap of 80 MB-1.5 GB on a GC sawtooth, and its service. */
function heap(rng: Prng): { base: number; svc: ServiceProfile } {
  const base = logUniform(rng, 8e7, 1.5e9);
  const svc = service(rng, {
    rps: round(logUniform(rng, 2, 100), 1),
    memoryBytes: Math.round(base),
    memoryNoiseBytes: Math.round(base * rng.between(0.0005, 0.003)),
    gc: gcOf(rng, base),
  });
  return { base, svc };
}

/** A cache filling after the deploy: +10-40% of the heap over 2-6 min, from 0-2 min in, then flat. */
function cacheFill(rng: Prng, base: number) {
  return {
    atStep: int(rng, 0, 2 * MIN),
    bytes: Math.round(base * rng.between(0.1, 0.4)),
    rampSeconds: Math.round(rng.between(120, 360)),
  };
}

/**
 * A downstream blip: the service's errors 3-20x for 20-90 s (a dependency failing, requests
 * timing out a little slower), from 2 min before the deploy to 8 min after it.
 */
function blip(rng: Prng): TrafficSpike {
  const errorFactor = round(rng.between(3, 20), 2);
  return {
    atStep: DEPLOY + int(rng, -2 * MIN, 8 * MIN),
    steps: int(rng, 4, 18),
    factor: 1,
    latencyFactor: round(rng.between(1, 1.3), 3),
    errorFactor,
  };
}

/** A bad release's regression: errors 3-10x (70%) or the median 1.5-3x slower, from 0-3 min in. */
function regression(rng: Prng, svc: ServiceProfile): Draw['fault'] {
  const at = rng.uniform() < 0.5 ? 0 : int(rng, 1, 3 * MIN);
  return rng.uniform() < 0.7
    ? { kind: 'errors', p1: round(svc.p0 * rng.between(3, 10), 5), at }
    : { kind: 'latency', factor: round(rng.between(1.5, 3), 2), at };
}

/** A service for the data families: 5-150 req/s and 3-6 pods. */
function svcOf(rng: Prng, rps: [number, number] = [5, 150]): ServiceProfile {
  return service(rng, { rps: round(logUniform(rng, rps[0], rps[1]), 2), pods: int(rng, 3, 6) });
}

/** Gaps and late error series: 2-8 gaps; pods' first errors lost. */
function missingData(g: GeneratedScenario, rng: Prng): GeneratedScenario {
  const pods = Number(g.meta.pods ?? 3);
  return lateErrorSeries(scrapeGaps(g, rng, int(rng, 2, 8)), pods);
}

/** Batch arrivals every 15-60 s (3-12 steps). */
function batches(g: GeneratedScenario, rng: Prng): GeneratedScenario {
  return batchArrivals(g, rng, int(rng, 3, 12));
}

/** 3-12 readiness flaps of one pod. */
function flaps(g: GeneratedScenario, rng: Prng): GeneratedScenario {
  return readinessFlaps(g, rng, int(rng, 3, 12), Number(g.meta.pods ?? 3));
}

/** The data families, in the order the tables list them. */
export const DATA_FAMILIES: readonly (Family | DataFamily)[] = [
  {
    id: 'cache-fill-keep',
    failureClass: 'gc-sawtooth',
    truth: 'keep',
    description:
      'healthy release whose cache fills after the deploy: memory +10-40% over 2-6 min from 0-2 min in, then flat, on a GC sawtooth (15-300 s, 3-10%)',
    draw: (rng) => {
      const { base, svc } = heap(rng);
      return {
        description: 'healthy release; a cache fills after the deploy, then memory is flat',
        service: svc,
        fault: null,
        memoryShift: cacheFill(rng, base),
      };
    },
  },
  {
    id: 'cache-fill-leak',
    failureClass: 'gc-sawtooth',
    truth: 'rollback',
    description:
      'the cache fill of cache-fill-keep and a slow leak that never plateaus (twice the level in 20-60 min) from 0-4 min in',
    draw: (rng) => {
      const { base, svc } = heap(rng);
      const minutes = rng.between(20, 60);
      return {
        description: 'a cache fills after the deploy, and a slow leak keeps growing',
        service: svc,
        fault: {
          kind: 'leak',
          bytesPerSecond: Math.round(base / (minutes * 60)),
          limitBytes: Math.round(2 * base),
          at: int(rng, 0, 4 * MIN),
        },
        memoryShift: cacheFill(rng, base),
      };
    },
  },
  {
    id: 'blip-keep',
    failureClass: 'dirty-baseline',
    truth: 'keep',
    description:
      'healthy release; a dependency fails for 20-90 s (errors 3-20x, then back) from 2 min before to 8 min after the deploy',
    draw: (rng) => ({
      description: 'healthy release; a downstream blip around the deploy',
      service: svcOf(rng),
      fault: null,
      spikes: [blip(rng)],
    }),
  },
  {
    id: 'blip-bad',
    failureClass: 'dirty-baseline',
    truth: 'rollback',
    description:
      'the downstream blip of blip-keep on a bad release (errors 3-10x or the median 1.5-3x, persisting)',
    draw: (rng) => {
      const svc = svcOf(rng);
      return {
        description: 'a bad release and a downstream blip around the deploy',
        service: svc,
        fault: regression(rng, svc),
        spikes: [blip(rng)],
      };
    },
  },
  {
    id: 'gaps-keep',
    failureClass: 'control',
    truth: 'keep',
    description:
      'healthy release with 2-8 scrape gaps of 5-15 s (counters catch up on the next scrape, gauges hold) and new pods’ first errors uncounted',
    draw: (rng) => ({
      description: 'healthy release; scrape gaps and late error series',
      service: svcOf(rng),
      fault: null,
    }),
    post: missingData,
  },
  {
    id: 'gaps-bad',
    failureClass: 'control',
    truth: 'rollback',
    description: 'the missing data of gaps-keep on a bad release (errors 3-10x or the median 1.5-3x)',
    draw: (rng) => {
      const svc = svcOf(rng);
      return {
        description: 'a bad release; scrape gaps and late error series',
        service: svc,
        fault: regression(rng, svc),
      };
    },
    post: missingData,
  },
  {
    id: 'batch-keep',
    failureClass: 'low-traffic',
    truth: 'keep',
    description: 'healthy release; 0.1-2 req/s arriving in bursts every 15-60 s (most steps empty)',
    draw: (rng) => ({
      description: 'healthy release; batch traffic',
      service: svcOf(rng, [0.1, 2]),
      fault: null,
    }),
    post: batches,
  },
  {
    id: 'batch-bad',
    failureClass: 'low-traffic',
    truth: 'rollback',
    description: 'the batch traffic of batch-keep on a bad release (errors 3-10x or the median 1.5-3x)',
    draw: (rng) => {
      const svc = svcOf(rng, [0.1, 2]);
      return { description: 'a bad release; batch traffic', service: svc, fault: regression(rng, svc) };
    },
    post: batches,
  },
  {
    id: 'flap-keep',
    failureClass: 'control',
    truth: 'keep',
    description: 'healthy release; one pod of 3-6 not Ready for 5-15 s, 3-12 times at random',
    draw: (rng) => ({ description: 'healthy release; readiness flaps', service: svcOf(rng), fault: null }),
    post: flaps,
  },
  {
    id: 'flap-crashloop',
    failureClass: 'control',
    truth: 'rollback',
    description:
      'the readiness flaps of flap-keep and a crash loop of one pod (up 20-120 s, from 0-3 min in)',
    draw: (rng) => ({
      description: 'readiness flaps and a crash loop',
      service: svcOf(rng),
      fault: {
        kind: 'crashloop',
        at: int(rng, 0, 3 * MIN),
        upSeconds: Math.round(rng.between(20, 120)),
        crashErrorRate: round(rng.between(0.05, 0.3), 3),
      },
    }),
    post: flaps,
  },
];
