import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RollgateError } from '../../src/errors/rollgate-error';
import { evaluateBaselineRatio } from '../../src/rules/baseline-ratio';
import { isElevated } from '../../src/rules/cold-start';
import { checkDataQuality } from '../../src/rules/data-quality';
import { evaluateHealth } from '../../src/rules/health-check';
import {
  ERROR_RATE_DOMAIN,
  FINITE_DOMAIN,
  inDomain,
  MEASURE_DOMAINS,
  type MeasureDomain,
  showReading,
} from '../../src/rules/measure-domain';
import { evaluateRateOfChange } from '../../src/rules/rate-of-change';
import { judgeSequential, startSequential, stepSequential } from '../../src/rules/sequential-count';
import { evaluateStaticRange } from '../../src/rules/static-range';
import { show, type Verdict } from '../../src/rules/verdict';

/**
 * Issue 18, finding 1: a value outside its measure's domain (non-finite, a fraction outside
 * [0, 1], a negative count or level) is never `pass` or `breach`. It is `error` with the value
 * named (NaN, which is no value at all, is `no-data`). One property per rule.
 */

const window = { start: 0, end: 60_000 };

const DOMAINS: readonly MeasureDomain[] = [
  ERROR_RATE_DOMAIN,
  MEASURE_DOMAINS['latency-quantile'],
  MEASURE_DOMAINS.memory,
  MEASURE_DOMAINS.cpu,
  MEASURE_DOMAINS.ready,
  FINITE_DOMAIN,
];

/** A domain and a value outside it: non-finite, or past one of its finite bounds. */
const arbOutside = fc.constantFrom(...DOMAINS).chain((domain) =>
  fc
    .oneof(
      fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY),
      ...(Number.isFinite(domain.min)
        ? [fc.double({ max: domain.min, noNaN: true, noDefaultInfinity: true, minExcluded: false })]
        : []),
      ...(Number.isFinite(domain.max)
        ? [fc.double({ min: domain.max, noNaN: true, noDefaultInfinity: true })]
        : []),
    )
    .filter((v) => !inDomain(v, domain))
    .map((value) => ({ domain, value })),
);

/** A value inside a domain. */
const arbInside = (domain: MeasureDomain) =>
  fc
    .double({
      min: Number.isFinite(domain.min) ? domain.min : -1e12,
      max: Number.isFinite(domain.max) ? domain.max : 1e12,
      noNaN: true,
      noDefaultInfinity: true,
    })
    .filter((v) => inDomain(v, domain));

/** The property every rule shares: never decides on the value, and names it. */
function expectRejected(verdict: Verdict, value: number): void {
  expect(['pass', 'breach']).not.toContain(verdict.status);
  if (Number.isNaN(value)) {
    expect(verdict.status).toBe('no-data');
    return;
  }
  expect(verdict.status).toBe('error');
  expect(verdict.reason).toContain(show(value));
  expect(verdict.error?.code).toBe('SOURCE_BAD_RESPONSE');
}

const input = (value: number, domain: MeasureDomain) => ({
  signal: 's',
  value,
  samples: 500,
  window,
  unit: '',
  domain,
});

describe('impossible readings, rule by rule', () => {
  it('static range: any bound, a value outside the domain is an error naming it', () => {
    fc.assert(
      fc.property(
        arbOutside,
        fc.option(fc.double({ noNaN: true, noDefaultInfinity: true }), { nil: undefined }),
        fc.option(fc.double({ noNaN: true, noDefaultInfinity: true }), { nil: undefined }),
        ({ domain, value }, min, max) => {
          const rule = {
            type: 'static' as const,
            ...(min === undefined ? {} : { min }),
            ...(max === undefined && min === undefined ? { max: 0 } : max === undefined ? {} : { max }),
          };
          expectRejected(evaluateStaticRange(rule, input(value, domain)), value);
        },
      ),
    );
  });

  it('static range: without a domain, any non-finite value is rejected', () => {
    fc.assert(
      fc.property(fc.constantFrom(Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY), (value) => {
        const verdict = evaluateStaticRange(
          { type: 'static', max: 500 },
          { signal: 's', value, samples: 500, window, unit: ' ms' },
        );
        expectRejected(verdict, value);
      }),
    );
  });

  it('baseline ratio: an impossible value or baseline is an error naming it', () => {
    fc.assert(
      fc.property(
        arbOutside,
        fc.double({ min: 1, max: 10, noNaN: true }),
        fc.double({ min: 0, max: 1e3, noNaN: true }),
        ({ domain, value }, maxRatio, minDelta) => {
          const rule = { type: 'baseline-ratio' as const, maxRatio, minDelta };
          const baseline = Number.isFinite(domain.max) ? domain.max / 2 : 10;
          expectRejected(evaluateBaselineRatio(rule, input(value, domain), baseline), value);
        },
      ),
    );
    fc.assert(
      fc.property(
        arbOutside.filter(({ value }) => !Number.isNaN(value)),
        ({ domain, value: baseline }) => {
          const rule = { type: 'baseline-ratio' as const, maxRatio: 2, minDelta: 0 };
          const value = Number.isFinite(domain.max) ? domain.max / 2 : 1;
          expectRejected(evaluateBaselineRatio(rule, input(value, domain), baseline), baseline);
        },
      ),
    );
  });

  it('rate of change: one impossible point among good ones is an error naming it', () => {
    const domain = MEASURE_DOMAINS.memory;
    fc.assert(
      fc.property(
        fc.array(arbInside(domain), { minLength: 3, maxLength: 30 }),
        fc.oneof(
          fc.constantFrom(Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY),
          fc.double({ max: -Number.MIN_VALUE, noNaN: true, noDefaultInfinity: true }),
        ),
        fc.nat(),
        (values, bad, at) => {
          const points = values.map((v, i) => ({ t: i * 5000, v }));
          const index = at % points.length;
          points[index] = { t: index * 5000, v: bad };
          const rule = {
            type: 'rate-of-change' as const,
            limit: 1e9,
            limitFromBaseline: 2,
            horizonSeconds: 3600,
            maxPValue: 1e-4,
          };
          const verdict = evaluateRateOfChange(rule, {
            signal: 'm',
            points,
            window,
            baseline: null,
            unit: ' B',
            domain,
          });
          expectRejected(verdict, bad);
        },
      ),
    );
  });

  it('health: an impossible readiness or restart count is an error naming it', () => {
    const rule = { type: 'health' as const, minReady: 1, maxRestarts: 0 };
    fc.assert(
      fc.property(
        fc.array(arbInside(MEASURE_DOMAINS.ready), { maxLength: 10 }),
        fc.oneof(
          fc.constantFrom(Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY),
          fc.double({ max: -Number.MIN_VALUE, noNaN: true, noDefaultInfinity: true }),
          fc.double({ min: 1 + Number.EPSILON, noNaN: true, noDefaultInfinity: true }),
        ),
        (good, bad) => {
          const ready = [...good, bad].map((v, i) => ({ t: i * 5000, v }));
          expectRejected(evaluateHealth(rule, { signal: 'h', ready, restarts: 0, window }), bad);
        },
      ),
    );
    fc.assert(
      fc.property(
        fc.oneof(
          fc.constantFrom(Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY),
          fc.double({ max: -Number.MIN_VALUE, noNaN: true, noDefaultInfinity: true }),
        ),
        (restarts) => {
          const ready = [{ t: 0, v: 1 }];
          expectRejected(evaluateHealth(rule, { signal: 'h', ready, restarts, window }), restarts);
        },
      ),
    );
  });

  it('sequential count: an impossible interval never moves the test', () => {
    const rule = { type: 'sequential' as const, test: 'baseline' as const, tolerance: 1 };
    const start = startSequential(rule, { status: 'ok', events: 50, trials: 10_000 }, 0.01);
    if (!start) throw new Error('the test did not start');
    const arbCount = fc.oneof(
      fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY),
      fc.double({ max: -Number.MIN_VALUE, noNaN: true, noDefaultInfinity: true }),
    );
    fc.assert(
      fc.property(
        fc.oneof(
          fc.record({ events: arbCount, trials: fc.integer({ min: 1, max: 1000 }) }),
          fc.record({ events: fc.integer({ min: 0, max: 1000 }), trials: arbCount }),
          // More errors than requests: a rate above 1.
          fc
            .integer({ min: 1, max: 1000 })
            .chain((trials) =>
              fc.record({ trials: fc.constant(trials), events: fc.integer({ min: trials + 1 }) }),
            ),
        ),
        (interval) => {
          expect(stepSequential(start, interval, null)).toEqual(start);
        },
      ),
    );
  });

  it('sequential count: an impossible read (the reader rejects it) is an error, never a pass', () => {
    const rule = { type: 'sequential' as const, test: 'baseline' as const, tolerance: 1 };
    const start = startSequential(rule, { status: 'ok', events: 50, trials: 10_000 }, 0.01);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 50_000 }), (trials) => {
        let state = start;
        if (state) state = stepSequential(state, { events: 0, trials }, null);
        const verdict = judgeSequential(state, {
          signal: 'e',
          window,
          samples: trials,
          newestT: 59_000,
          now: 60_000,
          maxLagMs: 30_000,
          minSamples: 0,
          what: 'error rate',
          unavailable: {
            status: 'error',
            error: new RollgateError('SOURCE_BAD_RESPONSE', 'impossible reading: error count -3'),
          },
        });
        expect(verdict.status).toBe('error');
        expect(verdict.reason).toContain('-3');
      }),
    );
  });

  it('data quality: an impossible sample count is an error naming it', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY),
          fc.double({ max: -Number.MIN_VALUE, noNaN: true, noDefaultInfinity: true }),
        ),
        fc.integer({ min: 0, max: 1000 }),
        (samples, minSamples) => {
          const verdict = checkDataQuality({
            signal: 's',
            rule: 'static',
            window,
            samples,
            newestT: 59_000,
            now: 60_000,
            maxLagMs: 30_000,
            minSamples,
          });
          expect(verdict?.status).toBe('error');
          expect(verdict?.reason).toContain(showReading(samples));
        },
      ),
    );
  });

  it('cold start: impossible warm-up counts or baseline rates never claim a cold start', () => {
    const arbBad = fc.oneof(
      fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY),
      fc.double({ max: -Number.MIN_VALUE, noNaN: true, noDefaultInfinity: true }),
    );
    fc.assert(
      fc.property(
        fc.oneof(
          fc.record({ events: arbBad, trials: fc.integer({ min: 1, max: 10_000 }) }),
          fc.record({ events: fc.integer({ min: 0, max: 10_000 }), trials: arbBad }),
          fc
            .integer({ min: 1, max: 1000 })
            .chain((trials) =>
              fc.record({ trials: fc.constant(trials), events: fc.integer({ min: trials + 1 }) }),
            ),
        ),
        fc.double({ min: 0, max: 0.2, noNaN: true }),
        (warmup, rate) => {
          expect(isElevated(warmup, rate)).toBe(false);
        },
      ),
    );
    fc.assert(
      fc.property(fc.oneof(arbBad, fc.double({ min: 1 + Number.EPSILON, noNaN: true })), (rate) => {
        expect(isElevated({ events: 500, trials: 1000 }, rate)).toBe(false);
      }),
    );
  });

  it('values inside the domain are still judged (pass or breach)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...DOMAINS).chain((d) => arbInside(d).map((v) => ({ domain: d, value: v }))),
        ({ domain, value }) => {
          const verdict = evaluateStaticRange({ type: 'static', max: 0.5 }, input(value, domain));
          expect(['pass', 'breach']).toContain(verdict.status);
        },
      ),
    );
  });
});
