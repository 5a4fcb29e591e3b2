import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseExposition } from '../../src/index';

describe('parseExposition', () => {
  it('reads what client libraries write: types, labels, escapes, special values, timestamps', () => {
    const text = [
      '# HELP http_requests_total Requests, by "code".',
      '# TYPE http_requests_total counter',
      'http_requests_total{code="200",path="/a\\\\b \\"q\\"\\nx"} 1027 1395066363000',
      'http_requests_total{code="500",} 3',
      '# TYPE http_request_duration_seconds histogram',
      'http_request_duration_seconds_bucket{le="0.05"} 24054',
      'http_request_duration_seconds_bucket{le="+Inf"} 144320',
      'http_request_duration_seconds_sum 53423',
      'metric_without_timestamp_and_labels 12.47',
      'something_weird{problem="division by zero"} +Inf -3982045',
      'nan_gauge NaN',
      '\tindented_gauge  -1e-07',
      '',
      '# a free comment',
      'windows_line 1\r',
    ].join('\n');
    const parsed = parseExposition(text);
    expect(parsed.errors).toEqual([]);
    expect(parsed.types.get('http_requests_total')).toBe('counter');
    expect(parsed.types.get('http_request_duration_seconds')).toBe('histogram');
    expect(parsed.samples.map((s) => s.name)).toEqual([
      'http_requests_total',
      'http_requests_total',
      'http_request_duration_seconds_bucket',
      'http_request_duration_seconds_bucket',
      'http_request_duration_seconds_sum',
      'metric_without_timestamp_and_labels',
      'something_weird',
      'nan_gauge',
      'indented_gauge',
      'windows_line',
    ]);
    expect(parsed.samples[0]).toEqual({
      name: 'http_requests_total',
      labels: { code: '200', path: '/a\\b "q"\nx' },
      value: 1027,
      timestampMs: 1395066363000,
    });
    expect(parsed.samples[1]?.labels).toEqual({ code: '500' });
    expect(parsed.samples[3]?.labels.le).toBe('+Inf');
    expect(parsed.samples[6]).toMatchObject({ value: Number.POSITIVE_INFINITY, timestampMs: -3982045 });
    expect(Number.isNaN(parsed.samples[7]?.value)).toBe(true);
    expect(parsed.samples[8]?.value).toBe(-1e-7);
  });

  it('reads OpenMetrics extras: exemplars, float-second timestamps, # EOF, quoted UTF-8 names', () => {
    const parsed = parseExposition(
      [
        '# TYPE foo counter',
        'foo_total{a="1"} 17.0 1520879607.789 # {trace_id="KOO5S4vxi0o"} 0.67',
        'bar_total 1 # {trace_id="x"} 1',
        '{"my.dotted.metric", "service.name"="shop"} 4',
        '# EOF',
        'this is after EOF and ignored',
      ].join('\n'),
    );
    expect(parsed.errors).toEqual([]);
    expect(parsed.samples).toEqual([
      { name: 'foo_total', labels: { a: '1' }, value: 17, timestampMs: 1520879607789 },
      { name: 'bar_total', labels: {}, value: 1 },
      { name: 'my.dotted.metric', labels: { 'service.name': 'shop' }, value: 4 },
    ]);
  });

  it('reports bad lines with their number and keeps reading', () => {
    const parsed = parseExposition(
      [
        'ok_metric 1',
        'no_value',
        'bad{label} 1',
        'dup{a="1",a="2"} 1',
        'unterminated{a="x} 1',
        'word_value{a="1"} many',
        '# TYPE x flavour',
        'also_ok 2',
      ].join('\n'),
    );
    expect(parsed.samples.map((s) => s.name)).toEqual(['ok_metric', 'also_ok']);
    expect(parsed.errors.map((e) => e.line)).toEqual([2, 3, 4, 5, 6, 7]);
    expect(parsed.errors[2]?.message).toContain('a appears twice');
  });

  it('keeps a label called __proto__ as data (regression: it must not change the object)', () => {
    const parsed = parseExposition('m{__proto__="x",constructor="y"} 1');
    expect(parsed.errors).toEqual([]);
    expect(Object.keys(parsed.samples[0]?.labels ?? {})).toEqual(['__proto__', 'constructor']);
    expect(Object.getPrototypeOf(parsed.samples[0]?.labels)).toBe(Object.prototype);
  });

  it('summarises a flood of bad lines (a binary body) instead of listing each', () => {
    const parsed = parseExposition(Array.from({ length: 500 }, (_, i) => `\u0000garbage ${i}`).join('\n'));
    expect(parsed.samples).toEqual([]);
    expect(parsed.errors.length).toBe(21);
    expect(parsed.errors.at(-1)?.message).toBe('480 more unreadable lines');
  });

  it('never throws, whatever the input (fuzz)', () => {
    const exposition = fc.array(
      fc.oneof(
        fc.string(),
        fc.constantFrom('# TYPE a counter', '# EOF', 'a{b="c"} 1', 'a{', '{"x"} 1', 'a 1 2 3', '\\', '"'),
        fc
          .tuple(
            fc.string(),
            fc.dictionary(fc.string(), fc.string()),
            fc.oneof(fc.double().map(String), fc.string()),
          )
          .map(
            ([name, labels, value]) =>
              `${name}{${Object.entries(labels)
                .map(([k, v]) => `${k}="${v}"`)
                .join(',')}} ${value}`,
          ),
      ),
      { maxLength: 12 },
    );
    fc.assert(
      fc.property(
        fc.oneof(
          exposition.map((lines) => lines.join('\n')),
          fc.string(),
          fc.string({ unit: 'grapheme' }),
          fc.uint8Array().map((b) => new TextDecoder().decode(b)),
        ),
        (text) => {
          const parsed = parseExposition(text);
          for (const s of parsed.samples) {
            expect(typeof s.name).toBe('string');
            expect(typeof s.value).toBe('number');
          }
          expect(Array.isArray(parsed.errors)).toBe(true);
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it('reads back exactly what a well-formed exposition holds (round trip)', () => {
    const name = fc.stringMatching(/^[a-zA-Z_:][a-zA-Z0-9_:]{0,20}$/);
    const labelName = fc.stringMatching(/^[a-zA-Z_][a-zA-Z0-9_]{0,10}$/);
    const escapeValue = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
    const format = (v: number) =>
      Number.isNaN(v)
        ? 'NaN'
        : v === Number.POSITIVE_INFINITY
          ? '+Inf'
          : v === Number.NEGATIVE_INFINITY
            ? '-Inf'
            : String(v);
    const sample = fc.record({
      name,
      labels: fc.dictionary(labelName, fc.string(), { maxKeys: 4 }),
      value: fc.double(),
    });
    fc.assert(
      fc.property(fc.array(sample, { maxLength: 10 }), (samples) => {
        const text = samples
          .map(
            (s) =>
              `${s.name}{${Object.entries(s.labels)
                .map(([k, v]) => `${k}="${escapeValue(v)}"`)
                .join(',')}} ${format(s.value)}`,
          )
          .join('\n');
        const parsed = parseExposition(text);
        expect(parsed.errors).toEqual([]);
        expect(parsed.samples).toHaveLength(samples.length);
        parsed.samples.forEach((p, i) => {
          const s = samples[i] as (typeof samples)[number];
          expect(p.name).toBe(s.name);
          expect(p.labels).toEqual(s.labels);
          expect(p.value === s.value || (Number.isNaN(p.value) && Number.isNaN(s.value))).toBe(true);
        });
      }),
      { numRuns: 500 },
    );
  });
});
