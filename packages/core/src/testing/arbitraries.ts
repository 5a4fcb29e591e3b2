import fc from 'fast-check';
import type { ContractInput, SignalInput } from '../contract/contract-schema';
import { RollgateError } from '../errors/rollgate-error';
import type { ReadResult, Sample, Series } from '../ports/metric-source';
import type { StepData } from './memory-source';

/**
 * fast-check arbitraries for property tests of rules, contracts and adapters. Values include
 * the awkward ones on purpose: NaN, ±Infinity, negative numbers, empty series.
 */

/** Any number a broken or unusual backend might send, NaN and ±Infinity included. */
export const arbAwkwardNumber = (): fc.Arbitrary<number> =>
  fc.oneof(
    fc.double({ noDefaultInfinity: false, noNaN: false }),
    fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0, -0, -1, 1e308),
  );

/** A sample inside `[start, end]` with an awkward value. */
export const arbSample = (start = 0, end = 3_600_000): fc.Arbitrary<Sample> =>
  fc.record({ t: fc.integer({ min: start, max: end }), v: arbAwkwardNumber() });

/** A series, possibly empty, possibly unsorted, possibly with a segment label. */
export const arbSeries = (start?: number, end?: number): fc.Arbitrary<Series> =>
  fc.record({
    labels: fc.oneof(fc.constant({}), fc.record({ region: fc.constantFrom('eu', 'us', '') })),
    samples: fc.array(arbSample(start, end), { maxLength: 30 }),
  });

/** Any result a MetricSource may resolve to, well-formed or not quite. */
export const arbReadResult = (start?: number, end?: number): fc.Arbitrary<ReadResult> =>
  fc.oneof(
    fc.record({
      status: fc.constant('ok' as const),
      series: fc.array(arbSeries(start, end), { maxLength: 4 }),
    }),
    fc.record({ status: fc.constant('no-data' as const), reason: fc.string({ minLength: 1 }) }),
    fc
      .record({
        code: fc.constantFrom(
          'SOURCE_UNAVAILABLE',
          'TIMEOUT',
          'SOURCE_BAD_RESPONSE',
          'SOURCE_AUTH',
        ) as fc.Arbitrary<RollgateError['code']>,
        retryable: fc.boolean(),
      })
      .map(({ code, retryable }) => ({
        status: 'error' as const,
        error: new RollgateError(code, `injected ${code}`, { retryable, component: 'arbitrary' }),
      })),
  );

/** One step of realistic observations for a service of roughly `rps` requests per second. */
export const arbStepData = (rps = 20, stepSeconds = 5): fc.Arbitrary<StepData> =>
  fc
    .record({
      requests: fc.integer({ min: 0, max: Math.max(1, Math.round(rps * stepSeconds * 2)) }),
      errorShare: fc.double({ min: 0, max: 1, noNaN: true }),
      memory: fc.double({ min: 1e8, max: 2e9, noNaN: true }),
      ready: fc.constantFrom(1, 1, 1, 0.9, 0.5),
    })
    .map(({ requests, errorShare, memory, ready }) => ({
      requests,
      errors: Math.floor(requests * errorShare * errorShare * errorShare),
      memory,
      ready,
    }));

/** A valid signal definition of any kind with a rule that applies to it. */
export const arbSignal = (id: string): fc.Arbitrary<SignalInput> =>
  fc.oneof(
    fc.record({
      id: fc.constant(id),
      kind: fc.constant('error-rate' as const),
      rules: fc.constant<SignalInput['rules']>([{ type: 'static', max: 0.05 }]),
      minSamples: fc.integer({ min: 0, max: 200 }),
    }),
    fc.record({
      id: fc.constant(id),
      kind: fc.constant('latency' as const),
      rules: fc.constant<SignalInput['rules']>([{ type: 'baseline-ratio', maxRatio: 2 }]),
    }),
    fc.record({
      id: fc.constant(id),
      kind: fc.constant('resource' as const),
      rules: fc.constant<SignalInput['rules']>([{ type: 'rate-of-change' }]),
      minSamples: fc.integer({ min: 0, max: 10 }),
    }),
    fc.record({
      id: fc.constant(id),
      kind: fc.constant('health' as const),
      rules: fc.constant<SignalInput['rules']>([{ type: 'health' }]),
    }),
  );

/** A valid contract input with 1 to 4 signals. */
export const arbContract = (): fc.Arbitrary<ContractInput> =>
  fc.integer({ min: 1, max: 4 }).chain((n) =>
    fc.record({
      service: fc.constantFrom('checkout', 'api', 'search'),
      stepSeconds: fc.constantFrom(1, 5, 10),
      bakeSeconds: fc.constantFrom(120, 300, 600),
      warmupSeconds: fc.constantFrom(0, 10, 30),
      alpha: fc.constantFrom(0.01, 0.05),
      signals: fc.tuple(...Array.from({ length: n }, (_, i) => arbSignal(`signal-${i}`))),
      confirmation: fc.record({
        k: fc.integer({ min: 1, max: n }),
        maxConsecutiveErrors: fc.integer({ min: 1, max: 8 }),
      }),
    }),
  );
