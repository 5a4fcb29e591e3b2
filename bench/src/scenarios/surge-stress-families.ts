import { DEPLOY, int, logUniform, MIN, pick, round, service } from './draws';
import type { Family } from './families';
import type { Prng } from './prng';
import type { TrafficSpike } from './scenario-spec';
import { BUCKET_LAYOUTS, persistingRegression } from './wide-families';

/**
 * SURGE-STRESS families (issue 12, class 1: healthy load surges): the surge class drawn wider
 * than families.ts and wide-families.ts, to find the mechanisms of false rollbacks under load
 * rather than tune to one draw. Every draw combines a surge shape (at, before or after the
 * deploy, two surges, a slow ramp), 2-5x traffic for 2-5 minutes at 20-150 req/s, a median
 * 15-40% slower, sometimes errors rising slightly with load, sometimes a latency tail that lags
 * the rate (the queue drains for 30-120 s after traffic is back in range), and a histogram
 * layout from the coarse to the fine. Run by id (`families.ts <set> <n> surge-stress-keep,...`).
 */

/** Finer and coarser layouts than BUCKET_LAYOUTS (the default Prometheus one is `undefined`). */
const STRESS_LAYOUTS: readonly (readonly number[] | undefined)[] = [
  undefined,
  ...BUCKET_LAYOUTS,
  [25, 50, 100, 250, 1000],
  [2, 4, 6, 8, 10, 15, 20, 30, 40, 50, 60, 80, 100, 125, 150, 200, 250, 300, 400, 500, 750, 1000, 2000, 5000],
];

/** One healthy surge from `atStep` (absolute): 2-5x, 2-5 min, median +15-40%. */
function stressSurge(rng: Prng, atStep: number, rampSteps = int(rng, 0, 4)): TrafficSpike {
  return {
    atStep,
    steps: int(rng, 2 * MIN, 5 * MIN),
    factor: round(rng.between(2, 5), 2),
    latencyFactor: round(rng.between(1.15, 1.4), 3),
    errorFactor: rng.uniform() < 0.5 ? round(rng.between(1.05, 1.5), 2) : 1,
    rampSteps,
  };
}

/**
 * The queue draining after a surge: traffic is back in range but requests stay slower for
 * 30-120 s, from 60-100% of the surge's slowdown down to none, as 2-4 pieces of decreasing
 * slowdown (spikes of traffic factor 1, which the synthesizer composes with the surge).
 */
function drainPieces(rng: Prng, s: TrafficSpike): TrafficSpike[] {
  const steps = int(rng, MIN / 2, 2 * MIN);
  const top = ((s.latencyFactor ?? 1) - 1) * rng.between(0.6, 1);
  const pieces = int(rng, 2, 4);
  const len = Math.max(1, Math.floor(steps / pieces));
  const whole = { atStep: s.atStep + s.steps };
  return Array.from({ length: pieces }, (_, k) => ({
    atStep: whole.atStep + k * len,
    steps: len,
    factor: 1,
    latencyFactor: round(1 + (top * (pieces - k)) / pieces, 3),
    rampSteps: 0,
  }));
}

/** The surge shapes of a stress draw, with a draining tail after each surge half the time. */
export function stressSurges(rng: Prng): TrafficSpike[] {
  const shape = pick(rng, ['at', 'after', 'before', 'two', 'ramp'] as const);
  let surges: TrafficSpike[];
  if (shape === 'at') surges = [stressSurge(rng, DEPLOY + int(rng, -MIN / 2, MIN / 2))];
  else if (shape === 'after') surges = [stressSurge(rng, DEPLOY + int(rng, 1, 8 * MIN))];
  else if (shape === 'before') {
    const s = stressSurge(rng, DEPLOY - int(rng, MIN / 2, 4 * MIN));
    surges = [{ ...s, steps: Math.max(s.steps, DEPLOY - s.atStep + int(rng, MIN / 2, 2 * MIN)) }];
  } else if (shape === 'two') {
    const first = stressSurge(rng, DEPLOY + int(rng, -MIN, 3 * MIN));
    const second = stressSurge(rng, first.atStep + first.steps + int(rng, MIN / 2, 3 * MIN));
    surges = [first, second];
  } else surges = [stressSurge(rng, DEPLOY + int(rng, 0, 6 * MIN), int(rng, 6, 24))];
  const drains = surges.flatMap((s) => (rng.uniform() < 0.5 ? drainPieces(rng, s) : []));
  return [...surges, ...drains];
}

/** The surge-stress families: healthy surges, and the same surges with a persisting regression. */
export const SURGE_STRESS_FAMILIES: readonly Family[] = [
  {
    id: 'surge-stress-keep',
    failureClass: 'load-surge',
    truth: 'keep',
    description:
      'healthy deploy; 20-150 req/s; 2-5x surges at/before/after the deploy, two, ramps; draining tails; coarse and fine histograms',
    draw: (rng) => {
      const layout = pick(rng, STRESS_LAYOUTS);
      return {
        description: 'healthy deploy; stressed load surges',
        service: service(rng, { rps: round(logUniform(rng, 20, 150), 1) }),
        fault: null,
        spikes: stressSurges(rng),
        ...(layout ? { latencyBucketsMs: layout } : {}),
      };
    },
  },
  {
    id: 'surge-stress-bad',
    failureClass: 'load-surge',
    truth: 'rollback',
    description:
      'stressed surges as in surge-stress-keep, and a latency (1.5-3x) or error (3-10x) regression that persists at normal load',
    draw: (rng) => {
      const layout = pick(rng, STRESS_LAYOUTS);
      const svc = service(rng, { rps: round(logUniform(rng, 20, 150), 1) });
      const fault = persistingRegression(rng, svc.p0);
      return {
        description: 'stressed load surges and a regression that persists at normal load',
        service: svc,
        fault,
        spikes: stressSurges(rng),
        ...(layout ? { latencyBucketsMs: layout } : {}),
      };
    },
  },
];
