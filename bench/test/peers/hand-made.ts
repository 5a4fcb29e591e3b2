import { parseScenario, type Scenario } from '@rollgate/testkit/scenarios';

/** What varies per step in a hand-made scenario; everything else is constant and noise-free. */
export interface HandMade {
  readonly verdict?: 'rollback' | 'keep' | 'incident';
  readonly faultStartStep?: number | null;
  /** Requests at step t (default 100). */
  readonly requests?: (t: number) => number;
  /** Errors at step t given its requests (default none). */
  readonly errors?: (t: number, requests: number) => number;
  /** Bucket index (0..11) that every request of step t falls in (default 3: (25, 50] ms). */
  readonly latencyBucket?: (t: number) => number;
  readonly memory?: (t: number) => number;
  readonly ready?: (t: number) => number;
  readonly restarts?: (t: number) => number;
}

/** A deterministic scenario: 360 baseline steps and 180 bake steps of 5 s, validated by the schema. */
export function handMade(spec: HandMade): Scenario {
  const steps = 540;
  const requests = Array.from({ length: steps }, (_, t) => spec.requests?.(t) ?? 100);
  const bucketMs = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000];
  const histogram = requests.map((n, t) => {
    const row = new Array<number>(12).fill(0);
    row[spec.latencyBucket?.(t) ?? 3] = n;
    return row;
  });
  const p99 = requests.map((n, t) => (n === 0 ? null : (bucketMs[spec.latencyBucket?.(t) ?? 3] ?? 10000)));
  const verdict = spec.verdict ?? 'keep';
  const value = {
    schema: 'rollgate.scenario/v1',
    name: 'hand-made',
    stepSeconds: 5,
    deployAtStep: 360,
    truth: { verdict, faultStartStep: verdict === 'keep' ? null : (spec.faultStartStep ?? 360) },
    latencyBucketsMs: bucketMs,
    series: {
      requests,
      errors: requests.map((n, t) => spec.errors?.(t, n) ?? 0),
      latencyP99Ms: p99,
      latencyHistogram: histogram,
      cpuCores: requests.map(() => 0.3),
      memoryBytes: requests.map((_, t) => spec.memory?.(t) ?? 4e8),
      ready: requests.map((_, t) => spec.ready?.(t) ?? 1),
      restarts: requests.map((_, t) => spec.restarts?.(t) ?? 0),
    },
  };
  const parsed = parseScenario(value, 'hand-made.json');
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
  return parsed.scenario;
}

/** Step t of the bake minute k (0-based): minute k covers steps 360 + 12k .. 360 + 12k + 11. */
export const minuteEnd = (k: number) => 360 + 12 * k + 11;
export const inMinute = (t: number, k: number) => t >= 360 + 12 * k && t <= minuteEnd(k);
