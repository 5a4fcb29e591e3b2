import { impossibleVerdict, inDomain, type MeasureDomain } from './measure-domain';
import type { TimeWindow, Verdict } from './verdict';

const SAMPLE_COUNT: MeasureDomain = { name: 'sample count', min: 0, max: Number.POSITIVE_INFINITY };

/** What every rule needs to know about the data behind a verdict before judging it. */
export interface DataQualityInput {
  readonly signal: string;
  readonly rule: string;
  readonly segment?: string;
  readonly window: TimeWindow;
  /** Requests or points behind the value. */
  readonly samples: number;
  /** Epoch ms of the newest sample; null when there is none. */
  readonly newestT: number | null;
  readonly now: number;
  readonly maxLagMs: number;
  readonly minSamples: number;
}

/**
 * The checks shared by every rule: no samples, stale data (newest sample older than
 * `maxLag`) and a sample count below the floor all give `no-data` — never a pass. A sample
 * count that is no count (negative, infinite) is an `error`. Returns null when the data is
 * good enough to judge.
 */
export function checkDataQuality(input: DataQualityInput): Verdict | null {
  // The common case first, without building the no-data verdict it does not need.
  if (dataQualityHolds(input.samples, input.newestT, input.now, input.maxLagMs, input.minSamples)) {
    return null;
  }
  if (!inDomain(input.samples, SAMPLE_COUNT)) {
    const frame = {
      signal: input.signal,
      rule: input.rule,
      ...(input.segment === undefined ? {} : { segment: input.segment }),
      window: input.window,
      samples: 0,
    };
    // A NaN count too: unlike a NaN reading (no value yet), it can only come from a bug.
    return impossibleVerdict(frame, input.samples, SAMPLE_COUNT);
  }
  const base = {
    status: 'no-data' as const,
    signal: input.signal,
    rule: input.rule,
    ...(input.segment === undefined ? {} : { segment: input.segment }),
    value: null,
    threshold: null,
    window: input.window,
    samples: input.samples,
  };
  if (input.newestT === null || input.samples <= 0) {
    return { ...base, samples: 0, reason: 'no samples in the window' };
  }
  const lag = input.now - input.newestT;
  if (lag > input.maxLagMs) {
    return {
      ...base,
      reason: `stale: newest sample is ${Math.round(lag / 1000)} s old (maxLag ${Math.round(input.maxLagMs / 1000)} s)`,
    };
  }
  if (input.samples < input.minSamples) {
    return {
      ...base,
      reason: `${formatCount(input.samples)} samples, below the floor of ${formatCount(input.minSamples)}`,
      insufficient: { samples: input.samples, needed: input.minSamples },
    };
  }
  return null;
}

/**
 * Whether {@link checkDataQuality} finds nothing wrong (returns null), from the numbers alone:
 * a rule judged at every step asks this before building the input object and the verdict.
 */
export function dataQualityHolds(
  samples: number,
  newestT: number | null,
  now: number,
  maxLagMs: number,
  minSamples: number,
): boolean {
  return (
    inDomain(samples, SAMPLE_COUNT) &&
    newestT !== null &&
    samples > 0 &&
    !(now - newestT > maxLagMs) &&
    !(samples < minSamples)
  );
}

function formatCount(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}
