import type { MetricQuery, MetricRequest } from '@rollgate/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_GROUP_VALUES, planBatches } from '../../src/promql/batch-plan';
import { DEFAULT_METRIC_NAMES } from '../../src/promql/metric-names';
import { buildPromql, quoteRegex } from '../../src/promql/query-builders';

const T = 1_700_000_000_000;
const req = (query: MetricQuery, extra: Partial<MetricRequest> = {}): MetricRequest => ({
  query,
  start: T,
  end: T,
  stepMs: 10_000,
  ...extra,
});
const requests = (service: string, extra: Partial<MetricRequest> = {}) =>
  req({ measure: 'requests', selector: { service, env: 'prod' } }, extra);

describe('quoteRegex', () => {
  it('escapes every RE2 metacharacter and nothing else', () => {
    expect(quoteRegex('a.b|c+d*e?(f)[g]{h}^i$\\j-k/l é')).toBe(
      'a\\.b\\|c\\+d\\*e\\?\\(f\\)\\[g\\]\\{h\\}\\^i\\$\\\\j-k/l é',
    );
  });

  it('makes a regex that matches exactly the value, for any string', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (value, other) => {
        const re = new RegExp(`^(?:${quoteRegex(value)})$`, 's');
        expect(re.test(value)).toBe(true);
        if (other !== value) expect(re.test(other)).toBe(false);
      }),
    );
  });
});

describe('buildPromql with a label group', () => {
  it('turns the label into a regex alternation and keeps it in every aggregation', () => {
    const group = { label: 'service', values: ['a', 'b.c'] };
    expect(buildPromql(requests('a'), DEFAULT_METRIC_NAMES, group)).toBe(
      'sum by (service) (((http_requests_total{env="prod", service=~"a|b\\\\.c"} - http_requests_total{env="prod", service=~"a|b\\\\.c"} offset 10s) >= 0 or (http_requests_total{env="prod", service=~"a|b\\\\.c"} and http_requests_total{env="prod", service=~"a|b\\\\.c"} < http_requests_total{env="prod", service=~"a|b\\\\.c"} offset 10s)))',
    );
    const p99 = buildPromql(
      req(
        { measure: 'latency-quantile', selector: { service: 'a' }, quantile: 0.99 },
        { segmentBy: 'route' },
      ),
      DEFAULT_METRIC_NAMES,
      group,
    );
    expect(p99).toMatch(/^histogram_quantile\(0\.99, sum by \(le, service, route\) /);
    const errors = buildPromql(
      req({ measure: 'errors', selector: { service: 'a' } }),
      DEFAULT_METRIC_NAMES,
      group,
    );
    expect(errors).toMatch(/^sum by \(service\) .* or \(0 \* sum by \(service\) /);
  });
});

describe('planBatches', () => {
  it('groups requests that differ only in one label value, and reads the rest alone', () => {
    const list = [
      requests('a'),
      requests('b'),
      requests('c', { end: T + 1 }),
      req({ measure: 'errors', selector: { service: 'a', env: 'prod' } }),
      req({ measure: 'raw', query: 'up', valueType: 'gauge' }),
      requests('c'),
      requests('a'),
    ];
    const plan = planBatches(list);
    expect(plan.groups).toHaveLength(1);
    expect(plan.groups[0]?.group).toEqual({ label: 'service', values: ['a', 'b', 'c'] });
    expect(plan.groups[0]?.members.map((m) => m.index)).toEqual([0, 1, 5, 6]);
    expect(plan.singles).toEqual([2, 3, 4]);
  });

  it('never groups across measures, quantiles, thresholds, ranges, steps or segmentBy', () => {
    const variants: MetricRequest[] = [
      req({ measure: 'latency-quantile', selector: { service: 'a' }, quantile: 0.99 }),
      req({ measure: 'latency-quantile', selector: { service: 'b' }, quantile: 0.5 }),
      req({ measure: 'latency-exceedances', selector: { service: 'c' }, thresholdMs: 100 }),
      req({ measure: 'latency-exceedances', selector: { service: 'd' }, thresholdMs: 250 }),
      req({ measure: 'memory', selector: { service: 'e' } }, { stepMs: 5_000 }),
      req({ measure: 'memory', selector: { service: 'f' } }, { segmentBy: 'pod' }),
      req({ measure: 'memory', selector: { service: 'g' } }, { start: T - 10_000 }),
    ];
    expect(planBatches(variants)).toEqual({ groups: [], singles: [0, 1, 2, 3, 4, 5, 6] });
  });

  it('does not group on an empty value, the segment label, le, or a rejected candidate', () => {
    const list = [
      req({ measure: 'requests', selector: { service: '' } }),
      req({ measure: 'requests', selector: { service: 'x' } }),
      req({ measure: 'requests', selector: { route: 'a' } }, { segmentBy: 'route' }),
      req({ measure: 'requests', selector: { route: 'b' } }, { segmentBy: 'route' }),
      req({ measure: 'requests', selector: { le: '1' } }),
      req({ measure: 'requests', selector: { le: '2' } }),
    ];
    expect(planBatches(list).groups).toEqual([]);
    expect(planBatches([requests('a'), requests('b')], (i) => i !== 1).groups).toEqual([]);
  });

  it('joins the largest group when a request could group by several labels', () => {
    const list = [
      req({ measure: 'requests', selector: { service: 'a', env: 'prod' } }),
      req({ measure: 'requests', selector: { service: 'b', env: 'prod' } }),
      req({ measure: 'requests', selector: { service: 'c', env: 'prod' } }),
      req({ measure: 'requests', selector: { service: 'a', env: 'dev' } }),
    ];
    const plan = planBatches(list);
    expect(plan.groups.map((g) => [g.group.label, g.members.map((m) => m.index)])).toEqual([
      ['service', [0, 1, 2]],
    ]);
    expect(plan.singles).toEqual([3]);
  });

  it(`cuts a group into queries of at most ${MAX_GROUP_VALUES} values`, () => {
    const list = Array.from({ length: MAX_GROUP_VALUES * 2 + 1 }, (_, i) => requests(`s${i}`));
    const plan = planBatches(list);
    expect(plan.groups.map((g) => g.group.values.length)).toEqual([MAX_GROUP_VALUES, MAX_GROUP_VALUES]);
    expect(plan.singles).toEqual([MAX_GROUP_VALUES * 2]);
  });

  it('places every request exactly once, and a member reads its own value', () => {
    const arbRequest = fc
      .record({
        service: fc.constantFrom('a', 'b', 'c', ''),
        env: fc.option(fc.constantFrom('prod', 'dev'), { nil: undefined }),
        measure: fc.constantFrom('requests', 'errors', 'memory'),
        end: fc.constantFrom(T, T + 1),
      })
      .map(({ service, env, measure, end }) =>
        req({ measure, selector: env === undefined ? { service } : { service, env } } as MetricQuery, {
          end,
        }),
      );
    fc.assert(
      fc.property(fc.array(arbRequest, { maxLength: 30 }), (list) => {
        const plan = planBatches(list);
        const placed = [...plan.singles, ...plan.groups.flatMap((g) => g.members.map((m) => m.index))];
        expect(placed.sort((a, b) => a - b)).toEqual(list.map((_, i) => i));
        for (const g of plan.groups) {
          expect(new Set(g.group.values).size).toBe(g.group.values.length);
          expect(g.group.values.length).toBeGreaterThanOrEqual(2);
          for (const m of g.members) {
            const query = list[m.index]?.query;
            if (query === undefined || query.measure === 'raw') throw new Error('raw grouped');
            expect(query.selector[g.group.label]).toBe(m.value);
            expect(g.group.values).toContain(m.value);
            // Everything but the group label equals the template's.
            const { [g.group.label]: _a, ...rest } = query.selector;
            const t = g.template.query;
            if (t.measure === 'raw') throw new Error('raw template');
            const { [g.group.label]: _b, ...templateRest } = t.selector;
            expect(rest).toEqual(templateRest);
            expect([query.measure, list[m.index]?.end]).toEqual([t.measure, g.template.end]);
          }
        }
      }),
    );
  });
});
