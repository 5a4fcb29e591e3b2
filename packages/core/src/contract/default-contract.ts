import type { Contract, ContractInput, SignalInput } from './contract-schema';
import { parseContract } from './parse-contract';

/** The four standard signals, judged by the rules Rollgate recommends. */
export function defaultSignals(selector: Readonly<Record<string, string>> = {}): SignalInput[] {
  return [
    {
      id: 'error-rate',
      kind: 'error-rate',
      selector: { ...selector },
      // Anytime-valid test of the 5xx rate against the pre-deploy window: checked at every step
      // with a bounded false-rollback rate; decides in seconds on a large regression.
      rules: [{ type: 'sequential', test: 'baseline' }],
      minSamples: 100,
    },
    {
      id: 'latency-p99',
      kind: 'latency',
      selector: { ...selector },
      quantile: 0.99,
      // Requests slower than a threshold fixed before the deploy (the histogram bucket at or
      // above the baseline p99), counted per step and tested like errors. That threshold is far
      // in the tail, so its baseline rate is tiny: a tolerance keeps small drifts from counting.
      rules: [{ type: 'sequential', test: 'baseline', tolerance: 1 }],
      minSamples: 100,
    },
    {
      id: 'memory',
      kind: 'resource',
      resource: 'memory',
      selector: { ...selector },
      // A leak shows as a trend long before it reaches any absolute bound.
      rules: [{ type: 'rate-of-change', limitFromBaseline: 2, horizonSeconds: 3600, maxPValue: 1e-4 }],
      windowSeconds: 900,
      minSamples: 6,
      sustain: { evaluations: 2 },
    },
    {
      id: 'health',
      kind: 'health',
      selector: { ...selector },
      // One pod not Ready for 5-15 s (a probe timing out under a GC pause) is a flap, not a
      // failure: readiness must stay below for 20 s (docs/statistics.md, "Readiness that flaps").
      rules: [{ type: 'health', minReady: 1, maxRestarts: 0, notReadySeconds: 20 }],
      authoritative: true,
      windowSeconds: 30,
      minSamples: 1,
      sustain: { evaluations: 2 },
    },
  ];
}

/**
 * The default contract for `service`: error rate, p99 latency, memory trajectory and health,
 * a 10 minute bake after a 30 s warm-up, alpha 0.01 per deploy. `overrides` are merged on top
 * (a `signals` override replaces the list) and the result is validated.
 */
export function defaultContract(
  service: string,
  overrides: Partial<Omit<ContractInput, 'service'>> & { selector?: Readonly<Record<string, string>> } = {},
): Contract {
  const { selector, ...rest } = overrides;
  return parseContract({ service, signals: defaultSignals(selector), ...rest }, 'default contract');
}
