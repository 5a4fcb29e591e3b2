import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sanitize } from '../../src/evaluation/signal-reader';
import type { PortContext } from '../../src/ports/abort';
import type { MetricQuery, ReadResult, Sample, Series } from '../../src/ports/metric-source';
import { MemoryMetricSource, type StepData } from '../../src/testing/memory-source';
import { SimulatedClock } from '../../src/testing/simulated-clock';

/**
 * The tick path's shortcuts (docs/benchmarks.md, "fleet-eval-issue-13") against the code they
 * replaced, on random inputs: the same answers, field for field.
 */

/** sanitize's rebuild of an ok result before the change: every series copied into a new array. */
function sanitizeBefore(result: ReadResult & { status: 'ok' }): ReadResult {
  const series: Series[] = [];
  let samples = 0;
  let unchanged = true;
  for (const s of result.series) {
    const labels = s.labels !== null && typeof s.labels === 'object' ? s.labels : {};
    let usable = true;
    let previous = Number.NEGATIVE_INFINITY;
    for (const p of s.samples) {
      if (Number.isNaN(p.v) || !Number.isFinite(p.t)) {
        usable = false;
        continue;
      }
      if (p.t < previous) usable = false;
      previous = p.t;
    }
    const clean = usable
      ? s.samples
      : s.samples
          .filter((p) => !Number.isNaN(p.v) && Number.isFinite(p.t))
          .map((p) => ({ t: p.t, v: p.v }))
          .sort((a, b) => a.t - b.t);
    if (!usable || labels !== s.labels) unchanged = false;
    samples += clean.length;
    series.push({ labels, samples: clean });
  }
  if (samples === 0) return { status: 'no-data', reason: 'the source returned no usable samples' };
  return unchanged && result.warnings === undefined ? result : { status: 'ok', series };
}

const sample = fc.record({
  t: fc.oneof(fc.integer({ min: 0, max: 20 }), fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY)),
  v: fc.oneof(fc.double({ min: 0, max: 100, noNaN: true }), fc.constant(Number.NaN)),
});
const series = fc.record({
  labels: fc.oneof(fc.constant({}), fc.constant({ pod: 'a' }), fc.constant(null)),
  samples: fc.array(sample, { maxLength: 6 }),
});
const okResult = fc.record(
  {
    status: fc.constant('ok' as const),
    series: fc.array(series, { maxLength: 4 }),
    warnings: fc.constant(['w']),
  },
  { requiredKeys: ['status', 'series'] },
);

describe('tick path equivalence', () => {
  it('sanitize answers as before: the same result, the adapter own one exactly when it did (property)', () => {
    fc.assert(
      fc.property(okResult, (input) => {
        const result = input as unknown as ReadResult & { status: 'ok' };
        const before = sanitizeBefore(result);
        const now = sanitize(result);
        expect(now).toEqual(before);
        expect(now === result).toBe(before === result);
      }),
      { numRuns: 3000 },
    );
  });

  it('MemoryMetricSource answers gauge reads with shared samples as a fresh source does (property)', async () => {
    const STEP = 5_000;
    const gauge = fc.oneof(
      fc.double({ min: 0, max: 1, noNaN: true }),
      fc.constant(Number.NaN),
      fc.constant(undefined),
    );
    const step = fc.record({ memory: gauge, cpu: gauge, ready: gauge });
    const read = fc.record({
      measure: fc.constantFrom('memory', 'cpu', 'ready'),
      start: fc.integer({ min: 0, max: 30 }),
      span: fc.integer({ min: 0, max: 12 }),
      stepMs: fc.constantFrom(STEP, 2 * STEP, 2_500),
      now: fc.integer({ min: 0, max: 40 }),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(step, { minLength: 1, maxLength: 25 }),
        fc.array(read, { minLength: 1, maxLength: 12 }),
        fc.option(fc.record({ at: fc.nat(12), from: fc.nat(25), steps: fc.array(step, { maxLength: 5 }) })),
        async (data, reads, overwrite) => {
          const steps = data.map(defined);
          const clock = new SimulatedClock(0);
          const shared = new MemoryMetricSource({ clock, startMs: 0, stepMs: STEP, steps });
          const ctx: PortContext = {
            signal: new AbortController().signal,
            deadline: Number.POSITIVE_INFINITY,
          };
          let current = steps;
          for (const [i, r] of reads.entries()) {
            if (overwrite && overwrite.at === i) {
              const from = Math.min(overwrite.from, current.length);
              shared.overwrite(from, overwrite.steps.map(defined));
              current = [...current.slice(0, from), ...overwrite.steps.map(defined)];
            }
            clock.set(r.now * STEP);
            const request = {
              query: { measure: r.measure, selector: {} } as MetricQuery,
              start: r.start * STEP,
              end: (r.start + r.span) * STEP,
              stepMs: r.stepMs,
            };
            const fresh = new MemoryMetricSource({ clock, startMs: 0, stepMs: STEP, steps: current });
            const expected = await fresh.read(request, ctx);
            expect(await shared.read(request, ctx)).toEqual(expected);
            // Asked again (every watch of a fleet reads the same window): the same answer.
            expect(await shared.read(request, ctx)).toEqual(expected);
          }
        },
      ),
      { numRuns: 400 },
    );
  });
});

/** Step data without its undefined fields (as a test would write it). */
function defined(step: { memory?: number; cpu?: number; ready?: number }): StepData {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(step)) if (v !== undefined) out[k] = v;
  return out as StepData;
}
