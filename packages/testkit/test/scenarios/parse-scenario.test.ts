import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EXAMPLE_SCENARIOS_DIR, parseScenario, type Scenario } from '../../src/scenarios';

const EXAMPLES = EXAMPLE_SCENARIOS_DIR;
const EXAMPLE_NAMES = [
  'incident-preexisting',
  'keep-cold-start',
  'keep-low-traffic',
  'keep-steady',
  'rollback-error-spike',
  'rollback-latency',
  'rollback-memory-leak',
  'rollback-probe',
];

function example(name = 'rollback-error-spike'): Scenario {
  return JSON.parse(readFileSync(join(EXAMPLES, `${name}.json`), 'utf8')) as Scenario;
}

/** The fields the tests corrupt, typed loosely enough to break them. */
interface Mutable {
  schema: string;
  deployAtStep: number;
  truth: { verdict: string; faultStartStep: number | null };
  latencyBucketsMs: number[];
  series: {
    requests: number[];
    errors: number[];
    latencyP99Ms?: (number | null)[];
    latencyHistogram: number[][];
    cpuCores: number[];
    ready: number[];
  };
  segments?: Record<string, { requests: number[]; errors: number[] }>;
}

/** A deep copy with `edit` applied. */
function broken(edit: (s: Mutable) => void, name?: string): unknown {
  const copy = structuredClone(example(name)) as unknown as Mutable;
  edit(copy);
  return copy;
}

function errorsOf(value: unknown, file = 'bad.json'): readonly string[] {
  const result = parseScenario(value, file);
  if (result.ok) throw new Error('expected the scenario to be rejected');
  return result.errors;
}

describe('parseScenario', () => {
  it.each(EXAMPLE_NAMES)('accepts the shared example %s', (name) => {
    const text = readFileSync(join(EXAMPLES, `${name}.json`), 'utf8');
    const result = parseScenario(text, `${name}.json`);
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(result.scenario.name).toBe(name);
      expect(result.scenario.series.requests).toHaveLength(540);
    }
  });

  it('names the file and the path of a negative error count', () => {
    const errors = errorsOf(broken((s) => (s.series.errors[12] = -1)));
    expect(errors).toEqual(['bad.json: series.errors[12]: expected a non-negative integer']);
  });

  it('rejects a fractional request count with its path', () => {
    const errors = errorsOf(broken((s) => (s.series.requests[3] = 2.5)));
    expect(errors).toContain('bad.json: series.requests[3]: expected a non-negative integer');
  });

  it('rejects a series whose length differs from requests', () => {
    const errors = errorsOf(broken((s) => s.series.cpuCores.pop()));
    expect(errors).toEqual([
      'bad.json: series.cpuCores: expected 540 entries (one per step, as series.requests), got 539',
    ]);
  });

  it('rejects a histogram row that is not buckets + 1 wide', () => {
    const errors = errorsOf(broken((s) => s.series.latencyHistogram[7]?.pop()));
    expect(errors).toEqual([
      'bad.json: series.latencyHistogram[7]: expected 12 bucket counts (latencyBucketsMs has 11, plus +Inf), got 11',
    ]);
  });

  it('rejects more errors than requests', () => {
    const errors = errorsOf(broken((s) => (s.series.errors[20] = (s.series.requests[20] ?? 0) + 1)));
    expect(errors[0]).toMatch(/^bad\.json: series\.errors\[20\]: \d+ errors exceed the \d+ requests/);
  });

  it('rejects a deployAtStep outside the series', () => {
    const errors = errorsOf(broken((s) => (s.deployAtStep = 540)));
    expect(
      errors.some((e) => e.startsWith('bad.json: deployAtStep: expected a step before the last one')),
    ).toBe(true);
  });

  it('requires faultStartStep null exactly for keep', () => {
    expect(errorsOf(broken((s) => (s.truth.faultStartStep = 400), 'keep-steady'))).toEqual([
      'bad.json: truth.faultStartStep: expected null when the verdict is "keep"',
    ]);
    expect(errorsOf(broken((s) => (s.truth.faultStartStep = null)))).toEqual([
      'bad.json: truth.faultStartStep: expected the first bad step when the verdict is "rollback"',
    ]);
  });

  it('requires a rollback fault inside the bake and an incident before the deploy', () => {
    expect(errorsOf(broken((s) => (s.truth.faultStartStep = 300)))[0]).toContain(
      'truth.faultStartStep: expected a step in the bake window [360, 539]',
    );
    expect(errorsOf(broken((s) => (s.truth.faultStartStep = 360), 'incident-preexisting'))[0]).toContain(
      'truth.faultStartStep: expected a step before deployAtStep (360)',
    );
  });

  it('rejects an unknown verdict, a wrong schema id and a missing required series', () => {
    expect(errorsOf(broken((s) => (s.truth.verdict = 'maybe')))[0]).toBe(
      'bad.json: truth.verdict: expected one of "rollback" | "keep" | "incident"',
    );
    expect(errorsOf(broken((s) => (s.schema = 'rollgate.scenario/v2')))[0]).toBe(
      'bad.json: schema: expected "rollgate.scenario/v1"',
    );
    expect(errorsOf(broken((s) => delete s.series.latencyP99Ms))[0]).toMatch(
      /^bad\.json: series\.latencyP99Ms: missing/,
    );
  });

  it('requires a null p99 where a step has no requests', () => {
    const errors = errorsOf(
      broken((s) => {
        s.series.requests[5] = 0;
        s.series.errors[5] = 0;
        s.series.latencyHistogram[5] = new Array(12).fill(0);
      }),
    );
    expect(errors).toEqual(['bad.json: series.latencyP99Ms[5]: expected null: the step has no requests']);
  });

  it('rejects unordered buckets, a ready fraction above 1 and a segment larger than the total', () => {
    expect(errorsOf(broken((s) => (s.latencyBucketsMs[3] = 8)))[0]).toBe(
      'bad.json: latencyBucketsMs[3]: expected bucket bounds in increasing order (8 <= 25)',
    );
    expect(errorsOf(broken((s) => (s.series.ready[9] = 1.5)))[0]).toBe(
      'bad.json: series.ready[9]: expected a fraction between 0 and 1',
    );
    const seg = broken((s) => {
      s.segments = {
        'browser=safari': {
          requests: s.series.requests.map((n: number, i: number) => (i === 4 ? n + 1 : 0)),
          errors: s.series.errors.map(() => 0),
        },
      };
    });
    expect(errorsOf(seg)).toEqual([
      'bad.json: segments.browser=safari.requests[4]: a segment cannot have more requests than the whole service',
    ]);
  });

  it('reports text that is not JSON', () => {
    const result = parseScenario('{"schema": ', 'trunc.json');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors[0]).toMatch(/^trunc\.json: \(root\): not valid JSON/);
  });

  it('caps the list of issues of a badly broken file', () => {
    const errors = errorsOf(broken((s) => (s.series.errors = s.series.errors.map(() => -1))));
    expect(errors).toHaveLength(21);
    expect(errors[20]).toBe('bad.json: ... and 520 more issues');
  });

  it('reports any single corrupted count at its own index (property)', () => {
    const base = example();
    fc.assert(
      fc.property(
        fc.constantFrom('requests', 'errors', 'restarts'),
        fc.integer({ min: 0, max: 539 }),
        fc.oneof(fc.integer({ max: -1 }), fc.double({ min: 0.1, max: 0.9, noNaN: true })),
        (key, index, value) => {
          const copy = structuredClone(base) as unknown as { series: Record<string, number[]> };
          (copy.series[key] as number[])[index] = value;
          const errors = errorsOf(copy);
          expect(errors).toContain(`bad.json: series.${key}[${index}]: expected a non-negative integer`);
        },
      ),
      { numRuns: 40 },
    );
  });
});
