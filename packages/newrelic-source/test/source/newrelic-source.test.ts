import type { MetricQuery, MetricRequest, MetricSource, ReadResult, Series } from '@rollgate/core';
import { Agent, MockAgent } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { NRQL_QUERY_DOCUMENT } from '../../src/nerdgraph/graphql-document';
import { createNewRelicSource } from '../../src/source/newrelic-source';
import {
  ACCOUNT_ID,
  API_KEY,
  BACKSLASH_APP,
  checkout,
  ctx,
  lastMinutes,
  MINUTE,
  QUOTED_APP,
  sourceFor,
  startDouble,
  T_END,
} from '../support/fixtures';
import { type NerdGraphDouble, replies } from '../support/nerdgraph-double';

function series(result: ReadResult): readonly Series[] {
  if (result.status !== 'ok') {
    throw new Error(`expected ok, got ${result.status}: ${JSON.stringify(result)}`);
  }
  return result.series;
}

function values(result: ReadResult): number[] {
  const [only, ...rest] = series(result);
  expect(rest).toHaveLength(0);
  expect(only?.labels).toEqual({});
  return (only?.samples ?? []).map((s) => s.v);
}

const minuteTimes = [4, 3, 2, 1, 0].map((m) => T_END - m * MINUTE);

describe('reads each measure through the double', () => {
  let double: NerdGraphDouble;
  let source: MetricSource;
  beforeAll(async () => {
    double = await startDouble();
    source = sourceFor(double);
  });
  afterAll(async () => {
    await source.dispose();
    await double.close();
  });
  afterEach(() => {
    expect(double.violations).toEqual([]);
  });

  it('requests: events per step, one sample per minute at each bucket end', async () => {
    const result = await source.read(lastMinutes({ measure: 'requests', selector: checkout }, 5), ctx());
    const [only] = series(result);
    expect(only?.samples).toEqual(minuteTimes.map((t) => ({ t, v: 10 })));
  });

  it('errors: error IS TRUE or HTTP status >= 500', async () => {
    const result = await source.read(lastMinutes({ measure: 'errors', selector: checkout }, 5), ctx());
    expect(values(result)).toEqual([2, 2, 2, 2, 2]);
  });

  it('latency-quantile: the percentile in milliseconds from a threshold-keyed object', async () => {
    const p99 = await source.read(
      lastMinutes({ measure: 'latency-quantile', selector: checkout, quantile: 0.99 }, 3),
      ctx(),
    );
    expect(values(p99)).toEqual([1000, 1000, 1000]);
    const p50 = await source.read(
      lastMinutes({ measure: 'latency-quantile', selector: checkout, quantile: 0.5 }, 3),
      ctx(),
    );
    expect(values(p50)).toEqual([500, 500, 500]);
  });

  it('latency-quantile: also when the aliased percentile comes back flat', async () => {
    double.aliasedPercentile = 'flat';
    try {
      const p99 = await source.read(
        lastMinutes({ measure: 'latency-quantile', selector: checkout, quantile: 0.99 }, 2),
        ctx(),
      );
      expect(values(p99)).toEqual([1000, 1000]);
    } finally {
      double.aliasedPercentile = 'threshold';
    }
  });

  it('latency-exceedances: requests slower than the threshold per step', async () => {
    const result = await source.read(
      lastMinutes({ measure: 'latency-exceedances', selector: checkout, thresholdMs: 750 }, 3),
      ctx(),
    );
    expect(values(result)).toEqual([3, 3, 3]);
  });

  it('memory: bytes per step from SystemSample', async () => {
    const result = await source.read(
      lastMinutes({ measure: 'memory', selector: { hostname: 'web-1' } }, 2),
      ctx(),
    );
    // Minutes 9 and 10 of the seed hold samples 32..35 and 36..39: 1 GB + index MB each.
    expect(values(result)).toEqual([1_033_500_000, 1_037_500_000]);
  });

  it('cpu: cores, from cpuPercent of the whole host times its core count', async () => {
    const result = await source.read(
      lastMinutes({ measure: 'cpu', selector: { hostname: 'web-1' } }, 2),
      ctx(),
    );
    expect(values(result)).toEqual([2, 2]);
  });

  it('ready: percentage() turned into a fraction', async () => {
    const result = await source.read(
      lastMinutes({ measure: 'ready', selector: { monitorName: 'checkout-health' } }, 2),
      ctx(),
    );
    expect(values(result)).toEqual([0.75, 0.75]);
  });

  it('raw: an unaliased value under its default key, passed through as NRQL returns it', async () => {
    const query: MetricQuery = {
      measure: 'raw',
      query: "SELECT percentile(duration, 50) FROM Transaction WHERE appName = 'checkout'",
      valueType: 'gauge',
    };
    const result = await source.read(lastMinutes(query, 2), ctx());
    expect(values(result)).toEqual([0.5, 0.5]);
  });

  it('a single sample (start === end) aggregates (end - step, end]', async () => {
    const request: MetricRequest = {
      query: { measure: 'requests', selector: checkout },
      start: T_END,
      end: T_END,
      stepMs: 5 * MINUTE,
    };
    const [only] = series(await source.read(request, ctx()));
    expect(only?.samples).toEqual([{ t: T_END, v: 50 }]);
  });

  it('segmentBy: one series per facet value, labelled', async () => {
    const result = await source.read(
      lastMinutes({ measure: 'requests', selector: checkout }, 3, { segmentBy: 'region' }),
      ctx(),
    );
    const all = series(result);
    expect(all.map((s) => s.labels)).toEqual([{ region: 'eu' }, { region: 'us' }]);
    for (const s of all) expect(s.samples.map((x) => x.v)).toEqual([5, 5, 5]);
    expect(all[0]?.samples.map((x) => x.t)).toEqual(minuteTimes.slice(2));
  });

  it('segmentBy on a single sample', async () => {
    const request: MetricRequest = {
      query: { measure: 'errors', selector: checkout },
      start: T_END,
      end: T_END,
      stepMs: 2 * MINUTE,
      segmentBy: 'region',
    };
    const all = series(await source.read(request, ctx()));
    // k = 8 (HTTP 503) is even → eu; k = 9 (error) is odd → us.
    expect(all).toEqual([
      { labels: { region: 'eu' }, samples: [{ t: T_END, v: 2 }] },
      { labels: { region: 'us' }, samples: [{ t: T_END, v: 2 }] },
    ]);
  });

  it('no-data: a faceted query matching nothing (results: [])', async () => {
    const result = await source.read(
      lastMinutes({ measure: 'requests', selector: { appName: 'nobody' } }, 2, { segmentBy: 'region' }),
      ctx(),
    );
    expect(result.status).toBe('no-data');
  });

  it('no-data: only null values (a percentile with no transactions)', async () => {
    const result = await source.read(
      lastMinutes({ measure: 'latency-quantile', selector: { appName: 'nobody' }, quantile: 0.99 }, 3),
      ctx(),
    );
    expect(result).toMatchObject({ status: 'no-data', reason: expect.stringContaining('no value') });
  });

  it('no-data: a health event type nobody sends', async () => {
    const result = await source.read(
      lastMinutes({ measure: 'ready', selector: { monitorName: 'none' } }, 2),
      ctx(),
    );
    expect(result.status).toBe('no-data');
  });

  it('a count over nothing is a real zero, not no-data', async () => {
    const result = await source.read(
      lastMinutes({ measure: 'requests', selector: { appName: 'nobody' } }, 2),
      ctx(),
    );
    expect(values(result)).toEqual([0, 0]);
  });
});

describe('escaping: values with quotes cannot change the NRQL', () => {
  let double: NerdGraphDouble;
  let source: MetricSource;
  beforeAll(async () => {
    double = await startDouble();
    source = sourceFor(double);
  });
  afterAll(async () => {
    await source.dispose();
    await double.close();
  });

  const lastMinute = (appName: string, segmentBy?: string): MetricRequest => ({
    query: { measure: 'requests', selector: { appName } },
    start: T_END,
    end: T_END,
    stepMs: MINUTE,
    ...(segmentBy === undefined ? {} : { segmentBy }),
  });

  it('matches an app name with single and double quotes exactly', async () => {
    expect(source.describe(lastMinute(QUOTED_APP))).toContain(`'O\\'Brien\\'s "shop"'`);
    expect(values(await source.read(lastMinute(QUOTED_APP), ctx()))).toEqual([4]);
  });

  it('matches an app name with backslashes and a quote exactly', async () => {
    expect(values(await source.read(lastMinute(BACKSLASH_APP), ctx()))).toEqual([3]);
  });

  it('treats an injection attempt as a literal app name that matches nothing', async () => {
    const everything = values(await source.read(lastMinute('checkout'), ctx()));
    expect(everything).toEqual([10]);
    for (const attack of [
      "checkout' OR `appName` != 'x",
      "x\\' OR appName IS NOT NULL OR appName = \\'",
      "' OR '1' = '1",
    ]) {
      expect(values(await source.read(lastMinute(attack), ctx()))).toEqual([0]);
    }
  });

  it('uses a quoted attribute value in a facet label unchanged', async () => {
    const all = series(await source.read(lastMinute(QUOTED_APP, 'appName'), ctx()));
    expect(all).toEqual([{ labels: { appName: QUOTED_APP }, samples: [{ t: T_END, v: 4 }] }]);
  });

  it('answers a selector key NRQL cannot quote with SOURCE_BAD_QUERY, without sending anything', async () => {
    const before = double.requests.length;
    const result = await source.read(
      {
        query: { measure: 'requests', selector: { 'bad`key': 'x' } },
        start: T_END,
        end: T_END,
        stepMs: MINUTE,
      },
      ctx(),
    );
    expect(result.status === 'error' && result.error.code).toBe('SOURCE_BAD_QUERY');
    expect(double.requests.length).toBe(before);
  });
});

describe('the GraphQL request', () => {
  let double: NerdGraphDouble;
  beforeAll(async () => {
    double = await startDouble();
  });
  afterAll(async () => {
    await double.close();
  });

  it('sends the constant document with the NRQL only as $nrql, and the key only in API-Key', async () => {
    const source = sourceFor(double);
    const requests = [
      lastMinutes({ measure: 'requests', selector: { appName: QUOTED_APP } }, 3),
      lastMinutes({ measure: 'latency-quantile', selector: checkout, quantile: 0.99 }, 2, {
        segmentBy: 'region',
      }),
      lastMinutes({ measure: 'raw', query: 'SELECT count(*) FROM Transaction', valueType: 'count' }, 2),
    ];
    for (const request of requests) {
      double.resetCounters();
      await source.read(request, ctx());
      const [sent] = double.requests;
      expect(sent?.query).toBe(NRQL_QUERY_DOCUMENT);
      const nrql = source.describe(request);
      expect(sent?.variables).toMatchObject({ accountId: ACCOUNT_ID, nrql });
      expect(sent?.query).not.toContain(nrql);
      expect(sent?.query).not.toMatch(/SELECT|FROM|SINCE|Transaction|O'Brien/);
      expect(sent?.headers['api-key']).toBe(API_KEY);
      expect(sent?.headers['content-type']).toBe('application/json');
      expect(sent?.rawBody.split(API_KEY)).toHaveLength(1);
      expect(double.violations).toEqual([]);
    }
    await source.dispose();
  });

  it('sends $timeout as the configured bound, lowered to the time left before the deadline', async () => {
    const generous = sourceFor(double, { timeoutSeconds: 20 });
    const strict = sourceFor(double, { timeoutSeconds: 5 });
    const request = lastMinutes({ measure: 'requests', selector: checkout }, 1);
    double.resetCounters();
    await generous.read(request, ctx(60_000));
    await generous.read(request, ctx(9_500));
    await generous.read(request, ctx(1_000));
    await strict.read(request, ctx(60_000));
    expect(double.requests.map((r) => r.variables?.timeout)).toEqual([20, 9, 5, 5]);
    await Promise.all([generous.dispose(), strict.dispose()]);
  });
});

describe('regions, dispatchers and dispose', () => {
  function mockFor(origin: string): MockAgent {
    const agent = new MockAgent();
    agent.disableNetConnect();
    agent
      .get(origin)
      .intercept({ path: '/graphql', method: 'POST', headers: { 'api-key': API_KEY } })
      .reply(200, { data: { actor: { account: { nrql: { results: [{ requests: 7 }] } } } } })
      .persist();
    return agent;
  }

  const request: MetricRequest = {
    query: { measure: 'requests', selector: checkout },
    start: T_END,
    end: T_END,
    stepMs: MINUTE,
  };

  it.each([
    ['us', 'https://api.newrelic.com'],
    ['eu', 'https://api.eu.newrelic.com'],
  ] as const)('region %s posts to %s/graphql', async (region, origin) => {
    const agent = mockFor(origin);
    const source = createNewRelicSource({
      accountId: ACCOUNT_ID,
      apiKey: API_KEY,
      region,
      dispatcher: agent,
    });
    expect(values(await source.read(request, ctx()))).toEqual([7]);
    await source.dispose();
    await agent.close();
  });

  it('uses an injected dispatcher as is and leaves it open on dispose', async () => {
    const double = await startDouble();
    const agent = new Agent();
    const first = sourceFor(double, { dispatcher: agent });
    expect(values(await first.read(request, ctx()))).toEqual([10]);
    await first.dispose();
    const second = sourceFor(double, { dispatcher: agent });
    expect(values(await second.read(request, ctx()))).toEqual([10]);
    await second.dispose();
    await agent.close();
    await double.close();
  });

  it('after dispose, reads resolve to an error instead of throwing; dispose is idempotent', async () => {
    const double = await startDouble();
    const source = sourceFor(double);
    expect(values(await source.read(request, ctx()))).toEqual([10]);
    await source.dispose();
    await source.dispose();
    const result = await source.read(request, ctx());
    expect(result.status === 'error' && result.error.code).toBe('SOURCE_UNAVAILABLE');
    await double.close();
  });

  it('has the configured name', async () => {
    const double = await startDouble();
    const source = sourceFor(double, { name: 'newrelic-eu' });
    expect(source.name).toBe('newrelic-eu');
    expect(sourceFor(double).name).toBe('newrelic');
    await double.close();
  });

  it('a GraphQL error with partial data is an error, never the partial data', async () => {
    const double = await startDouble();
    double.serve({
      kind: 'reply',
      reply: replies.graphqlError({
        message: 'partial',
        errorClass: 'TIMEOUT',
        partialRows: [{ requests: 99 }],
      }),
    });
    const source = sourceFor(double);
    const result = await source.read(request, ctx());
    expect(result.status === 'error' && result.error.code).toBe('TIMEOUT');
    await source.dispose();
    await double.close();
  });
});
