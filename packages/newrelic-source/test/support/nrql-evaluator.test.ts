import { describe, expect, it } from 'vitest';
import { evaluateNrql, type NrEvent, NrqlSyntaxError, nearestRank, parseNrql } from './nrql-evaluator';

// The double's own checks: if it mis-evaluated NRQL, the end-to-end tests would prove nothing.
const events: NrEvent[] = [0, 10, 20, 30, 40, 50].map((s, i) => ({
  eventType: 'T',
  timestamp: 1_000_000 + s * 1000,
  duration: (i + 1) / 10,
  app: i < 3 ? 'a' : 'b',
}));

describe('the double’s NRQL evaluator', () => {
  it('anchors TIMESERIES buckets on UNTIL, with SINCE inclusive and UNTIL exclusive', () => {
    const query = parseNrql(
      "SELECT count(*) AS 'n' FROM T SINCE 1005000 UNTIL 1060000 TIMESERIES 20 seconds",
    );
    expect(evaluateNrql(query, events)).toEqual([
      { beginTimeSeconds: 1020, endTimeSeconds: 1040, n: 2 },
      { beginTimeSeconds: 1040, endTimeSeconds: 1060, n: 2 },
    ]);
  });

  it('answers unaliased percentiles as threshold objects under function.attribute', () => {
    const query = parseNrql('SELECT percentile(duration, 50) FROM T SINCE 0 UNTIL 2000000');
    expect(evaluateNrql(query, events)).toEqual([{ 'percentile.duration': { '50': 0.3 } }]);
    expect(nearestRank([1, 2, 3, 4], 99)).toBe(4);
    expect(nearestRank([], 99)).toBeNull();
  });

  it('facets with the facet key and the attribute, and [] when nothing matches', () => {
    const query = parseNrql("SELECT count(*) AS 'n' FROM T FACET `app` LIMIT MAX SINCE 0 UNTIL 2000000");
    expect(evaluateNrql(query, events)).toEqual([
      { facet: 'a', app: 'a', n: 3 },
      { facet: 'b', app: 'b', n: 3 },
    ]);
    const none = parseNrql("SELECT count(*) FROM T WHERE app = 'zzz' FACET app SINCE 0 UNTIL 2000000");
    expect(evaluateNrql(none, events)).toEqual([]);
  });

  it('evaluates AND/OR/NOT, IS TRUE and arithmetic', () => {
    const query = parseNrql(
      "SELECT filter(count(*), WHERE (duration * 1000 > 250 AND NOT app = 'b') OR duration IS NULL) AS 'n' FROM T SINCE 0 UNTIL 2000000",
    );
    expect(evaluateNrql(query, events)).toEqual([{ n: 1 }]);
  });

  it('rejects what it does not understand with the NRQL syntax error message', () => {
    expect(() => parseNrql('SELECT count(*) FORM T SINCE 0 UNTIL 1')).toThrowError(NrqlSyntaxError);
    expect(() => parseNrql("SELECT count(*) FROM T WHERE a = 'open SINCE 0 UNTIL 1")).toThrowError(
      /NRQL Syntax Error/,
    );
  });
});
