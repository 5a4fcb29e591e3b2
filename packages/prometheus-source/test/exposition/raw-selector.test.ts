import { describe, expect, it } from 'vitest';
import { parseRawSelector } from '../../src/exposition/raw-selector';
import { QueryBuildError } from '../../src/index';

describe('parseRawSelector', () => {
  it('reads a metric name with every matcher operator and the escapes', () => {
    expect(
      parseRawSelector(' http_requests_total { code =~ "5..", path!~"/health.*" , job="a\\"b", x!="\\n" } '),
    ).toEqual({
      metric: 'http_requests_total',
      matchers: [
        { name: 'code', op: '=~', value: '5..' },
        { name: 'path', op: '!~', value: '/health.*' },
        { name: 'job', op: '=', value: 'a"b' },
        { name: 'x', op: '!=', value: '\n' },
      ],
    });
    expect(parseRawSelector('up')).toEqual({ metric: 'up', matchers: [] });
    expect(parseRawSelector('{__name__="up",job="x",}')).toEqual({
      metric: 'up',
      matchers: [{ name: 'job', op: '=', value: 'x' }],
    });
  });

  it('refuses PromQL it cannot evaluate, naming query.query', () => {
    for (const text of [
      'sum(up)',
      'rate(x[1m])',
      'up offset 5m',
      '{job="x"}',
      'up{job=x}',
      'up{job="x}',
      'up{job="\\x41"}',
      'up{__name__=~"u.*"}',
      'a{__name__="b"}',
      '',
    ]) {
      expect(() => parseRawSelector(text), text).toThrow(QueryBuildError);
      try {
        parseRawSelector(text);
      } catch (error) {
        expect((error as QueryBuildError).field).toBe('query.query');
      }
    }
  });
});
